import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderInstanceBootScript } from "./ecs-instance-boot-script";
import { SESSION_MANAGER_STATEMENTS } from "./session-manager-policy";

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";
/**
 * ECS-optimised Amazon Linux 2023 as AWS publishes it, resolved by EC2 at each launch (EC2 Auto Scaling
 * user guide, using-systems-manager-parameters): the template never changes when AWS publishes a new
 * AMI, so an unrelated `up` never replaces the instance. A new instance (refresh, failure) takes the
 * newest AMI.
 */
export const ECS_AMI = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/** A port opened to a list of networks only. */
export interface RestrictedPort {
  port: number;
  /** Networks allowed (IPv4 or IPv6 CIDR). Empty: the port stays closed. */
  cidrs: readonly string[];
}

/** A data volume the container instance attaches and mounts at boot. */
export interface InstanceDataVolume {
  /** Volume ID, `vol-...`. */
  volumeId: pulumi.Input<string>;
  /** Volume ARN: the instance role may attach exactly this volume. */
  volumeArn: pulumi.Input<string>;
  /** Mount point on the instance. */
  mountPath: string;
  /** Directories created under the mount point (relative). Default: none. */
  subdirectories?: string[];
  /** Label of a newly created filesystem. Default: "data". */
  filesystemLabel?: string;
}

/** Arguments of {@link EcsEc2Cluster}. */
export interface EcsEc2ClusterArgs {
  /** Availability zone of the container instance (the data volume's zone); its default-VPC subnet is used. */
  availabilityZone: string;
  /** EC2 instance type of the container instance. */
  instanceType: string;
  /** TCP ports open to the whole internet. Default: none. */
  publicPorts?: number[];
  /** TCP ports open only to given networks; a port with no networks is not opened. Default: none. */
  restrictedPorts?: RestrictedPort[];
  /** Volume attached and mounted before the instance joins the cluster. Default: none. */
  dataVolume?: InstanceDataVolume;
  /** Give the service a stable Elastic IP that every replacement instance takes over. Default: true. */
  elasticIp?: boolean;
  /**
   * AMI of the container instance: an AMI ID (pinned, rolled on purpose) or `resolve:ssm:<parameter>`,
   * resolved at each launch. Default: {@link ECS_AMI}, the recommended ECS-optimised Amazon Linux 2023.
   */
  imageId?: string;
  /** Root volume size in GiB (the ECS AMI needs at least 30). Default: 30. */
  rootVolumeGiB?: number;
  /** Tags of every child resource and of the instance. Default: none. */
  tags?: Record<string, string>;
}

/** Instance attribute naming the mounted data volume: tasks can be constrained to it. */
export const DATA_VOLUME_ATTRIBUTE = "data-volume";

/**
 * An ECS cluster with EC2 capacity: one container instance of the ECS-optimised AMI in one zone of
 * the default VPC, in an auto-scaling group of exactly one (a lost instance is replaced), registered
 * through a capacity provider. With a data volume, each instance attaches and mounts it at boot
 * with its own role before joining; tasks constrained to {@link EcsEc2Cluster.volumePlacement} run
 * only where the volume is mounted.
 */
export class EcsEc2Cluster extends pulumi.ComponentResource {
  /** Cluster ARN. */
  public readonly clusterArn: pulumi.Output<string>;
  /** Cluster name. */
  public readonly clusterName: pulumi.Output<string>;
  /**
   * Capacity provider to name in a service's strategy. Known only once the provider is associated
   * with the cluster, so a service naming it is created after the association (AWS staff in
   * aws/containers-roadmap#631: CreateService fails on a capacity provider not yet associated).
   */
  public readonly capacityProviderName: pulumi.Output<string>;
  /** Security group of the container instance. */
  public readonly securityGroupId: pulumi.Output<string>;
  /** The stable public IPv4 address, when `elasticIp` is on. */
  public readonly publicIp?: pulumi.Output<string>;
  /** `memberOf` expression for tasks that need the data volume mounted, when there is one. */
  public readonly volumePlacement?: pulumi.Output<string>;
  /** Name of the instance's auto-scaling group (what operator commands reach the instance through). */
  public readonly autoScalingGroupName: pulumi.Output<string>;

  constructor(name: string, args: EcsEc2ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:EcsEc2Cluster", name, {}, opts);
    validateClusterArgs(name, args);
    const tags = args.tags ?? {};
    const invoke = { parent: this };

    const partition = aws.getPartitionOutput({}, invoke).partition;
    const region = aws.getRegionOutput({}, invoke).region;
    const accountId = aws.getCallerIdentityOutput({}, invoke).accountId;
    const vpc = aws.ec2.getVpcOutput({ default: true }, invoke);
    const subnet = aws.ec2.getSubnetOutput({ vpcId: vpc.id, availabilityZone: args.availabilityZone, defaultForAz: true }, invoke);

    const cluster = new aws.ecs.Cluster(name, { settings: [{ name: "containerInsights", value: "disabled" }], tags }, { parent: this });

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-instance`,
      {
        description: `Container instance of ${name}`,
        vpcId: vpc.id,
        ingress: [
          ...(args.publicPorts ?? []).map((port) => ({
            description: "public",
            protocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrBlocks: [ANYWHERE_V4],
            ipv6CidrBlocks: [ANYWHERE_V6],
          })),
          ...(args.restrictedPorts ?? [])
            .filter((r) => r.cidrs.length > 0)
            .map((r) => ({
              description: "admin networks only",
              protocol: "tcp",
              fromPort: r.port,
              toPort: r.port,
              cidrBlocks: r.cidrs.filter((c) => !c.includes(":")),
              ipv6CidrBlocks: r.cidrs.filter((c) => c.includes(":")),
            })),
        ],
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [ANYWHERE_V4], ipv6CidrBlocks: [ANYWHERE_V6] }],
        tags,
      },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-instance`,
      { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }), tags },
      { parent: this },
    );
    // The ECS agent's permissions (the AWS managed policy: container instance registration, image
    // pulls, logs; no parameter, secret or object reads).
    new aws.iam.RolePolicyAttachment(
      `${name}-instance-ecs`,
      { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role` },
      { parent: this },
    );
    // Session Manager instead of SSH keys and an open port 22, without AmazonSSMManagedInstanceCore,
    // which may read every parameter of the account. The host needs no parameter: the tasks' secrets
    // reach them through the execution role.
    new aws.iam.RolePolicy(
      `${name}-instance-session-manager`,
      { role: role.name, policy: JSON.stringify({ Version: "2012-10-17", Statement: SESSION_MANAGER_STATEMENTS }) },
      { parent: this },
    );

    // Instances launched by this group carry this tag: the role may act only on them.
    const memberTag = { key: "platform-cluster", value: name };
    const instanceArns = pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:instance/*`;
    const onMemberInstances = { StringEquals: { [`aws:ResourceTag/${memberTag.key}`]: memberTag.value } };

    let eip: aws.ec2.Eip | undefined;
    if (args.elasticIp ?? true) {
      eip = new aws.ec2.Eip(`${name}-address`, { domain: "vpc", tags }, { parent: this });
      this.publicIp = eip.publicIp;
    }

    const statements: Record<string, unknown>[] = [];
    if (args.dataVolume) {
      statements.push(
        { Sid: "SeeVolumeState", Effect: "Allow", Action: ["ec2:DescribeVolumes"], Resource: "*" },
        { Sid: "AttachTheDataVolume", Effect: "Allow", Action: ["ec2:AttachVolume"], Resource: [args.dataVolume.volumeArn] },
        { Sid: "AttachToMemberInstances", Effect: "Allow", Action: ["ec2:AttachVolume"], Resource: [instanceArns], Condition: onMemberInstances },
      );
    }
    if (eip) {
      const eipArn = pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:elastic-ip/${eip.allocationId}`;
      statements.push(
        { Sid: "TakeTheAddress", Effect: "Allow", Action: ["ec2:AssociateAddress"], Resource: [eipArn] },
        { Sid: "TakeAddressOnMemberInstances", Effect: "Allow", Action: ["ec2:AssociateAddress"], Resource: [instanceArns], Condition: onMemberInstances },
      );
    }
    const bootPolicy =
      statements.length > 0
        ? new aws.iam.RolePolicy(
            `${name}-instance-boot`,
            { role: role.name, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
            { parent: this },
          )
        : undefined;
    const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name, tags }, { parent: this });

    const dataVolume = args.dataVolume;
    const userData = dataVolume
      ? pulumi
          .all([region, cluster.name, dataVolume.volumeId, eip ? eip.allocationId : pulumi.output(undefined)])
          .apply(([regionName, clusterName, volumeId, allocationId]) =>
            renderInstanceBootScript({
              region: regionName,
              clusterName,
              volumeId,
              mountPath: dataVolume.mountPath,
              subdirectories: dataVolume.subdirectories ?? [],
              deviceName: "/dev/xvdf",
              filesystemLabel: dataVolume.filesystemLabel ?? "data",
              volumeAttribute: DATA_VOLUME_ATTRIBUTE,
              elasticIpAllocationId: allocationId,
            }),
          )
      : pulumi.interpolate`#!/bin/bash\necho ECS_CLUSTER=${cluster.name} >> /etc/ecs/ecs.config\n`;
    this.volumePlacement = dataVolume ? pulumi.interpolate`attribute:${DATA_VOLUME_ATTRIBUTE} == ${dataVolume.volumeId}` : undefined;

    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-instance`,
      {
        imageId: args.imageId ?? ECS_AMI,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: [securityGroup.id],
        userData: userData.apply((script) => Buffer.from(script).toString("base64")),
        // IMDSv2 with one hop: containers in bridge mode cannot borrow the instance role.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: args.rootVolumeGiB ?? 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ],
        tagSpecifications: [{ resourceType: "instance", tags: { Name: name, ...tags } }],
        updateDefaultVersion: true,
        tags,
      },
      { parent: this },
    );

    const group = new aws.autoscaling.Group(
      `${name}-instances`,
      {
        minSize: 1,
        maxSize: 1,
        desiredCapacity: 1,
        vpcZoneIdentifiers: [subnet.id],
        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
        healthCheckType: "EC2",
        // One instance at a time: the old one lets go of the volume before the new one attaches it.
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0, maxHealthyPercentage: 100 } },
        tags: [
          { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
          { key: memberTag.key, value: memberTag.value, propagateAtLaunch: true },
          ...Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        ],
      },
      { parent: this, dependsOn: bootPolicy ? [bootPolicy] : [] },
    );

    const capacityProvider = new aws.ecs.CapacityProvider(
      `${name}-capacity`,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: "DISABLED",
          managedScaling: { status: "DISABLED" },
        },
        tags,
      },
      { parent: this },
    );
    const association = new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      {
        clusterName: cluster.name,
        capacityProviders: [capacityProvider.name],
        defaultCapacityProviderStrategies: [{ capacityProvider: capacityProvider.name, base: 1, weight: 1 }],
      },
      { parent: this },
    );

    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    // Carries the association as a dependency, so whatever names the capacity provider waits for it.
    this.capacityProviderName = pulumi.all([capacityProvider.name, association.id]).apply(([providerName]) => providerName);
    this.autoScalingGroupName = group.name;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({
      clusterArn: this.clusterArn,
      clusterName: this.clusterName,
      capacityProviderName: this.capacityProviderName,
      securityGroupId: this.securityGroupId,
      publicIp: this.publicIp,
      volumePlacement: this.volumePlacement,
    });
  }
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

/** Throws naming the first bad argument. Exported for table tests. */
export function validateClusterArgs(name: string, args: EcsEc2ClusterArgs): void {
  if (!/^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$/.test(args.availabilityZone)) {
    throw new Error(`EcsEc2Cluster ${name}: availabilityZone must be a zone name such as eu-central-1a, got ${JSON.stringify(args.availabilityZone)}`);
  }
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(args.instanceType)) {
    throw new Error(`EcsEc2Cluster ${name}: instanceType must be an EC2 instance type such as t3.small, got ${JSON.stringify(args.instanceType)}`);
  }
  for (const port of args.publicPorts ?? []) {
    if (!isPort(port)) throw new Error(`EcsEc2Cluster ${name}: publicPorts must hold TCP ports 1-65535, got ${port}`);
  }
  for (const r of args.restrictedPorts ?? []) {
    if (!isPort(r.port)) throw new Error(`EcsEc2Cluster ${name}: restrictedPorts must hold TCP ports 1-65535, got ${r.port}`);
    if ((args.publicPorts ?? []).includes(r.port)) {
      throw new Error(`EcsEc2Cluster ${name}: restrictedPorts port ${r.port} is also in publicPorts`);
    }
    for (const c of r.cidrs) {
      if (c === ANYWHERE_V4 || c === ANYWHERE_V6) {
        throw new Error(`EcsEc2Cluster ${name}: restrictedPorts[${r.port}].cidrs must not include ${c}; use publicPorts for a public port`);
      }
    }
  }
  if (args.imageId !== undefined && !/^(ami-[0-9a-f]{8,17}|resolve:ssm:\/\S+)$/.test(args.imageId)) {
    throw new Error(`EcsEc2Cluster ${name}: imageId must be an AMI ID or resolve:ssm:<parameter>, got ${JSON.stringify(args.imageId)}`);
  }
  const root = args.rootVolumeGiB ?? 30;
  if (!Number.isInteger(root) || root < 30) throw new Error(`EcsEc2Cluster ${name}: rootVolumeGiB must be a whole number of at least 30, got ${root}`);
  if (args.dataVolume && !args.dataVolume.mountPath.startsWith("/")) {
    throw new Error(`EcsEc2Cluster ${name}: dataVolume.mountPath must be absolute, got ${JSON.stringify(args.dataVolume.mountPath)}`);
  }
}
