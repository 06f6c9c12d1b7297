import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SESSION_MANAGER_STATEMENTS } from "./session-manager-policy";

/** A TCP port opened to one source security group. */
export interface FleetIngress {
  port: number;
  /** Security group allowed to connect (e.g. a load balancer's). */
  fromSecurityGroupId: pulumi.Input<string>;
  /** Shown in the console. */
  description: string;
}

/** An Allow statement added to the instance role. */
export interface FleetPolicyStatement {
  actions: string[];
  resources: pulumi.Input<string>[];
}

/** Arguments of {@link Fleet}. */
export interface FleetArgs {
  /** VPC of the instances. */
  vpcId: pulumi.Input<string>;
  /** Private subnets the group launches into. Must not be empty. */
  subnetIds: pulumi.Input<string>[];
  /** EC2 instance type such as "t3.small". */
  instanceType: string;
  /** AMI ID, or `resolve:ssm:<parameter>` resolved by EC2 at each launch. */
  imageId: string;
  /** Cloud-init user data as plain text (base64-encoded here). Must hold no secret. */
  userData: pulumi.Input<string>;
  /** Fewest instances, 0 or more. */
  minSize: number;
  /** Most instances, at least `minSize`. */
  maxSize: number;
  /** Instances at creation, between min and max. Later changes come from the scaling policy. */
  desiredCapacity: number;
  /** Target groups to register with; when given, the group uses ELB health checks. Default: none (EC2 checks). */
  targetGroupArns?: pulumi.Input<string>[];
  /** Seconds after launch before health checks count. Default: 300. */
  healthCheckGraceSeconds?: number;
  /** Average CPU percent kept by a target-tracking policy. Default: no scaling policy (fixed size). */
  targetCpuPercent?: number;
  /** Inbound TCP rules. Default: none (no inbound traffic at all; admin access is SSM Session Manager). */
  ingress?: FleetIngress[];
  /** Further security groups of the instances (e.g. a database's client group). Default: none. */
  securityGroupIds?: pulumi.Input<string>[];
  /** Extra Allow statements of the instance role, beside SSM Session Manager and its log group. Default: none. */
  policyStatements?: FleetPolicyStatement[];
  /** CloudWatch Logs group created for the instances' containers. */
  logGroupName: string;
  /** Days the log group keeps events. Default: 30. */
  logRetentionDays?: number;
  /** IMDSv2 hop limit: 1 keeps containers away from the role's credentials, 2 lets them use it. Default: 1. */
  metadataHopLimit?: 1 | 2;
  /** Root volume size in GiB (encrypted gp3). Default: 20. */
  rootVolumeGiB?: number;
  /** Tags of the group, its instances and volumes, beside the provider's default tags. Default: none. */
  tags?: Record<string, string>;
}

/** Checks {@link FleetArgs}; throws naming every bad argument. */
export function validateFleetArgs(name: string, args: FleetArgs): void {
  const problems: string[] = [];
  const whole = (key: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) problems.push(`args.${key} must be a whole number from ${min} to ${max}, got ${v}`);
  };
  if (args.subnetIds.length === 0) problems.push("args.subnetIds must name at least one subnet");
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(args.instanceType)) problems.push(`args.instanceType must be an instance type such as t3.small, got ${JSON.stringify(args.instanceType)}`);
  if (!/^(ami-[0-9a-f]{8,17}|resolve:ssm:\/\S+)$/.test(args.imageId)) problems.push(`args.imageId must be an AMI ID or resolve:ssm:<parameter>, got ${JSON.stringify(args.imageId)}`);
  whole("minSize", args.minSize, 0, 1000);
  whole("maxSize", args.maxSize, Math.max(args.minSize, 0), 1000);
  whole("desiredCapacity", args.desiredCapacity, args.minSize, Math.max(args.maxSize, args.minSize));
  whole("healthCheckGraceSeconds", args.healthCheckGraceSeconds ?? 300, 0, 7200);
  if (args.targetCpuPercent !== undefined) whole("targetCpuPercent", args.targetCpuPercent, 1, 100);
  whole("rootVolumeGiB", args.rootVolumeGiB ?? 20, 8, 16384);
  for (const [i, rule] of (args.ingress ?? []).entries()) whole(`ingress[${i}].port`, rule.port, 1, 65535);
  if (!/^[A-Za-z0-9_./#-]{1,512}$/.test(args.logGroupName)) problems.push(`args.logGroupName must be a CloudWatch Logs group name, got ${JSON.stringify(args.logGroupName)}`);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/**
 * How an instance refresh replaces instances (percentages of the desired capacity, AWS API reference
 * InstanceMaintenancePolicy / RefreshPreferences):
 * - a group of at most one (a daemon that must never run twice) terminates first, 0 % / 100 %: with
 *   100 % / 200 % it would have to run a second copy, beyond its maximum of one;
 * - larger groups launch first, 100 % / 200 %, and keep full capacity.
 * `autoRollback` only with an AMI ID: AWS does not roll back a launch template whose ImageId is a
 * Systems Manager parameter (API reference RollbackInstanceRefresh; user guide instance-refresh-rollback).
 */
export function refreshPreferences(args: Pick<FleetArgs, "maxSize" | "imageId">): aws.types.input.autoscaling.GroupInstanceRefreshPreferences {
  const rollback = !args.imageId.startsWith("resolve:ssm:");
  return args.maxSize <= 1
    ? { minHealthyPercentage: 0, maxHealthyPercentage: 100, autoRollback: rollback }
    : { minHealthyPercentage: 100, maxHealthyPercentage: 200, autoRollback: rollback };
}

/**
 * An auto-scaling group of private instances from a launch template: no public IP, no SSH, IMDSv2
 * only, encrypted root volume, an instance role with SSM Session Manager and its own log group,
 * rolling instance refresh whenever the launch template changes, and an optional CPU target.
 */
export class Fleet extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly groupName: pulumi.Output<string>;
  public readonly launchTemplateId: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Fleet", name, {}, opts);
    validateFleetArgs(name, args);
    const tags = args.tags ?? {};

    const securityGroup = new aws.ec2.SecurityGroup(
      name,
      {
        vpcId: args.vpcId,
        description: `Instances of ${name}`,
        ingress: (args.ingress ?? []).map((rule) => ({
          description: rule.description,
          protocol: "tcp",
          fromPort: rule.port,
          toPort: rule.port,
          securityGroups: [rule.fromSecurityGroupId],
        })),
        // Out through NAT: image pulls, package updates, SSM, CloudWatch, SMTP.
        egress: [{ description: "outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        tags,
      },
      { parent: this },
    );
    this.securityGroupId = securityGroup.id;

    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays ?? 30, tags },
      { parent: this },
    );
    this.logGroupName = logGroup.name;

    const role = new aws.iam.Role(
      name,
      {
        description: `Instances of ${name}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      { parent: this },
    );
    this.roleName = role.name;
    // Session Manager without AmazonSSMManagedInstanceCore, which may read every parameter of the
    // account: the instances read only the parameter paths args.policyStatements grant.
    const statements: FleetPolicyStatement[] = [
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:*`] },
      ...(args.policyStatements ?? []),
    ];
    new aws.iam.RolePolicy(
      name,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [...SESSION_MANAGER_STATEMENTS, ...statements.map((s) => ({ Effect: "Allow", Action: s.actions, Resource: s.resources }))],
        }),
      },
      { parent: this },
    );
    const profile = new aws.iam.InstanceProfile(name, { role: role.name, tags }, { parent: this });

    const launchTemplate = new aws.ec2.LaunchTemplate(
      name,
      {
        description: `Instances of ${name}`,
        imageId: args.imageId,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        userData: pulumi.output(args.userData).apply((text) => Buffer.from(text, "utf8").toString("base64")),
        networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: [securityGroup.id, ...(args.securityGroupIds ?? [])] }],
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: args.metadataHopLimit ?? 1 },
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: args.rootVolumeGiB ?? 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags: { Name: name, ...tags } },
          { resourceType: "volume", tags: { Name: name, ...tags } },
        ],
        updateDefaultVersion: true,
        tags,
      },
      { parent: this },
    );
    this.launchTemplateId = launchTemplate.id;

    const elb = (args.targetGroupArns ?? []).length > 0;
    const group = new aws.autoscaling.Group(
      name,
      {
        vpcZoneIdentifiers: args.subnetIds,
        minSize: args.minSize,
        maxSize: args.maxSize,
        desiredCapacity: args.desiredCapacity,
        // A concrete version (not $Latest), so a new template version starts an instance refresh.
        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
        targetGroupArns: args.targetGroupArns ?? [],
        healthCheckType: elb ? "ELB" : "EC2",
        healthCheckGracePeriod: args.healthCheckGraceSeconds ?? 300,
        instanceRefresh: { strategy: "Rolling", preferences: refreshPreferences(args) },
        enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMinSize", "GroupMaxSize"],
        metricsGranularity: "1Minute",
        tags: Object.entries({ Name: name, ...tags }).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      },
      // With a scaling policy the policy owns the current size; config sets it at creation only.
      { parent: this, ignoreChanges: args.targetCpuPercent !== undefined ? ["desiredCapacity"] : [] },
    );
    this.groupName = group.name;

    if (args.targetCpuPercent !== undefined) {
      new aws.autoscaling.Policy(
        `${name}-cpu`,
        {
          autoscalingGroupName: group.name,
          policyType: "TargetTrackingScaling",
          targetTrackingConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
            targetValue: args.targetCpuPercent,
          },
        },
        { parent: this },
      );
    }

    this.registerOutputs({ securityGroupId: this.securityGroupId, groupName: this.groupName, launchTemplateId: this.launchTemplateId });
  }
}
