/**
 * The one shape every app exports as its `ops` stack output, so one set of operator commands
 * (tools/ops/*.sh: ssh, logs, manage, dump, restore, handover, tunnel) works for all five
 * apps. The scripts read it with `pulumi stack output --json --show-secrets <app>` and never guess
 * a name: every container, node, group and volume they touch is named here.
 *
 * Two kinds of target:
 * - `digitalocean`: Docker nodes reached over SSH as root, trusting only the host key the program
 *   generated (`knownHostsLine`); commands run with `docker exec` in a named container.
 * - `aws`: no SSH; commands reach an instance of an auto-scaling group through SSM
 *   (`aws ssm send-command` / `start-session`), and logs come from CloudWatch.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../config/primitives";
import type * as digitalocean from "@pulumi/digitalocean";
import { volumeSnapshotsContainer } from "../components/digitalocean/volume-snapshots";
import { colourContainerName } from "../components/docker/colour-hosts";
import type { ContainerSpec } from "../components/docker/container-stack";

/** A node reachable over SSH as root. */
export interface OpsNode {
  /** Public IPv4 address. */
  ip: pulumi.Input<string>;
  /** `<names,ip> <key>` line for known_hosts: the only key the scripts trust. */
  knownHostsLine: pulumi.Input<string>;
}

/** A container on a node of the app (DigitalOcean), or a container of an instance group (AWS). */
export interface OpsContainer {
  /** Node name (a key of `nodes`) on DigitalOcean; auto-scaling group name on AWS. */
  on: pulumi.Input<string>;
  /** Container name as Docker runs it (on ECS: the task definition's container name). */
  container: string;
}

/** Where the app's data lives, and so how `ops:dump` / `ops:restore` handle it. */
export type OpsDatabase =
  | {
      /** Postgres in a container; dumps are `pg_dump -Fc` files on the data volume, beside (not in) PGDATA. */
      kind: "postgres-container";
      at: OpsContainer;
      /** Database dumped and restored. */
      database: string;
      /** Directory inside the container (on the data volume) holding dumps. */
      dumpDir: string;
    }
  | {
      /**
       * A SQLite file on the node's data volume, copied on the node (Ubuntu's python3, sqlite3 online-backup
       * API), so a restore works with every container that writes to it stopped.
       */
      kind: "sqlite";
      /** Node name (a key of `nodes`). */
      node: string;
      /** The database file on the node. */
      path: string;
      /** Directory on the node (on the data volume) holding copies. */
      dumpDir: string;
    }
  | {
      /**
       * RDS: dumps are manual DB snapshots; a restore makes a new instance from one with the live instance's
       * settings (read at restore time) and swaps it in under `identifier` (tools/ops/restore-rds.sh).
       */
      kind: "rds";
      identifier: pulumi.Input<string>;
    }
  | {
      /** CouchDB files on an EBS volume: dumps are EBS snapshots; a restore copies a snapshot's files back. */
      kind: "couchdb";
      volumeId: pulumi.Input<string>;
      availabilityZone: string;
      /** Directory of CouchDB's data on the instance. */
      dataPath: string;
    };

/** What every app exports as `ops`. */
export interface OpsOutputs {
  platform: "digitalocean" | "aws";
  /** AWS region (AWS apps only). */
  region?: string;
  /** SSH-reachable nodes by name (DigitalOcean apps only). */
  nodes?: Record<string, OpsNode>;
  /** The colour taking production traffic, when the app has colours. */
  liveColour?: Colour;
  /** Where `ops:manage` runs a command, per colour (or `live` alone for an app without colours). */
  manage: Partial<Record<Colour | "live", OpsContainer>>;
  /** The argument list that `ops:manage <args>` appends to (e.g. `python manage.py`). Default: none. */
  manageCommand: string[];
  /** Log sources by service name: a container (DigitalOcean) or a CloudWatch log group (AWS). */
  logs: Record<string, OpsContainer | { logGroup: pulumi.Input<string> }>;
  /** The app's database, when it has one. */
  database?: OpsDatabase;
  /**
   * The scheduled off-site dumps (a bucket) and how to restore one, run in the backup container:
   * `newest` restores the newest dump, `named` the dump whose name replaces the `{}` word.
   */
  offsite?: { at: OpsContainer; newest: string[]; named: string[] };
  /**
   * What writes to the database: stopped for the length of a restore, started again after.
   * Containers on DigitalOcean; on AWS, auto-scaling groups (scaled to 0) or an ECS service (desired 0).
   */
  writers: {
    containers?: OpsContainer[];
    autoScalingGroups?: pulumi.Input<string>[];
    ecsService?: { cluster: pulumi.Input<string>; service: pulumi.Input<string> };
  };
  /**
   * Block-storage or EBS volumes holding state, by name, with their IDs. `ops:restore --volume-snapshot`
   * restores a DigitalOcean one by this name; it reads the volume's droplet, region and size with doctl.
   */
  volumes: Record<string, pulumi.Input<string>>;
  /**
   * Ports open to no network that `ops:tunnel` forwards to the operator's machine (AWS: a Session Manager
   * port-forwarding session to an instance of group `on`), by service name; `path` is what to open there.
   * Default: none.
   */
  tunnels?: Record<string, { on: pulumi.Input<string>; port: number; path?: string }>;
}

/** Where Postgres containers keep `pg_dump` files: on the data volume beside PGDATA (`.../data/pgdata`), not inside it. */
export const POSTGRES_DUMP_DIR = "/var/lib/postgresql/data/dumps";

/**
 * Log sources of containers from the containers each node runs, keyed by container name, or by
 * `<node>/<container>` where two nodes run a container of the same name (nmpi's per-colour proxy).
 */
export function containerLogs(byNode: Record<string, readonly string[]>): Record<string, OpsContainer> {
  const all = Object.entries(byNode).flatMap(([on, containers]) => containers.map((container) => ({ on, container })));
  const count = (name: string) => all.filter((c) => c.container === name).length;
  return Object.fromEntries(all.map((c) => [count(c.container) > 1 ? `${c.on}/${c.container}` : c.container, c]));
}

/** Each colour's container `<base>-<colour>` on node `nodeOf(colour)`: where `ops:manage` runs. */
export function colourManage(base: string, nodeOf: (colour: Colour) => string): Record<Colour, OpsContainer> {
  return { blue: { on: nodeOf("blue"), container: colourContainerName(base, "blue") }, green: { on: nodeOf("green"), container: colourContainerName(base, "green") } };
}

/**
 * `pg_dump -Fc` of the container's own database (its POSTGRES_USER / POSTGRES_DB environment, as the
 * official postgres image sets them) into `dumpDir` as `<label>-<UTC time>.dump`, keeping the newest `keep`
 * dumps of that label: the command a release runs before it migrates (dump.sh writes the same files).
 */
export function postgresDumpCommand(dumpDir: string, label: string, keep: number): string[] {
  if (!/^[a-z][a-z0-9-]*$/.test(label)) throw new Error(`postgresDumpCommand: label ${JSON.stringify(label)} must be lower-case letters, digits and '-'`);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`postgresDumpCommand: keep must be a whole number >= 1, got ${keep}`);
  return [
    "sh",
    "-c",
    `set -e; mkdir -p "$0"; pg_dump -Fc -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$0/${label}-$(date -u +%Y%m%dT%H%M%SZ).dump"; ` +
      `ls -1t "$0"/${label}-*.dump | tail -n +${keep + 1} | xargs -r rm -f --`,
    dumpDir,
  ];
}

/** The same for a SQLite file, with Python's sqlite3 online-backup API (for images with Python and no sqlite3 tool). */
export function sqliteDumpCommand(path: string, dumpDir: string, label: string, keep: number): string[] {
  if (!/^[a-z][a-z0-9-]*$/.test(label)) throw new Error(`sqliteDumpCommand: label ${JSON.stringify(label)} must be lower-case letters, digits and '-'`);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`sqliteDumpCommand: keep must be a whole number >= 1, got ${keep}`);
  const script = [
    "import glob, os, sqlite3, sys, time",
    "path, dump_dir, label, keep = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])",
    "os.makedirs(dump_dir, exist_ok=True)",
    'dst = sqlite3.connect(os.path.join(dump_dir, label + time.strftime("-%Y%m%dT%H%M%SZ.sqlite3", time.gmtime())))',
    "sqlite3.connect(path).backup(dst)",
    "dst.close()",
    'for old in sorted(glob.glob(os.path.join(dump_dir, label + "-*.sqlite3")))[:-keep]: os.remove(old)',
  ].join("\n");
  return ["python", "-c", script, path, dumpDir, label, String(keep)];
}

/** Container names of `count` replicas: the first keeps the base name (scaling never replaces it), then `<base>-2`, ... */
export function replicaNames(base: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`replicaNames: count must be a whole number >= 1, got ${count}`);
  return Array.from({ length: count }, (_, i) => (i === 0 ? base : `${base}-${i + 1}`));
}

/** Pinned Python image of the volume-snapshot job (standard library only). Assumption: docs/operations.md. */
const SNAPSHOT_IMAGE = "python:3.12.8-alpine3.21";

/**
 * The volume-snapshot container of a DigitalOcean app when `apps.<app>.volumeSnapshots` is set (none
 * otherwise); the token is required then, and its absence is reported with the full key.
 */
export function volumeSnapshotSpecs(
  app: string,
  schedule: { at: string; keep: number } | undefined,
  token: pulumi.Input<string> | undefined,
  volume: digitalocean.Volume | undefined,
): ContainerSpec[] {
  if (!schedule) return [];
  if (token === undefined) throw new Error(`platform:secrets.${app}.snapshotToken: required when apps.${app}.volumeSnapshots is set (pulumi config set --secret --path 'secrets.${app}.snapshotToken' <token>)`);
  if (!volume) throw new Error(`apps.${app}.volumeSnapshots: the app has no data volume to snapshot`);
  return [volumeSnapshotsContainer({ name: "volume-snapshots", image: SNAPSHOT_IMAGE, volumeId: volume.id, token, prefix: app, ...schedule })];
}
