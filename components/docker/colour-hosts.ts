/**
 * Blue/green on one host: which host name reaches which colour. The production name goes to the
 * live colour; `blue.<domain>` and `green.<domain>` always reach their own colour, so the idle colour
 * can be tested before a switch. A pure function shared by every front proxy renderer, so a switch
 * is the same one-line change in each generated proxy config.
 */
import { COLOURS, type Colour } from "../../config/primitives";

/** One routing entry: host names and the colour they reach. */
export interface ColourRoute {
  hostnames: string[];
  colour: Colour;
}

/** Host name of one colour: `<colour>.<domain>`. */
export function colourHostname(domain: string, colour: Colour): string {
  return `${colour}.${domain}`;
}

/** Routes for `domain`: the production name to `live`, each colour name to itself. */
export function colourRoutes(domain: string, live: Colour): ColourRoute[] {
  if (live !== "blue" && live !== "green") throw new Error(`colourRoutes: live must be blue or green, got ${JSON.stringify(live)}`);
  return [{ hostnames: [domain], colour: live }, ...COLOURS.map((colour) => ({ hostnames: [colourHostname(domain, colour)], colour }))];
}

/** Container name of a per-colour service: `<service>-<colour>`. */
export function colourContainerName(service: string, colour: Colour): string {
  return `${service}-${colour}`;
}

/** Each colour's container of a per-colour service in a stack, with the name it runs under. */
export function colourContainers<T>(stack: { containers: Record<string, T> }, service: string): Record<Colour, { name: string; resource: T }> {
  const pick = (colour: Colour) => {
    const name = colourContainerName(service, colour);
    const resource = stack.containers[name];
    if (resource === undefined) throw new Error(`colourContainers: the stack has no container ${name}`);
    return { name, resource };
  };
  return { blue: pick("blue"), green: pick("green") };
}
