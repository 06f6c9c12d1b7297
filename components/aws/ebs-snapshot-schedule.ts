import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TIME_OF_DAY } from "../../config/primitives";

/** Hours between snapshots that a DLM create rule accepts (aws_dlm_lifecycle_policy `interval` with unit HOURS). */
export const DLM_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/** Arguments of {@link EbsSnapshotSchedule}. */
export interface EbsSnapshotScheduleArgs {
  /** Tags that select the volumes to snapshot (a volume with any of them is taken). No two schedules may share them. */
  targetTags: Record<string, pulumi.Input<string>>;
  /** Hours between snapshots: 1, 2, 3, 4, 6, 8, 12 or 24. Default: 24. */
  everyHours?: number;
  /** First snapshot of the day, `HH:MM` UTC. Default: "03:00". */
  at?: string;
  /** Snapshots kept; older ones are deleted by DLM. Default: 14. */
  keep?: number;
  /** Tags of the policy and role. Default: none. */
  tags?: Record<string, string>;
}

/** Checks {@link EbsSnapshotScheduleArgs} and applies the defaults; throws naming the argument. */
export function validateSnapshotScheduleArgs(name: string, args: EbsSnapshotScheduleArgs): { every: number; at: string; keep: number } {
  const problems: string[] = [];
  const { every, at, keep } = { every: args.everyHours ?? 24, at: args.at ?? "03:00", keep: args.keep ?? 14 };
  if (!(DLM_INTERVAL_HOURS as readonly number[]).includes(every)) problems.push(`everyHours must be one of ${DLM_INTERVAL_HOURS.join(", ")}, got ${every}`);
  if (!TIME_OF_DAY.test(at)) problems.push(`at must be HH:MM (UTC), got ${JSON.stringify(at)}`);
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) problems.push(`keep must be a whole number from 1 to 1000, got ${keep}`);
  if (Object.keys(args.targetTags).length === 0) problems.push("targetTags must name at least one tag");
  if (problems.length > 0) throw new Error(`EbsSnapshotSchedule ${name}: ${problems.join("; ")}`);
  return { every, at, keep };
}

/**
 * Scheduled EBS snapshots with retention, by Amazon Data Lifecycle Manager: a policy that snapshots every
 * volume carrying `targetTags` every `everyHours` from `at` (UTC) and keeps the newest `keep`, run by a role
 * only DLM can assume with AWS's managed DLM policy. Snapshots outlive the volume (they are not deleted with it).
 */
export class EbsSnapshotSchedule extends pulumi.ComponentResource {
  /** Policy ID, `policy-...`. */
  public readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: EbsSnapshotScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:EbsSnapshotSchedule", name, {}, opts);
    const { every, at, keep } = validateSnapshotScheduleArgs(name, args);
    const tags = args.tags ?? {};
    const role = new aws.iam.Role(
      `${name}-dlm`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      { parent: this },
    );
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const attachment = new aws.iam.RolePolicyAttachment(
      `${name}-dlm`,
      // AWS's managed policy for DLM's default role (create, tag and delete snapshots; describe volumes).
      { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole` },
      { parent: this },
    );
    const policy = new aws.dlm.LifecyclePolicy(
      name,
      {
        description: `Snapshots of ${name}`,
        executionRoleArn: role.arn,
        state: "ENABLED",
        policyDetails: {
          policyType: "EBS_SNAPSHOT_MANAGEMENT",
          resourceTypes: ["VOLUME"],
          targetTags: args.targetTags,
          schedules: [
            {
              name: `every ${every}h, keep ${keep}`,
              createRule: { interval: every, intervalUnit: "HOURS", times: at },
              retainRule: { count: keep },
              copyTags: true,
            },
          ],
        },
        tags,
      },
      { parent: this, dependsOn: [attachment] },
    );
    this.policyId = policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
