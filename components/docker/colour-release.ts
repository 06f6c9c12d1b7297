import * as command from "@pulumi/command";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COLOURS, type Colour } from "../../config/primitives";

/** Arguments of {@link ColourRelease}. */
export interface ColourReleaseArgs {
  /** SSH address of the Docker host. */
  host: pulumi.Input<string>;
  /** The host's public key (`ssh-ed25519 AAAA...`), pinned: never trusted on first use. */
  hostKey: pulumi.Input<string>;
  /** Name of the running container the commands execute in (it brings its image and environment). */
  container: pulumi.Input<string>;
  /** Commands, each as an argument list, run in order with `docker exec`; the first failure stops the rest. */
  commands: string[][];
  /** Value whose change runs the commands again (the colour's version). Runs once on creation. */
  trigger: pulumi.Input<string>;
  /** Identity of the Docker host (e.g. its droplet ID): a new host runs the commands again. */
  hostId: pulumi.Input<string>;
}

/**
 * The SSH connection of a command run as root on a Docker node, trusting only the node's pinned host
 * key; dial errors are retried (10) while a fresh node's sshd comes up.
 */
export function rootConnection(host: pulumi.Input<string>, hostKey: pulumi.Input<string>): command.types.input.remote.ConnectionArgs {
  return { host, user: "root", hostKey, dialErrorLimit: 10 };
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The remote script: `docker exec` each command in the container, stopping at the first failure. */
export function releaseScript(container: string, commands: readonly (readonly string[])[]): string {
  return ["set -eu", ...commands.map((argv) => `docker exec ${shellQuote(container)} ${argv.map(shellQuote).join(" ")}`)].join("\n");
}

/**
 * One-off release steps of a colour (database migrations and the like), run once inside the colour's
 * web container after a new version of it is deployed, and again only when the version changes.
 * Running inside the container means the step uses exactly that version's code and environment,
 * with no second copy of the environment (and its secrets) on a command line.
 */
export class ColourRelease extends pulumi.ComponentResource {
  /** Output of the last run. */
  public readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: ColourReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:docker:ColourRelease", name, {}, opts);
    if (args.commands.length === 0) throw new Error(`ColourRelease ${name}: commands must name at least one command`);
    args.commands.forEach((argv, i) => {
      if (argv.length === 0 || argv.some((a) => a.length === 0)) throw new Error(`ColourRelease ${name}: commands[${i}] must be a non-empty list of non-empty arguments`);
    });
    const run = new command.remote.Command(
      name,
      {
        connection: rootConnection(args.host, args.hostKey),
        create: pulumi.output(args.container).apply((c) => releaseScript(c, args.commands)),
        // `triggers` replaces the command (pulumi-command provider/pkg/provider/common/inputs.go).
        triggers: [args.trigger, args.hostId],
      },
      { parent: this },
    );
    this.stdout = run.stdout;
    this.registerOutputs({ stdout: this.stdout });
  }
}

/** Arguments of {@link releaseColoursInOrder}. */
export interface ColourReleasesArgs {
  /** SSH address and pinned host key of the Docker host. */
  host: pulumi.Input<string>;
  hostKey: pulumi.Input<string>;
  /** Identity of the Docker host (e.g. its droplet ID): a new host runs the commands again. */
  hostId: pulumi.Input<string>;
  /** Commands run in each colour's container, in order. */
  commands: string[][];
  /** Each colour's version: a change runs that colour's commands again. */
  versions: Record<Colour, pulumi.Input<string>>;
  /** Each colour's web container (named as it runs), which the commands execute in. */
  containers: Record<Colour, { name: string; resource: docker.Container }>;
  /**
   * A dump of the database the colours share, taken before each colour's commands run (they migrate it):
   * its commands run in `container`, triggered by the same version change, and the colour's release waits
   * for them; a failed dump stops the release. Default: none.
   */
  backupFirst?: { container: { name: string; resource: docker.Container }; commands: string[][] };
}

/**
 * A {@link ColourRelease} per colour, blue then green: each after its own container exists, and green
 * after blue, so two migrations never run at once against the database both colours share; with
 * `backupFirst`, each after a dump taken just before it.
 */
export function releaseColoursInOrder(name: string, args: ColourReleasesArgs, opts?: pulumi.ComponentResourceOptions): Record<Colour, ColourRelease> {
  const releases = {} as Record<Colour, ColourRelease>;
  let previous: ColourRelease | undefined;
  for (const colour of COLOURS) {
    const container = args.containers[colour];
    const after: pulumi.Resource[] = previous ? [container.resource, previous] : [container.resource];
    if (args.backupFirst) {
      const backup = new ColourRelease(
        `${name}-${colour}-dump`,
        { host: args.host, hostKey: args.hostKey, hostId: args.hostId, container: args.backupFirst.container.name, commands: args.backupFirst.commands, trigger: args.versions[colour] },
        { ...opts, dependsOn: [...after, args.backupFirst.container.resource] },
      );
      after.push(backup);
    }
    previous = new ColourRelease(
      `${name}-${colour}`,
      { host: args.host, hostKey: args.hostKey, hostId: args.hostId, container: container.name, commands: args.commands, trigger: args.versions[colour] },
      { ...opts, dependsOn: after },
    );
    releases[colour] = previous;
  }
  return releases;
}
