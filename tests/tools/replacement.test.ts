/** The replacement table (tools/plan/replacement.ts): matching rules, coverage of every type we register, and facts read in the providers' sources. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { REPLACEMENT_RULES, ReplacementRuleError, conditionalReplacements, forcesReplacement } from "../../tools/plan/replacement";
import { projectRoot } from "../../tools/render/harness";
import { renderOnce } from "../support";

const DROPLET = "digitalocean:index/droplet:Droplet";
const CONTAINER = "docker:index/container:Container";

test("a change under a ForceNew path forces replacement, at any depth and array index", () => {
  // ports is ForceNew as a whole in kreuzwerker's docker_container.
  assert.deepEqual(forcesReplacement(CONTAINER, ["ports[0].external", "restart"]), ["ports[0].external"]);
  // s3Import.bucketName is ForceNew on a nested field only.
  assert.deepEqual(forcesReplacement("aws:rds/instance:Instance", ["s3Import.bucketName"]), ["s3Import.bucketName"]);
  assert.deepEqual(forcesReplacement("docker:index/remoteImage:RemoteImage", ["build.secrets[2].id", "keepLocally"]), ["build.secrets[2].id"]);
});

test("a change to an ancestor of a ForceNew path forces replacement; a sibling of it does not", () => {
  // A whole element or object replaced may change the nested ForceNew field.
  assert.deepEqual(forcesReplacement("aws:rds/instance:Instance", ["s3Import"]), ["s3Import"]);
  assert.deepEqual(forcesReplacement("docker:index/remoteImage:RemoteImage", ["build.secrets[0]"]), ["build.secrets[0]"]);
  // A prefix of a name is not a path prefix.
  assert.deepEqual(forcesReplacement(DROPLET, ["regionX", "imageId", "userDataHash"]), []);
});

test("changes that do not force replacement are updates", () => {
  assert.deepEqual(forcesReplacement(DROPLET, ["size", "tags[0]", "name"]), []);
  assert.deepEqual(forcesReplacement(CONTAINER, ["restart", "healthcheck.interval", "memory"]), []);
});

test("an unknown or unverified type is reported, never taken for an update", () => {
  assert.throws(() => forcesReplacement("digitalocean:index/kubernetesCluster:KubernetesCluster", ["name"]),
    (e: unknown) => e instanceof ReplacementRuleError && e.reason === "unknown-type");
  assert.throws(() => forcesReplacement("platform:app:Nmpi", []),
    (e: unknown) => e instanceof ReplacementRuleError && e.reason === "unknown-type");
  const rules = { "x:index/thing:Thing": { forceNew: [], source: "nowhere/read", unverified: true as const } };
  assert.throws(() => forcesReplacement("x:index/thing:Thing", ["name"], rules),
    (e: unknown) => e instanceof ReplacementRuleError && e.reason === "unverified");
  assert.throws(() => conditionalReplacements("x:index/thing:Thing", ["name"], rules),
    (e: unknown) => e instanceof ReplacementRuleError && e.reason === "unverified");
});

test("a ForceNew block whose fields are not ForceNew replaces on adding or removing an element, not on editing one", () => {
  // kreuzwerker docker_container mounts: the set is ForceNew, target/source are not (terraform-plugin-sdk diffSet).
  assert.deepEqual(forcesReplacement(CONTAINER, ["mounts[0].source", "mounts[0].target"]), []);
  assert.deepEqual(forcesReplacement(CONTAINER, ["mounts[1]"]), ["mounts[1]"]);
  assert.deepEqual(forcesReplacement(CONTAINER, ["mounts[0].volumeOptions.subpath"]), ["mounts[0].volumeOptions.subpath"]);
});

test("conditional ForceNew rules are reported apart, with their condition", () => {
  const conditional = conditionalReplacements(DROPLET, ["ipv6", "size"]);
  assert.equal(conditional.length, 1);
  assert.equal(conditional[0]?.path, "ipv6");
  assert.match(conditional[0]?.when ?? "", /true to false/);
  assert.deepEqual(forcesReplacement(DROPLET, ["ipv6"]), [], "ipv6 alone is not an unconditional replacement");
});

test("facts read in the providers' sources", () => {
  // terraform-provider-digitalocean droplet/resource_droplet.go: user_data, region, ssh_keys ForceNew; size is resized in place.
  assert.deepEqual(forcesReplacement(DROPLET, ["userData", "region", "sshKeys[1]", "size"]), ["userData", "region", "sshKeys[1]"]);
  // volume/resource_volume.go: description ForceNew (provider-behaviour.md 3), size grows in place.
  assert.deepEqual(forcesReplacement("digitalocean:index/volume:Volume", ["description", "size"]), ["description"]);
  // reserved_ip_assignment: droplet_id ForceNew (provider-behaviour.md 4: the switch is a replacement).
  assert.deepEqual(forcesReplacement("digitalocean:index/reservedIpAssignment:ReservedIpAssignment", ["dropletId"]), ["dropletId"]);
  // rds/instance.go: instance_class and (since v5) identifier are modified in place; engine and username are ForceNew.
  assert.deepEqual(forcesReplacement("aws:rds/instance:Instance", ["instanceClass", "allocatedStorage", "identifier", "engine", "username"]),
    ["engine", "username"]);
  // ecs/service.go: a new task definition revision is an update; the cluster is ForceNew.
  assert.deepEqual(forcesReplacement("aws:ecs/service:Service", ["taskDefinition", "desiredCount", "cluster"]), ["cluster"]);
  // ec2_launch_template.go: an image change writes a new template version.
  assert.deepEqual(forcesReplacement("aws:ec2/launchTemplate:LaunchTemplate", ["imageId", "userData", "name"]), ["name"]);
  // elbv2/listener.go: the colour weights in defaultActions are modified in place.
  assert.deepEqual(forcesReplacement("aws:lb/listener:Listener", ["defaultActions[0].forward.targetGroups[1].weight"]), []);
  // pulumi-aws resources.go: region is the one provider input with ForcesProviderReplace.
  assert.deepEqual(forcesReplacement("pulumi:providers:aws", ["region", "defaultTags.tags.app"]), ["region"]);
  // pulumi-command: only triggers is replaceOnChanges.
  assert.deepEqual(forcesReplacement("command:remote:Command", ["create", "connection.host", "triggers[0]"]), ["triggers[0]"]);
  // pulumi-docker's provider config has no ForcesProviderReplace: host changes update the provider (provider-behaviour.md 1.3).
  assert.deepEqual(forcesReplacement("pulumi:providers:docker", ["host"]), []);
  assert.equal(REPLACEMENT_RULES[CONTAINER]?.deleteBeforeReplace, true);
  // sshkey/resource_ssh_key.go: public_key ForceNew, name updated in place.
  assert.deepEqual(forcesReplacement("digitalocean:index/sshKey:SshKey", ["name", "publicKey"]), ["publicKey"]);
  // tag/resource_tag.go: no Update; name ForceNew.
  assert.deepEqual(forcesReplacement("digitalocean:index/tag:Tag", ["name"]), ["name"]);
  // rds/parameter_group.go: family ForceNew; parameters modified in place.
  assert.deepEqual(forcesReplacement("aws:rds/parameterGroup:ParameterGroup", ["parameters[0].value", "family"]), ["family"]);
  // rds/snapshot.go: the source instance is ForceNew; shared accounts are modified in place.
  assert.deepEqual(forcesReplacement("aws:rds/snapshot:Snapshot", ["sharedAccounts[0]", "dbInstanceIdentifier"]), ["dbInstanceIdentifier"]);
  // dlm/lifecycle_policy.go: only a schedule's copy_tags is ForceNew; retention and times are updated in place.
  assert.deepEqual(forcesReplacement("aws:dlm/lifecyclePolicy:LifecyclePolicy",
    ["policyDetails.schedules[0].retainRule.count", "policyDetails.schedules[0].createRule.times[0]", "policyDetails.schedules[1].copyTags"]),
  ["policyDetails.schedules[1].copyTags"]);
  // s3/bucket_object.go: new content is re-uploaded in place; the key is ForceNew.
  assert.deepEqual(forcesReplacement("aws:s3/bucketObject:BucketObject", ["source", "etag", "key"]), ["key"]);
  // logs/metric_filter.go: the pattern is put in place; the log group is ForceNew.
  assert.deepEqual(forcesReplacement("aws:cloudwatch/logMetricFilter:LogMetricFilter", ["pattern", "metricTransformation.value", "logGroupName"]), ["logGroupName"]);
  // pulumi-command local.Command: only triggers is replaceOnChanges, as for remote.
  assert.deepEqual(forcesReplacement("command:local:Command", ["create", "environment.FOO", "triggers[0]"]), ["triggers[0]"]);
});

test("every entry cites its source and unverified entries carry no forcing paths", () => {
  for (const [type, rule] of Object.entries(REPLACEMENT_RULES)) {
    assert.match(rule.source, /^[\w.-]+\/[\w.-]+/, `${type} cites a repository`);
    if (rule.unverified) assert.deepEqual(rule.forceNew, [], `${type} is unverified: it lists nothing`);
  }
});

/** The SDK declaration file of a type token: `aws:rds/instance:Instance` → @pulumi/aws/rds/instance.d.ts, `command:remote:Command` → @pulumi/command/remote/command.d.ts. */
function declarationFile(type: string): string {
  const [pkg = "", modulePath = "", className = ""] = type.split(":");
  const [mod = "", file = className.charAt(0).toLowerCase() + className.slice(1)] = modulePath.split("/");
  return path.join(projectRoot(), "node_modules", "@pulumi", pkg, mod === "index" ? "" : mod, `${file}.d.ts`);
}

/** The input-args interface a resource type token names in its SDK: `aws:rds/instance:Instance` → InstanceArgs. */
function argsDeclaration(program: ts.Program, type: string): ts.InterfaceDeclaration {
  const className = type.split(":")[2] ?? "";
  const dts = declarationFile(type);
  const source = program.getSourceFile(dts);
  assert.ok(source, `${type}: ${dts} exists`);
  const args = source.statements.find((st): st is ts.InterfaceDeclaration =>
    ts.isInterfaceDeclaration(st) && st.name.text === `${className}Args`);
  assert.ok(args, `${type}: ${className}Args is declared`);
  return args;
}

/** The type reached by following `path` (dotted, `[*]` for elements) through Input<...> wrappers, or undefined. */
function followPath(checker: ts.TypeChecker, node: ts.Node, start: ts.Type, path: string): ts.Type | undefined {
  let current: ts.Type[] = [start];
  for (const segment of path.replace(/\[\*\]/g, ".[*]").split(".").filter((s) => s !== "")) {
    const next: ts.Type[] = [];
    for (const t of current.flatMap((c) => (c.isUnion() ? c.types : [c]))) {
      if (segment === "[*]") {
        if (checker.isArrayType(t)) next.push(...checker.getTypeArguments(t as ts.TypeReference));
      } else {
        const property = t.getProperty(segment);
        if (property) next.push(checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, node)));
      }
    }
    if (next.length === 0) return undefined;
    current = next;
  }
  return current[0];
}

test("every forcing path names an input of the provider SDK's Args type, so a misspelt path cannot silently never match", () => {
  const custom = Object.keys(REPLACEMENT_RULES).filter((type) => !type.startsWith("pulumi:providers:"));
  const program = ts.createProgram(custom.map(declarationFile), { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const type of custom) {
    const args = argsDeclaration(program, type);
    const argsType = checker.getTypeAtLocation(args);
    const rule = REPLACEMENT_RULES[type];
    for (const forcing of [...(rule?.forceNew ?? []), ...(rule?.conditional ?? []).map((c) => c.path)]) {
      if (followPath(checker, args, argsType, forcing) === undefined) missing.push(`${type} ${forcing}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every resource type in the production and staging plans has an entry", async () => {
  const production = await renderOnce("production");
  const staging = await renderOnce("staging");
  const types = new Set([...production.resources, ...staging.resources].map((r) => r.type).filter((t) => !t.startsWith("platform:")));
  assert.ok(types.has(DROPLET) && types.has("pulumi:providers:docker"), "custom and provider resources are both rendered");
  const missing = [...types].filter((t) => REPLACEMENT_RULES[t] === undefined);
  assert.deepEqual(missing, [], "types without a replacement rule");
  const unverified = [...types].filter((t) => REPLACEMENT_RULES[t]?.unverified === true);
  assert.deepEqual(unverified, [], "types whose rule could not be verified");
});
