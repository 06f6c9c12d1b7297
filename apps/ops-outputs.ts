/**
 * The one shape every app exports as its `ops` stack output, so one set of operator commands
 * (tools/ops/*.sh: ssh, logs, manage, dump, restore, snapshot-restore, handover) works for all five
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
import { colourContainerName } from "../components/docker/colour-hosts";

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
      /** RDS: dumps are manual DB snapshots; a restore creates a new instance from one. */
      kind: "rds";
      identifier: pulumi.Input<string>;
      /** DB subnet group and security group a restored instance joins. */
      subnetGroup: pulumi.Input<string>;
      securityGroupId: pulumi.Input<string>;
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
   * What writes to the database: stopped for the length of a restore, started again after.
   * Containers on DigitalOcean; on AWS, auto-scaling groups (scaled to 0) or an ECS service (desired 0).
   */
  writers: {
    containers?: OpsContainer[];
    autoScalingGroups?: pulumi.Input<string>[];
    ecsService?: { cluster: pulumi.Input<string>; service: pulumi.Input<string> };
  };
  /** Block-storage or EBS volumes holding state, by name, with their IDs (snapshot restores). */
  volumes: Record<string, pulumi.Input<string>>;
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
