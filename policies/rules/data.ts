/** Databases, volumes and other stateful resources: private, encrypted, backed up, protected. */
import { isStateful } from "../../tools/render/stateful";
import { asArray, asBoolean, asNumber, asRecord, asString, type Finding, type ResourcePolicy } from "./model";

const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

/** Days of automated backups RDS must keep (seed 002: "7-day backups"). */
export const MIN_BACKUP_DAYS = 7;

export const rdsNotPublic: ResourcePolicy = {
  kind: "resource",
  name: "rds-not-public",
  description: "RDS instances are not publicly accessible.",
  defaultLevel: "mandatory",
  types: [RDS_INSTANCE, RDS_CLUSTER_INSTANCE],
  check: (r) =>
    asBoolean(r.inputs.publiclyAccessible) === true
      ? [{ message: "publiclyAccessible is true: the database gets a public address", fix: "set publiclyAccessible: false and reach it from the app's private subnets" }]
      : [],
};

export const rdsEncrypted: ResourcePolicy = {
  kind: "resource",
  name: "rds-storage-encrypted",
  description: "RDS storage is encrypted at rest.",
  defaultLevel: "mandatory",
  types: [RDS_INSTANCE, RDS_CLUSTER],
  check: (r) =>
    asBoolean(r.inputs.storageEncrypted) === true
      ? []
      : [
          {
            message: `storageEncrypted is ${String(r.inputs.storageEncrypted ?? "unset (AWS default: false)")}`,
            fix: "set storageEncrypted: true (this replaces an existing instance: restore from a snapshot into an encrypted one)",
          },
        ],
};

export const rdsBackups: ResourcePolicy = {
  kind: "resource",
  name: "rds-backup-retention",
  description: `RDS keeps automated backups for at least ${MIN_BACKUP_DAYS} days.`,
  defaultLevel: "mandatory",
  types: [RDS_INSTANCE, RDS_CLUSTER],
  check: (r) => {
    const days = asNumber(r.inputs.backupRetentionPeriod);
    if (days !== undefined && days >= MIN_BACKUP_DAYS) return [];
    return [
      {
        message: `backupRetentionPeriod is ${days === undefined ? "unset (AWS default: 1 day)" : `${days} day(s)`}`,
        fix: `set backupRetentionPeriod to at least ${MIN_BACKUP_DAYS}`,
      },
    ];
  },
};

export const rdsDeletionProtection: ResourcePolicy = {
  kind: "resource",
  name: "rds-deletion-protection",
  description: "In production, RDS has deletion protection and takes a final snapshot when deleted.",
  defaultLevel: "mandatory",
  productionOnly: true,
  types: [RDS_INSTANCE, RDS_CLUSTER],
  check: (r) => {
    const findings: Finding[] = [];
    if (asBoolean(r.inputs.deletionProtection) !== true) {
      findings.push({ message: "deletionProtection is not true", fix: "set deletionProtection: true in production" });
    }
    if (asBoolean(r.inputs.skipFinalSnapshot) === true) {
      findings.push({ message: "skipFinalSnapshot is true: deleting the database loses its data", fix: "set skipFinalSnapshot: false and a finalSnapshotIdentifier" });
    } else if (!asString(r.inputs.finalSnapshotIdentifier)) {
      findings.push({ message: "no finalSnapshotIdentifier: AWS refuses the delete without one, or a hand-picked name is needed in an emergency", fix: "set finalSnapshotIdentifier (e.g. `<name>-final`)" });
    }
    return findings;
  },
};

/** `encrypted` of a block device mapping; launch templates carry it as the string "true". */
function deviceEncrypted(device: unknown): boolean {
  return asBoolean(asRecord(device).encrypted) === true;
}

export const ebsEncrypted: ResourcePolicy = {
  kind: "resource",
  name: "ebs-encrypted",
  description: "EBS volumes (standalone, instance and launch-template block devices) are encrypted.",
  defaultLevel: "mandatory",
  types: ["aws:ebs/volume:Volume", "aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"],
  check: (r) => {
    const unencrypted: string[] = [];
    if (r.type === "aws:ebs/volume:Volume") {
      if (asBoolean(r.inputs.encrypted) !== true) unencrypted.push("encrypted");
    } else if (r.type === "aws:ec2/instance:Instance") {
      if (r.inputs.rootBlockDevice !== undefined && !deviceEncrypted(r.inputs.rootBlockDevice)) unencrypted.push("rootBlockDevice.encrypted");
      asArray(r.inputs.ebsBlockDevices).forEach((d, i) => {
        if (!deviceEncrypted(d)) unencrypted.push(`ebsBlockDevices[${i}].encrypted`);
      });
    } else {
      asArray(r.inputs.blockDeviceMappings).forEach((m, i) => {
        const ebs = asRecord(m).ebs;
        if (ebs !== undefined && !deviceEncrypted(ebs)) unencrypted.push(`blockDeviceMappings[${i}].ebs.encrypted`);
      });
    }
    return unencrypted.map((path) => ({ message: `${path} is not true: the volume is stored unencrypted`, fix: `set ${path}: true` }));
  },
};

export const statefulProtected: ResourcePolicy = {
  kind: "resource",
  name: "stateful-protected-in-production",
  description: "In production, databases, volumes, buckets and registries are protected (and retained on delete where visible).",
  defaultLevel: "mandatory",
  productionOnly: true,
  check: (r) => {
    if (!isStateful(r.type)) return [];
    const findings: Finding[] = [];
    if (!r.options.protect) {
      findings.push({ message: "protect is false: `pulumi destroy` or a rename would delete its data", fix: "pass statefulOptions(ctx) (apps/context.ts) as the resource's options" });
    }
    if (r.options.retainOnDelete === false) {
      findings.push({ message: "retainOnDelete is false: removing it from the program deletes the cloud resource", fix: "pass statefulOptions(ctx) (apps/context.ts) as the resource's options" });
    }
    return findings;
  },
};
