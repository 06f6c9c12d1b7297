/** Required tags on taggable AWS resources: app, stack, and colour on colour-specific resources. */
import { COLOURS } from "../../config/primitives";
import { colourOf } from "./colour";
import { asRecord, asString, isRecord, jsonInput, type ResourcePolicy, type Subject } from "./model";

/**
 * AWS types the apps use that take tags, checked even when the program passed no `tags`. Any other
 * `aws:` resource is checked when it has a `tags` input. (A resource that could take tags but is not
 * listed here and was given none is not seen: extend this list when an app adds a new type.)
 */
export const TAGGABLE_AWS_TYPES: ReadonlySet<string> = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ebs/volume:Volume",
  "aws:autoscaling/group:Group",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:lb/listener:Listener",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:ecr/repository:Repository",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/service:Service",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:iam/role:Role",
  "aws:iam/instanceProfile:InstanceProfile",
  "aws:sns/topic:Topic",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:kms/key:Key",
  "aws:secretsmanager/secret:Secret",
  "aws:efs/fileSystem:FileSystem",
  "aws:acm/certificate:Certificate",
  "aws:route53/zone:Zone",
]);

/** Tags as a map, from the map form or the auto-scaling group's list form ([{ key, value }]). */
export function tagMap(value: unknown): Record<string, string> {
  // CrossGuard passes a provider's nested config as JSON text.
  const v = jsonInput(value);
  if (Array.isArray(v)) {
    return Object.fromEntries(
      v.map(asRecord).flatMap((t) => {
        const key = asString(t.key);
        return key === undefined ? [] : [[key, asString(t.value) ?? ""]];
      }),
    );
  }
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).flatMap(([k, val]) => (typeof val === "string" ? [[k, val]] : [])));
}

/** Tags the resource gets: its provider's `defaultTags.tags` overlaid with its own. */
export function effectiveTags(r: Pick<Subject, "inputs" | "providerInputs">): Record<string, string> {
  const providerDefaults = r.providerInputs ? tagMap(asRecord(jsonInput(r.providerInputs.defaultTags)).tags) : {};
  return { ...providerDefaults, ...tagMap(r.inputs.tags) };
}

export function isTaggable(r: Pick<Subject, "type" | "inputs">): boolean {
  return r.type.startsWith("aws:") && (TAGGABLE_AWS_TYPES.has(r.type) || r.inputs.tags !== undefined);
}

export const requiredTags: ResourcePolicy = {
  kind: "resource",
  name: "aws-required-tags",
  description: "Taggable AWS resources carry tags app and stack (= the stack name), and colour on a colour's resources.",
  defaultLevel: "mandatory",
  check: (r, ctx) => {
    if (!isTaggable(r)) return [];
    const tags = effectiveTags(r);
    const missing: string[] = [];
    if (!tags.app) missing.push("app");
    if (!tags.stack) missing.push("stack");
    const colour = colourOf(r.name);
    if (colour && !tags.colour) missing.push("colour");
    const findings = missing.length
      ? [
          {
            message: `missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
            fix: "set the tags on the resource or as defaultTags of the app's aws.Provider: { app: '<app>', stack: pulumi.getStack()" + (colour ? `, colour: '${colour}'` : "") + " }",
          },
        ]
      : [];
    if (tags.stack && tags.stack !== ctx.stack) {
      findings.push({ message: `tag stack is "${tags.stack}" in stack ${ctx.stack}`, fix: "set stack: pulumi.getStack()" });
    }
    if (colour && tags.colour && tags.colour !== colour) {
      findings.push({ message: `tag colour is "${tags.colour}" on a ${colour} resource`, fix: `set colour: '${colour}'` });
    }
    if (tags.colour && !(COLOURS as readonly string[]).includes(tags.colour)) {
      findings.push({ message: `tag colour is "${tags.colour}", not one of ${COLOURS.join(", ")}`, fix: "use blue or green" });
    }
    return findings;
  },
};
