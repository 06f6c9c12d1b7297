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
/**
 * Every regional AWS resource has a top-level `region` input (@pulumi/aws 7), injected by the provider with a
 * CustomizeDiff interceptor: hashicorp/terraform-provider-aws internal/provider/sdkv2/region.go
 * (forceNewIfRegionValueChanges). IAM and Route 53 records are global and have no such input.
 */
const AWS_REGION_CHANGE = {
  path: "region",
  when: "it changes, except between unset and the provider's own region (internal/provider/sdkv2/region.go forceNewIfRegionValueChanges)",
};

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
  "digitalocean:index/sshKey:SshKey": {
    forceNew: ["publicKey"],
    source: `${DO} digitalocean/sshkey/resource_ssh_key.go`,
    note: "name is updated in place. publicKey has a DiffSuppressFunc: a change in leading or trailing whitespace only is no change.",
  },
  "digitalocean:index/tag:Tag": {
    forceNew: ["name"],
    source: `${DO} digitalocean/tag/resource_tag.go`,
    note: "The resource has no Update: name, its only input, is ForceNew.",
  },
  "docker:index/container:Container": {
    forceNew: ["capabilities", "cgroupParent", "cgroupnsMode", "command", "cpus", "deviceRequests", "devices", "dns", "dnsOpts", "dnsSearches", "domainname", "entrypoints", "envs", "gpus", "groupAdds", "hostname", "hosts", "image", "ipcMode", "labels", "logDriver", "logOpts", "mounts[*].tmpfsOptions", "mounts[*].volumeOptions.subpath", "name", "networkMode", "networksAdvanced", "pidMode", "platform", "ports", "privileged", "publishAllPorts", "readOnly", "runtime", "securityOpts", "shmSize", "stdinOpen", "stopSignal", "stopTimeout", "storageOpts", "sysctls", "tty", "ulimits", "uploads", "user", "usernsMode", "volumes", "workingDir"],
    source: `${DOCKER} internal/provider/resource_docker_container.go and helpers.go (labelSchema: label and value ForceNew); pulumi/pulumi-docker@237b789 provider/resources.go (DeleteBeforeReplace)`,
    note: "mounts is a ForceNew block whose target, source, type and readOnly are not ForceNew: adding or removing a mount replaces, editing one in place does not (terraform-plugin-sdk diffs a ForceNew block's count only).",
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
    forceNew: ["certificateAuthorityArn", "domainName", "keyAlgorithm", "subjectAlternativeNames", "validationMethod", "validationOptions[*].domainName", "validationOptions[*].validationDomain"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@01661ea internal/service/acm/certificate.go`,
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    forceNew: ["certificateArn", "validationRecordFqdns"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@004eea7 internal/service/acm/certificate_validation.go`,
    note: "The resource has no Update: every input is ForceNew.",
  },
  "aws:autoscaling/group:Group": {
    forceNew: ["initialLifecycleHooks", "name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@00a919d internal/service/autoscaling/group.go`,
    note: "launchTemplate, sizes, vpcZoneIdentifiers, instanceRefresh and tags are updated in place (a launch-template change starts an instance refresh, not a replacement). The instance-requirements part of mixedInstancesPolicy was not read.",
  },
  "aws:autoscaling/policy:Policy": {
    forceNew: ["autoscalingGroupName", "name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@007ce0a internal/service/autoscaling/policy.go`,
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    forceNew: ["logGroupClass", "name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0073593 internal/service/logs/group.go`,
    note: "retentionInDays and kmsKeyId are updated in place.",
  },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
    forceNew: ["logGroupName", "name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0f14e6f internal/service/logs/metric_filter.go`,
    note: "pattern, metricTransformation and applyOnTransformedLogs are put in place (PutMetricFilter is both Create and Update).",
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    forceNew: ["name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@055611a internal/service/cloudwatch/metric_alarm.go`,
    note: "Terraform alarm_name is the Pulumi input name.",
  },
  "aws:dlm/lifecyclePolicy:LifecyclePolicy": {
    forceNew: ["policyDetails.schedules[*].copyTags"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS} internal/service/dlm/lifecycle_policy.go (stored aws-sdk-go-v2 version with default_policy, schedule.archive_rule and create_rule.scripts, as in the SDK)`,
    note: "Terraform policy_details.schedule is the Pulumi input policyDetails.schedules. description, executionRoleArn, state, defaultPolicy and the rest of policyDetails (schedule times, retain rules, target tags) are updated in place (UpdateLifecyclePolicy); the resource has no CustomizeDiff of its own.",
  },
  "aws:ebs/volume:Volume": {
    forceNew: ["availabilityZone", "encrypted", "kmsKeyId", "multiAttachEnabled", "outpostArn", "snapshotId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0073593 internal/service/ec2/ebs_volume.go`,
    note: "size, type, iops and throughput are modified in place (ModifyVolume).",
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    forceNew: ["vpcId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@01f4311 internal/service/ec2/vpc_default_security_group.go`,
    note: "ingress/egress rules (securityGroupRuleSetNestedBlock in vpc_security_group.go) have no ForceNew field.",
  },
  "aws:ec2/eip:Eip": {
    forceNew: ["address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0160692 internal/service/ec2/ec2_eip.go`,
  },
  "aws:ec2/internetGateway:InternetGateway": {
    forceNew: [],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@08923b6 internal/service/ec2/vpc_internet_gateway.go`,
    note: "No ForceNew input: vpcId is re-attached in place.",
  },
  "aws:ec2/launchTemplate:LaunchTemplate": {
    forceNew: ["name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@025e4f8 internal/service/ec2/ec2_launch_template.go`,
    note: "Every other input creates a new template version in place (resourceLaunchTemplateUpdate updateKeys).",
  },
  "aws:ec2/natGateway:NatGateway": {
    forceNew: ["allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@04088ea internal/service/ec2/vpc_nat_gateway.go`,
  },
  "aws:ec2/routeTable:RouteTable": {
    forceNew: ["vpcId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0220924 internal/service/ec2/vpc_route_table.go`,
    note: "routes are added, replaced and deleted in place.",
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    forceNew: ["gatewayId", "subnetId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0be71be internal/service/ec2/vpc_route_table_association.go`,
    note: "routeTableId is replaced in place (ReplaceRouteTableAssociation).",
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    forceNew: ["description", "name", "namePrefix", "vpcId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0160692 internal/service/ec2/vpc_security_group.go`,
    note: "ingress/egress rules are updated in place.",
  },
  "aws:ec2/subnet:Subnet": {
    forceNew: ["availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "vpcId"],
    conditional: [AWS_REGION_CHANGE, { path: "ipv6CidrBlock", when: "it changes while assignIpv6AddressOnCreation was true (CustomizeDiff customdiff.ForceNewIf)" }],
    source: `${AWS}@00cda12 internal/service/ec2/vpc_subnet.go`,
  },
  "aws:ec2/vpc:Vpc": {
    forceNew: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
    source: `${AWS}@00081ce internal/service/ec2/vpc_.go`,
    conditional: [AWS_REGION_CHANGE, { path: "instanceTenancy", when: "it changes, except from dedicated to default (resourceVPCCustomizeDiff diff.ForceNew)" }],
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    forceNew: ["dnsOptions.privateDnsPreference", "dnsOptions.privateDnsSpecifiedDomains", "resourceConfigurationArn", "serviceName", "serviceNetworkArn", "serviceRegion", "vpcEndpointType", "vpcId"],
    conditional: [
      AWS_REGION_CHANGE,
      { path: "privateDnsEnabled", when: "it changes on an endpoint whose vpcEndpointType is not Interface (CustomizeDiff diff.ForceNew)" },
    ],
    source: `${AWS}@008db85 internal/service/ec2/vpc_endpoint.go`,
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
    forceNew: ["policy", "repository"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@00a3530 internal/service/ecr/lifecycle_policy.go`,
    note: "The resource has no Update: every input is ForceNew.",
  },
  "aws:ecr/repository:Repository": {
    forceNew: ["encryptionConfigurations", "name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0072eea internal/service/ecr/repository.go`,
    note: "Read in an older (aws-sdk-go v1) version; imageTagMutability and imageScanningConfiguration are updated in place.",
  },
  "aws:ecs/capacityProvider:CapacityProvider": {
    forceNew: ["autoScalingGroupProvider.autoScalingGroupArn", "cluster", "managedInstancesProvider.instanceLaunchTemplate.capacityOptionType", "name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0094628 internal/service/ecs/capacity_provider.go`,
    note: "autoScalingGroupProvider and managedInstancesProvider are ForceNew blocks: adding or removing one replaces; managedScaling, managedDraining and managedTerminationProtection are updated in place.",
  },
  "aws:ecs/cluster:Cluster": {
    forceNew: ["name"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@00a3530 internal/service/ecs/cluster.go`,
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
    forceNew: ["clusterName"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0619e62 internal/service/ecs/cluster_capacity_providers.go`,
    note: "Read in an older (aws-sdk-go v1) version.",
  },
  "aws:ecs/service:Service": {
    forceNew: ["cluster", "iamRole", "launchType", "name", "schedulingStrategy"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS} internal/service/ecs/service.go (stored version marked @Testing(preIdentityVersion="v6.33.0"))`,
    note: "taskDefinition, desiredCount, loadBalancers and networkConfiguration are updated in place. In this version a capacityProviderStrategies change is an update that CustomizeDiff rejects unless forceNewDeployment is true (older versions forced replacement).",
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    forceNew: ["containerDefinitions", "cpu", "ephemeralStorage", "executionRoleArn", "family", "ipcMode", "memory", "networkMode", "pidMode", "placementConstraints", "proxyConfiguration", "requiresCompatibilities", "runtimePlatform", "taskRoleArn", "volumes"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@04fc21d internal/service/ecs/task_definition.go`,
    note: "Read in an older (aws-sdk-go v1) version: inputs added since (enableFaultInjection, trackLatest) are not covered. Only tags and skipDestroy are updated in place there.",
  },
  "aws:iam/instanceProfile:InstanceProfile": {
    forceNew: ["name", "namePrefix", "path"],
    source: `${AWS}@013f173 internal/service/iam/instance_profile.go`,
    note: "role is swapped in place.",
  },
  "aws:iam/role:Role": {
    forceNew: ["name", "namePrefix", "path"],
    source: `${AWS}@0040ea6 internal/service/iam/role.go`,
    note: "assumeRolePolicy, description and policies are updated in place.",
  },
  "aws:iam/rolePolicy:RolePolicy": {
    forceNew: ["name", "namePrefix", "role"],
    source: `${AWS}@02f97af internal/service/iam/role_policy.go`,
    note: "policy is put in place.",
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    forceNew: ["policyArn", "role"],
    source: `${AWS}@04c7984 internal/service/iam/role_policy_attachment.go`,
    note: "The resource has no Update: every input is ForceNew.",
  },
  "aws:lambda/function:Function": {
    forceNew: ["name", "packageType", "tenancyConfig"],
    conditional: [
      { path: "durableConfig", when: "it is added or removed (CustomizeDiff customdiff.ForceNewIfChange on durable_config)" },
      AWS_REGION_CHANGE,
    ],
    source: `${AWS}@0156d84 internal/service/lambda/function.go`,
    note: "Terraform function_name is the Pulumi input name; code (Terraform filename), runtime, handler, environment, vpcConfig and role are updated in place.",
  },
  "aws:lambda/invocation:Invocation": {
    forceNew: ["functionName", "qualifier", "triggers"],
    conditional: [
      { path: "input", when: "it changes while lifecycleScope is CREATE_ONLY, the default (CustomizeDiff customizeDiffInputChangeWithCreateOnlyScope)" },
      AWS_REGION_CHANGE,
    ],
    source: `${AWS}@0133e9e internal/service/lambda/invocation.go`,
    note: "Creating (or replacing) the invocation invokes the function; with lifecycleScope CRUD an input change is an update that invokes it too.",
  },
  "aws:lb/listener:Listener": {
    forceNew: ["loadBalancerArn"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@01c0800 internal/service/elbv2/listener.go`,
    note: "port, protocol, certificateArn and defaultActions (colour weights) are modified in place. Read in an older (aws-sdk-go v1) version.",
  },
  "aws:lb/listenerRule:ListenerRule": {
    forceNew: ["listenerArn"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@032c4f0 internal/service/elbv2/listener_rule.go`,
    note: "priority is explicitly ForceNew: false (SetRulePriorities); actions, conditions and transforms are modified in place.",
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    forceNew: ["customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"],
    conditional: [
      AWS_REGION_CHANGE,
      { path: "subnetMappings", when: "on an application LB, a mapping changes without the count changing, or remaining mappings change while some are added or removed (customizeDiffLoadBalancerALB)" },
      { path: "subnets", when: "on a network LB, the number of subnets does not grow (customizeDiffLoadBalancerNLB)" },
      { path: "securityGroups", when: "on a network LB, it goes from empty to non-empty or back (customizeDiffLoadBalancerNLB)" },
    ],
    source: `${AWS}@00edc94 internal/service/elbv2/load_balancer.go`,
  },
  "aws:lb/targetGroup:TargetGroup": {
    forceNew: ["ipAddressType", "name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@013cfb4 internal/service/elbv2/target_group.go`,
    note: "healthCheck and stickiness are modified in place; the CustomizeDiffs only validate.",
  },
  "aws:rds/instance:Instance": {
    forceNew: ["availabilityZone", "backupTarget", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "s3Import.bucketName", "s3Import.bucketPrefix", "s3Import.ingestionRole", "s3Import.sourceEngine", "s3Import.sourceEngineVersion", "snapshotIdentifier", "storageEncrypted", "timezone", "username"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS} internal/service/rds/instance.go (stored v5-line version: SchemaVersion 2, with blue_green_update)`,
    note: "instanceClass, allocatedStorage, engineVersion, storageType and identifier are modified in place (identifier was ForceNew in v4). restoreToPointInTime is a ForceNew block whose fields are not: any change under it is counted (over-approximation). Inputs added after this version are not covered.",
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    forceNew: ["description", "family", "name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@0160692 internal/service/rds/parameter_group.go`,
    note: "Terraform parameter (a set) is the Pulumi input parameters: added or changed parameters are modified in place (ModifyDBParameterGroup), removed ones reset (ResetDBParameterGroup).",
  },
  "aws:rds/snapshot:Snapshot": {
    forceNew: ["dbInstanceIdentifier", "dbSnapshotIdentifier"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@1ea7660 internal/service/rds/snapshot.go`,
    note: "sharedAccounts is modified in place (ModifyDBSnapshotAttribute); every other attribute is computed. A new snapshot is taken only on replacement.",
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    forceNew: ["name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@01c0800 internal/service/rds/subnet_group.go`,
    note: "subnetIds and description are modified in place.",
  },
  "aws:route53/record:Record": {
    forceNew: ["name", "zoneId"],
    source: `${AWS}@00655c1 internal/service/route53/record.go`,
    note: "type, records, ttl and aliases are upserted in place.",
  },
  "aws:s3/bucketObject:BucketObject": {
    forceNew: ["bucket", "key"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@01c0800 internal/service/s3/bucket_object.go, checked against a stored aws-sdk-go-v2 version (@SDKResource("aws_s3_bucket_object", name="Bucket Object"))`,
    note: "aws:s3/bucketObject is the deprecated aws_s3_bucket_object (aws_s3_object is BucketObjectv2: this SDK type has neither its checksumAlgorithm nor overrideProvider). A content, source, etag or metadata change re-uploads the object in place (hasBucketObjectContentChanges); the CustomizeDiff only marks versionId and etag as computed.",
  },
  "aws:sns/topic:Topic": {
    forceNew: ["fifoTopic", "name", "namePrefix"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@00a3530 internal/service/sns/topic.go`,
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    forceNew: ["endpoint", "protocol", "topic"],
    conditional: [AWS_REGION_CHANGE],
    source: `${AWS}@04a2e6e internal/service/sns/topic_subscription.go`,
    note: "Terraform topic_arn is the Pulumi input topic.",
  },
  "aws:ssm/parameter:Parameter": {
    forceNew: ["dataType", "name"],
    conditional: [
      AWS_REGION_CHANGE,
      { path: "tier", when: "it changes from Advanced to Standard (CustomizeDiff customdiff.ForceNewIfChange)" },
    ],
    source: `${AWS}@0073593 internal/service/ssm/parameter.go`,
    note: "value, type, description and tier upgrades are put in place.",
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
    forceNew: ["region"],
    source: "pulumi/pulumi-aws@00ba5ea provider/resources.go (Config: region has ForcesProviderReplace: tfbridge.True()); pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go",
    note: "Read in a v6-line pulumi-aws; every other provider input (defaultTags, profile, credentials) updates the provider in place.",
  },
  "command:local:Command": {
    // The only input tagged provider:"replaceOnChanges" (common.ResourceInputs, embedded in local.CommandInputs);
    // local.Command has no custom Diff, so any other input change runs `update` (or `create`) again.
    forceNew: ["triggers"],
    source: "pulumi/pulumi-command@v1.2.1 provider/pkg/provider/local/command.go (CommandInputs embeds common.ResourceInputs), provider/pkg/provider/common/inputs.go and provider/cmd/pulumi-resource-command/schema.json",
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

function ruleFor(type: string, rules: Readonly<Record<string, ReplacementRule>>): ReplacementRule {
  const rule = rules[type];
  if (rule === undefined) throw new ReplacementRuleError(type, "unknown-type");
  if (rule.unverified) throw new ReplacementRuleError(type, "unverified");
  return rule;
}

/**
 * Which of `changedPaths` (dotted input paths, array indices as `[0]`) force a resource of `type` to be replaced,
 * in their given order. Conditional rules are not included: see {@link conditionalReplacements}.
 * Throws {@link ReplacementRuleError} for a type without a verified entry (component types included: they are
 * never replaced by a provider and have no entry), so that an unknown type is never reported as an update.
 * `rules` defaults to {@link REPLACEMENT_RULES}.
 */
export function forcesReplacement(
  type: string,
  changedPaths: string[],
  rules: Readonly<Record<string, ReplacementRule>> = REPLACEMENT_RULES,
): string[] {
  const rule = ruleFor(type, rules);
  return changedPaths.filter((changed) => rule.forceNew.some((forcing) => touches(changed, forcing)));
}

/** Changed paths that force replacement only for some values, with the condition, for the plan to show as "may replace". */
export function conditionalReplacements(
  type: string,
  changedPaths: string[],
  rules: Readonly<Record<string, ReplacementRule>> = REPLACEMENT_RULES,
): { path: string; when: string }[] {
  const rule = ruleFor(type, rules);
  return changedPaths.flatMap((changed) =>
    (rule.conditional ?? []).filter((c) => touches(changed, c.path)).map((c) => ({ path: changed, when: c.when })));
}
