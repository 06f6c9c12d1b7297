/** Every app's live colour can serve: some compute of that app and colour with capacity above zero. */
import { COLOURS } from "../../config/primitives";
import { colourOf } from "./colour";
import { asArray, asNumber, asRecord, asString, isRecord, type StackFinding, type StackPolicy, type Subject } from "./model";
import { tagMap } from "./tags";

/** Compute resource types and the capacity each declares (missing = the provider's default). */
const CAPACITY: Record<string, (inputs: Record<string, unknown>) => number> = {
  "aws:autoscaling/group:Group": (i) => asNumber(i.desiredCapacity) ?? asNumber(i.minSize) ?? 0,
  "aws:ecs/service:Service": (i) => asNumber(i.desiredCount) ?? (asString(i.schedulingStrategy) === "DAEMON" ? 1 : 0),
  "aws:ec2/instance:Instance": () => 1,
  "digitalocean:index/droplet:Droplet": () => 1,
  "docker:index/container:Container": () => 1,
};

/** App and colour of a resource: from tags `app`/`colour`, else from its name (`<app>-...-<colour>-...`). */
export function appAndColour(r: Subject, apps: readonly string[]): { app?: string; colour?: string } {
  const tags = tagMap(r.inputs.tags);
  const listTags = asArray(r.inputs.tags).map(asString).filter((t): t is string => t !== undefined);
  const name = r.name.toLowerCase();
  const app = tags.app ?? apps.find((a) => name === a || name.startsWith(`${a}-`) || listTags.includes(a));
  const colour =
    tags.colour ?? COLOURS.find((c) => listTags.includes(c) || listTags.some((t) => t.endsWith(`-${c}`) || t.endsWith(`:${c}`))) ?? colourOf(r.name);
  return { app, colour };
}

/**
 * The rule: for every app whose stack output has a `liveColour`, the resources of that app and
 * colour (tags app/colour, or names `<app>-...<colour>...`) include compute - an auto-scaling group,
 * ECS service, EC2 instance, droplet or container - and their capacity (desiredCapacity ?? minSize,
 * desiredCount, 1 per instance/droplet/container) adds up to more than zero. When the app's output
 * also has `capacity: { blue, green }` (or `replicas`), the live entry must be above zero too.
 */
export const liveColourHasCapacity: StackPolicy = {
  kind: "stack",
  name: "live-colour-has-capacity",
  description: "Every app's live colour has compute with capacity above zero.",
  defaultLevel: "mandatory",
  check: ({ resources, outputs }) => {
    const findings: StackFinding[] = [];
    const apps = Object.keys(outputs).filter((app) => isRecord(outputs[app]));
    for (const app of apps) {
      const output = asRecord(outputs[app]);
      const live = asString(output.liveColour);
      if (live === undefined) continue;
      const declared = asRecord(output.capacity ?? output.replicas);
      const declaredLive = asNumber(declared[live]);
      if (declaredLive !== undefined && declaredLive <= 0) {
        findings.push({ message: `${app}: output capacity.${live} is ${declaredLive} but ${live} is live`, fix: `raise the ${live} capacity in config, or switch apps.${app}.live first` });
      }
      const compute = resources.filter((r) => CAPACITY[r.type] !== undefined).filter((r) => {
        const owner = appAndColour(r, apps);
        return owner.app === app && owner.colour === live;
      });
      const total = compute.reduce((sum, r) => sum + CAPACITY[r.type](r.inputs), 0);
      if (compute.length === 0) {
        findings.push({
          message: `${app}: live colour ${live} has no compute (no auto-scaling group, ECS service, instance, droplet or container tagged or named for ${app} and ${live})`,
          fix: `deploy ${live} before making it live, or set apps.${app}.live to the colour that runs`,
        });
      } else if (total <= 0) {
        findings.push({
          resource: { urn: compute[0].urn, type: compute[0].type, name: compute[0].name },
          message: `${app}: live colour ${live} has capacity 0 (${compute.map((r) => `${r.name}: ${CAPACITY[r.type](r.inputs)}`).join(", ")})`,
          fix: `raise the ${live} capacity above zero, or switch apps.${app}.live to the colour that runs`,
        });
      }
    }
    return findings;
  },
};
