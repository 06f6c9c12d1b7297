import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link RdsSnapshot}. */
export interface RdsSnapshotArgs {
  /** Instance to snapshot. */
  instanceIdentifier: pulumi.Input<string>;
  /** What the snapshot is for, such as `pre-blue-1.0.2`; a change takes a new snapshot. Letters, digits, '.', '-'. */
  label: string;
}

/** An RDS snapshot identifier from an instance identifier and a label: letters, digits and single hyphens. */
export function snapshotIdentifier(instance: string, label: string): string {
  return `${instance}-${label}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/-$/, "");
}

/**
 * A manual snapshot of an RDS instance, taken when `label` first appears and again whenever it changes (the
 * identifier forces a new snapshot; the previous one is deleted after the new one exists, so one is kept per
 * name). Whatever depends on it waits until the snapshot is available: a release that migrates waits for it.
 */
export class RdsSnapshot extends pulumi.ComponentResource {
  /** The snapshot's identifier, what `restore.sh` and `apps.<app>.database.snapshotIdentifier` take. */
  public readonly snapshotId: pulumi.Output<string>;

  constructor(name: string, args: RdsSnapshotArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:RdsSnapshot", name, {}, opts);
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(args.label)) throw new Error(`RdsSnapshot ${name}: label must be letters, digits, '.' and '-', got ${JSON.stringify(args.label)}`);
    const snapshot = new aws.rds.Snapshot(
      name,
      {
        dbInstanceIdentifier: args.instanceIdentifier,
        dbSnapshotIdentifier: pulumi.output(args.instanceIdentifier).apply((id) => snapshotIdentifier(id, args.label)),
      },
      { parent: this },
    );
    this.snapshotId = snapshot.dbSnapshotIdentifier;
    this.registerOutputs({ snapshotId: this.snapshotId });
  }
}
