/**
 * Which input changes make the engine replace a resource, per resource type this program registers, as the
 * providers' own schemas say. Data for the offline plan's operation prediction (issue 17, item 3); how the table
 * was built and what is unverified: docs/plan-replacements.md.
 *
 * Paths are dotted Pulumi input paths (camelCase, as in the SDK's `*Args` types), `[*]` standing for any array
 * element. A path is listed once at its shallowest ForceNew level: a change anywhere under it forces replacement.
 */

/** How one resource type decides replacement. */
export interface ReplacementRule {
  /** Input paths whose change always forces replacement (Terraform `ForceNew` / framework `RequiresReplace` / native `replaceOnChanges`). */
  forceNew: string[];
  /** Input paths that force replacement only for some changes (a `CustomizeDiff` calling `ForceNew`, a conditional plan modifier). */
  conditional?: { path: string; when: string }[];
  /** The upstream file(s) the entry was read from: repository, path and tag or commit. */
  source: string;
  /** True when the entry could not be checked against its source: its `forceNew` is empty, not known to be empty. */
  unverified?: true;
  /** What a reader of the entry must know beyond the lists. */
  note?: string;
  /** The Pulumi provider itself sets `DeleteBeforeReplace` for this type: a replacement deletes the old resource first. */
  deleteBeforeReplace?: true;
}

// Upstream sources. Each is the release the pinned @pulumi/<provider> bridges (node_modules/@pulumi/*/package.json),
// or the nearest one that could be read; docs/plan-replacements.md says which is which.
/** @pulumi/digitalocean 4.80.1 bridges terraform-provider-digitalocean v2.99.x: its SDK has v2.99's gpuPartitionMode and subnetUuid. */
const DO = "digitalocean/terraform-provider-digitalocean@v2.99.1";
/** @pulumi/docker 5.2.0 bridges kreuzwerker v4.5.0 (pulumi/pulumi-docker `upstream` submodule = 5074970, tag v4.5.0). */
const DOCKER = "kreuzwerker/terraform-provider-docker@v4.5.0";
const AWS = "hashicorp/terraform-provider-aws";
const AWS_PROVIDER = "pulumi/pulumi-aws provider/resources.go";

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  "digitalocean:index/droplet:Droplet": {
    forceNew: ["dropletAgent", "gpuPartitionMode", "image", "monitoring", "publicNetworking", "region", "sshKeys", "userData", "vpcUuid"],
    conditional: [{ path: "ipv6", when: "it changes from true to false (CustomizeDiff customdiff.ForceNewIfChange)" }],
    source: `${DO} digitalocean/droplet/resource_droplet.go`,
  },
  "digitalocean:index/volume:Volume": {
    forceNew: ["description", "initialFilesystemLabel", "initialFilesystemType", "name", "region", "snapshotId"],
    source: `${DO} digitalocean/volume/resource_volume.go`,
    note: "size is updated in place but can only grow: CustomizeDiff rejects a smaller size (an error, not a replacement).",
  },
  "digitalocean:index/volumeAttachment:VolumeAttachment": {
    forceNew: ["dropletId", "volumeId"],
    source: `${DO} digitalocean/volume/resource_volume_attachment.go`,
  },
  "digitalocean:index/firewall:Firewall": {
    forceNew: [],
    source: `${DO} digitalocean/firewall/resource_firewall.go`,
  },
  "digitalocean:index/domain:Domain": {
    forceNew: ["ipAddress", "name"],
    source: `${DO} digitalocean/domain/resource_domain.go`,
  },
  "digitalocean:index/dnsRecord:DnsRecord": {
    forceNew: ["domain", "type"],
    source: `${DO} digitalocean/domain/resource_record.go`,
  },
  "digitalocean:index/monitorAlert:MonitorAlert": {
    forceNew: [],
    source: `${DO} digitalocean/monitoring/resource_monitor_alert.go`,
  },
  "digitalocean:index/reservedIp:ReservedIp": {
    forceNew: ["region"],
    source: `${DO} digitalocean/reservedip/resource_reserved_ip.go`,
  },
  "digitalocean:index/reservedIpAssignment:ReservedIpAssignment": {
    forceNew: ["dropletId", "ipAddress"],
    source: `${DO} digitalocean/reservedip/resource_reserved_ip_assignment.go`,
  },
  "digitalocean:index/spacesBucket:SpacesBucket": {
    forceNew: ["region"],
    source: `${DO} digitalocean/spaces/resource_spaces_bucket.go`,
  },
  "digitalocean:index/spacesKey:SpacesKey": {
    forceNew: [],
    source: `${DO} digitalocean/spaces/resource_spaces_key.go`,
  },
  "digitalocean:index/uptimeAlert:UptimeAlert": {
    forceNew: [],
    source: `${DO} digitalocean/uptime/resource_uptime_alert.go`,
  },
  "digitalocean:index/uptimeCheck:UptimeCheck": {
    forceNew: [],
    source: `${DO} digitalocean/uptime/resource_uptime_check.go`,
    note: "Only the computed id is ForceNew; no input forces replacement.",
  },
  "digitalocean:index/certificate:Certificate": {
    forceNew: ["certificateChain", "domains", "leafCertificate", "name", "privateKey", "type"],
    source: `${DO} digitalocean/certificate/resource_certificate.go`,
  },
  "digitalocean:index/loadBalancer:LoadBalancer": {
    forceNew: ["ip", "network", "networkStack", "region", "subnetUuid", "type", "vpcUuid"],
    source: `${DO} digitalocean/loadbalancer/resource_loadbalancer.go`,
  },
  "docker:index/container:Container": {
    forceNew: ["capabilities", "cgroupParent", "cgroupnsMode", "command", "cpus", "deviceRequests", "devices", "dns", "dnsOpts", "dnsSearches", "domainname", "entrypoints", "envs", "gpus", "groupAdds", "hostname", "hosts", "image", "ipcMode", "labels", "logDriver", "logOpts", "mounts", "name", "networkMode", "networksAdvanced", "pidMode", "platform", "ports", "privileged", "publishAllPorts", "readOnly", "runtime", "securityOpts", "shmSize", "stdinOpen", "stopSignal", "stopTimeout", "storageOpts", "sysctls", "tty", "ulimits", "uploads", "user", "usernsMode", "volumes", "workingDir"],
    source: `${DOCKER} internal/provider/resource_docker_container.go; pulumi/pulumi-docker provider/resources.go (DeleteBeforeReplace)`,
    deleteBeforeReplace: true,
  },
  "docker:index/network:Network": {
    forceNew: ["attachable", "driver", "ingress", "internal", "ipamConfigs", "ipamDriver", "ipamOptions", "ipv6", "labels", "name", "options"],
    source: `${DOCKER} internal/provider/resource_docker_network.go`,
  },
  "docker:index/volume:Volume": {
    forceNew: ["cluster.group", "cluster.limitBytes", "cluster.requiredBytes", "cluster.scope", "cluster.sharing", "cluster.topologyPreferred", "cluster.topologyRequired", "cluster.type", "driver", "driverOpts", "labels", "name"],
    source: `${DOCKER} internal/provider/resource_docker_volume.go`,
  },
  "docker:index/remoteImage:RemoteImage": {
    forceNew: ["build.additionalContexts", "build.buildArgs", "build.buildId", "build.buildLogFile", "build.builder", "build.cacheFroms", "build.cacheTos", "build.cgroupParent", "build.context", "build.cpuPeriod", "build.cpuQuota", "build.cpuSetCpus", "build.cpuSetMems", "build.cpuShares", "build.dockerfile", "build.extraHosts", "build.forceRemove", "build.isolation", "build.labels", "build.memory", "build.memorySwap", "build.networkMode", "build.noCache", "build.platform", "build.provenance", "build.pullParent", "build.remoteContext", "build.sbom", "build.secrets[*].env", "build.secrets[*].id", "build.secrets[*].src", "build.securityOpts", "build.sessionId", "build.shmSize", "build.squash", "build.suppressOutput", "build.target", "build.ulimits[*].hard", "build.ulimits[*].name", "build.ulimits[*].soft", "build.useLegacyBuilder", "build.version", "name", "platform", "pullTriggers", "triggers"],
    source: `${DOCKER} internal/provider/resource_docker_image.go`,
  },
  "aws:acm/certificate:Certificate": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:autoscaling/group:Group": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:autoscaling/policy:Policy": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ebs/volume:Volume": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/eip:Eip": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/internetGateway:InternetGateway": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/natGateway:NatGateway": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/routeTable:RouteTable": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ec2/subnet:Subnet": {
    forceNew: ["availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "vpcId"],
    conditional: [{ path: "ipv6CidrBlock", when: "it changes while assignIpv6AddressOnCreation was true (CustomizeDiff customdiff.ForceNewIf)" }],
    source: `${AWS}@00cda12 internal/service/ec2/vpc_subnet.go`,
  },
  "aws:ec2/vpc:Vpc": {
    forceNew: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
    source: `${AWS}@00081ce internal/service/ec2/vpc_.go`,
    note: "CustomizeDiff resourceVPCCustomizeDiff (same file) not read: unverified whether it forces replacement for any IPv6 change.",
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecr/repository:Repository": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecs/capacityProvider:CapacityProvider": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecs/cluster:Cluster": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecs/service:Service": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:iam/role:Role": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:iam/rolePolicy:RolePolicy": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:lb/listener:Listener": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:lb/listenerRule:ListenerRule": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:lb/targetGroup:TargetGroup": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:rds/instance:Instance": {
    forceNew: ["availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "identifier", "identifierPrefix", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "s3Import.bucketName", "s3Import.bucketPrefix", "s3Import.ingestionRole", "s3Import.sourceEngine", "s3Import.sourceEngineVersion", "snapshotIdentifier", "storageEncrypted", "timezone", "username"],
    source: `${AWS}@00e4b23 internal/service/rds/instance.go`,
    note: "Read in an older release than @pulumi/aws 7.48.0 bridges (the only stored version): inputs added since (e.g. region, blueGreenUpdate, upgradeStorageConfig) are not covered. instanceClass, allocatedStorage, engineVersion, storageType are updated in place.",
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:route53/record:Record": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:sns/topic:Topic": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  "aws:ssm/parameter:Parameter": {
    forceNew: [],
    source: AWS,
    unverified: true,
    note: "not yet read",
  },
  // Explicit providers. The Terraform bridge's DiffConfig (pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go,
  // configDiffer) replaces a provider only for config keys with ForcesProviderReplace; any other change updates it
  // in place and its resources keep their state. A replaced provider replaces every resource it manages.
  "pulumi:providers:docker": {
    forceNew: [],
    source: "pulumi/pulumi-terraform-bridge@59de6c6 pkg/tfbridge/provider.go (configDiffer.forcesProviderReplace); pulumi/pulumi-docker@237b789 provider/resources.go (Config: host and registry_auth, no ForcesProviderReplace)",
    note: "host is updated in place (see /work/shared/facts/provider-behaviour.md 1.3): the containers are not recreated on a new droplet.",
  },
  "pulumi:providers:aws": {
    forceNew: [],
    source: AWS_PROVIDER,
    unverified: true,
    note: "not yet read",
  },
  "command:remote:Command": {
    // The only input tagged provider:"replaceOnChanges"; every other input change re-runs `update` (or `create`).
    forceNew: ["triggers"],
    source: "pulumi/pulumi-command@v1.2.1 provider/pkg/provider/common/inputs.go (ResourceInputs.Triggers) and provider/cmd/pulumi-resource-command/schema.json",
  },
  "random:index/randomPassword:RandomPassword": {
    forceNew: ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"],
    source: "hashicorp/terraform-provider-random@ad788e2 (v3.9.0+4, the pulumi/pulumi-random `upstream` submodule) internal/provider/resource_password.go passwordSchemaV3",
    note: "keepers: RequiresReplaceIfValuesNotNull (a change that only adds null-valued keys does not replace); overrideSpecial: not when going from \"\" to null.",
  },
  "tls:index/privateKey:PrivateKey": {
    forceNew: ["algorithm", "ecdsaCurve", "rsaBits"],
    source: "hashicorp/terraform-provider-tls@d72d90e (the pulumi/pulumi-tls `upstream` submodule) internal/provider/resource_private_key.go",
  },
};

/** A type with no entry, or an entry that could not be verified: never read as "no input forces replacement". */
export class ReplacementRuleError extends Error {
  constructor(
    readonly type: string,
    readonly reason: "unknown-type" | "unverified",
  ) {
    super(reason === "unknown-type"
      ? `no replacement rule for resource type ${type}: add it to tools/plan/replacement.ts from the provider's schema`
      : `the replacement rule for ${type} is unverified: the plan cannot tell update from replace`);
    this.name = "ReplacementRuleError";
  }
}

/** Segments of a dotted path with array indices, `a.b[3].c` → `["a", "b", "[*]", "c"]`. */
function segments(path: string): string[] {
  return path.replace(/\[(\d+|\*)\]/g, ".[*]").split(".").filter((s) => s !== "");
}

function startsWith(long: string[], short: string[]): boolean {
  return short.length <= long.length && short.every((s, i) => s === long[i]);
}

/**
 * Whether a change at `changed` touches the forcing path `rule`: the change is at or under it (a change inside a
 * ForceNew object or array), or is an ancestor of it (an element or object added, removed or replaced whole,
 * which Terraform also plans as a change of the nested ForceNew field).
 */
function touches(changed: string, rule: string): boolean {
  const c = segments(changed);
  const r = segments(rule);
  return startsWith(c, r) || startsWith(r, c);
}

function ruleFor(type: string): ReplacementRule {
  const rule = REPLACEMENT_RULES[type];
  if (rule === undefined) throw new ReplacementRuleError(type, "unknown-type");
  if (rule.unverified) throw new ReplacementRuleError(type, "unverified");
  return rule;
}

/**
 * Which of `changedPaths` (dotted input paths, array indices as `[0]`) force a resource of `type` to be replaced,
 * in their given order. Conditional rules are not included: see {@link conditionalReplacements}.
 * Throws {@link ReplacementRuleError} for a type without a verified entry (component types included: they are
 * never replaced by a provider and have no entry), so that an unknown type is never reported as an update.
 */
export function forcesReplacement(type: string, changedPaths: string[]): string[] {
  const rule = ruleFor(type);
  return changedPaths.filter((changed) => rule.forceNew.some((forcing) => touches(changed, forcing)));
}

/** Changed paths that force replacement only for some values, with the condition, for the plan to show as "may replace". */
export function conditionalReplacements(type: string, changedPaths: string[]): { path: string; when: string }[] {
  const rule = ruleFor(type);
  return changedPaths.flatMap((changed) =>
    (rule.conditional ?? []).filter((c) => touches(changed, c.path)).map((c) => ({ path: changed, when: c.when })));
}
