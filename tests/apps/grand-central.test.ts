import { execFileSync } from "node:child_process";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { COUCHDB_SETUP_SCRIPT, renderSecretsYml } from "../../apps/grand-central";
import * as contract from "../../apps/contracts/grand-central";
import { SECRET_MARKER, type RenderResult, type RenderedResource } from "../../tools/render/harness";
import { renderedValues, renderOnce } from "../support";

let stack: RenderResult;
let gc: RenderedResource[];
before(async () => {
  stack = await renderOnce("production");
  gc = stack.resources.filter((r) => r.name.startsWith("grand-central-production"));
});

function one(type: string, name?: string): RenderedResource {
  const found = gc.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.equal(found.length, 1, `exactly one ${type}${name ? ` named ${name}` : ""}`);
  return found[0];
}

interface Container {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  portMappings: unknown[];
  dependsOn: { containerName: string; condition: string }[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  mountPoints: { sourceVolume: string; containerPath: string }[];
  links: string[];
}
function containers(): Container[] {
  return JSON.parse(String(one("aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions)) as Container[];
}
function container(name: string): Container {
  const found = containers().find((c) => c.name === name);
  assert.ok(found, `container ${name}`);
  return found;
}
const env = (c: Container) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));

interface Statement {
  Action: string[];
  Resource: string[] | string;
  Condition?: unknown;
}
function statementsOf(policy: RenderedResource): Statement[] {
  return (JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] }).Statement;
}

test("the CouchDB volume is gp3, encrypted, protected and retained in production, in the instance's zone", () => {
  const volume = one("aws:ebs/volume:Volume");
  assert.equal(volume.inputs.type, "gp3");
  assert.equal(volume.inputs.encrypted, true);
  assert.equal(volume.inputs.size, 16);
  assert.equal(volume.inputs.availabilityZone, "us-west-1b");
  assert.equal(volume.options.protect, true);
  assert.equal(volume.options.retainOnDelete, true);
  const group = one("aws:autoscaling/group:Group");
  assert.deepEqual([group.inputs.minSize, group.inputs.maxSize], [1, 1]);
  assert.equal((group.inputs.vpcZoneIdentifiers as string[]).length, 1, "the group launches in one subnet only: the volume's zone");
});

test("the registry scans on push, keeps tags immutable and expires all but the last N images; protected in production", () => {
  const repository = one("aws:ecr/repository:Repository");
  assert.deepEqual(repository.inputs.imageScanningConfiguration, { scanOnPush: true });
  assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
  assert.equal(repository.options.protect, true);
  assert.equal(repository.options.retainOnDelete, true);
  const rule = JSON.parse(String(one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy)).rules[0];
  assert.deepEqual(rule.selection, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 });
});

test("the service keeps one task, never two at once (min 0 %, max 100 %), rolls back a failed deployment and runs only where the volume is mounted", () => {
  const service = one("aws:ecs/service:Service");
  assert.equal(service.inputs.desiredCount, 1);
  assert.equal(service.inputs.deploymentMinimumHealthyPercent, 0);
  assert.equal(service.inputs.deploymentMaximumPercent, 100);
  assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
  const volumeId = String(stack.outputs["grand-central"] && (stack.outputs["grand-central"] as Record<string, unknown>).volumeId);
  assert.deepEqual(service.inputs.placementConstraints, [{ type: "memberOf", expression: `attribute:data-volume == ${volumeId}` }]);
});

test("the task role may read exactly <bucket>/secrets.yml and nothing else", () => {
  const taskRole = one("aws:iam/role:Role", "grand-central-production-task");
  const roleName = `${taskRole.name}-`;
  const policies = gc.filter((r) => (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") && String(r.inputs.role).startsWith(roleName));
  assert.equal(policies.length, 1, "one policy on the task role");
  assert.deepEqual(statementsOf(policies[0]).map((s) => [s.Action, s.Resource]), [[["s3:GetObject"], ["arn:aws:s3:::scpr-grand-central-secrets/secrets.yml"]]]);
});

test("no container carries access keys; the CouchDB admin password reaches only couchdb and couchdb-setup, as ECS secrets from SSM SecureStrings (M9)", () => {
  for (const c of containers()) {
    for (const e of c.environment) {
      assert.doesNotMatch(e.name, /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/, `${c.name} sets ${e.name}`);
      assert.doesNotMatch(e.value, /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, `${c.name}.${e.name} looks like an access key`);
      assert.doesNotMatch(e.name, /PASSWORD/, `${c.name} has a password in plain environment`);
    }
  }
  const secretsOf = Object.fromEntries(containers().map((c) => [c.name, c.secrets.map((s) => s.name)]));
  assert.deepEqual(secretsOf, {
    "couchdb-single-node": [],
    couchdb: ["COUCHDB_PASSWORD"],
    "couchdb-setup": ["COUCHDB_PASSWORD", "COUCHDB_APP_USER_DOC"],
    "grand-central": [],
  });
  const parameters = gc.filter((r) => r.type === "aws:ssm/parameter:Parameter");
  assert.deepEqual(parameters.map((p) => [p.name, p.inputs.type, p.inputs.value]).sort(), [
    ["grand-central-production-couchdb-app-user-doc", "SecureString", SECRET_MARKER],
    ["grand-central-production-couchdb-password", "SecureString", SECRET_MARKER],
  ]);
  const admin = one("random:index/randomPassword:RandomPassword", "grand-central-production-couchdb-admin");
  const adminParameter = parameters.find((p) => p.propertyDependencies.value?.includes(admin.urn));
  assert.equal(adminParameter?.name, "grand-central-production-couchdb-password", "the operators' SSM parameter still holds the admin password");
  const arnOf = (key: string) => new Set(containers().flatMap((c) => c.secrets.filter((s) => s.name === key).map((s) => s.valueFrom)));
  assert.equal(arnOf("COUCHDB_PASSWORD").size, 1, "couchdb and couchdb-setup read the same parameter");
  assert.match([...arnOf("COUCHDB_PASSWORD")][0], /^arn:aws:ssm:/);
  const execution = one("aws:iam/rolePolicy:RolePolicy", "grand-central-production-execution-secrets");
  const arns = new Set(containers().flatMap((c) => c.secrets.map((s) => s.valueFrom)));
  assert.deepEqual(statementsOf(execution).map((s) => [s.Action, s.Resource]), [[["ssm:GetParameters"], [...arns]]]);
  assert.equal((stack.outputs["grand-central"] as Record<string, unknown>).couchdbAdminPassword, SECRET_MARKER);
  const text = renderedValues(stack);
  for (const secret of stack.secretValues) assert.ok(!text.includes(secret), "no secret value appears unmasked");
});

test("the app user's document is built from its own generated password, never the admin's", () => {
  const app = one("random:index/randomPassword:RandomPassword", "grand-central-production-couchdb-app");
  const admin = one("random:index/randomPassword:RandomPassword", "grand-central-production-couchdb-admin");
  const doc = one("aws:ssm/parameter:Parameter", "grand-central-production-couchdb-app-user-doc");
  assert.deepEqual(doc.propertyDependencies.value, [app.urn]);
  assert.ok(!doc.propertyDependencies.value?.includes(admin.urn));
  const userDocs = stack.secretValues.filter((v) => v.startsWith('{"_id":"org.couchdb.user:')).map((v) => JSON.parse(v) as Record<string, unknown>);
  assert.equal(userDocs.length, 1);
  assert.deepEqual({ ...userDocs[0], password: "<generated>" }, { _id: "org.couchdb.user:grand-central", name: "grand-central", type: "user", roles: [], password: "<generated>" });
});

test("couchdb-setup runs once per task start after CouchDB, and the app starts only after it succeeded (M9)", () => {
  const setup = container("couchdb-setup");
  assert.equal(setup.essential, false);
  assert.equal(setup.image, container("couchdb").image, "the couchdb image (its curl), nothing new to pull");
  assert.deepEqual(setup.links, ["couchdb"]);
  assert.deepEqual(setup.dependsOn, [{ containerName: "couchdb", condition: "START" }]);
  assert.deepEqual(setup.command, ["sh", "-c", COUCHDB_SETUP_SCRIPT]);
  assert.deepEqual(setup.mountPoints, [], "no volume: it talks HTTP only");
  assert.deepEqual(env(setup), {
    COUCHDB_URL: "http://couchdb:5984",
    COUCHDB_ADMIN_USER: "admin",
    COUCHDB_DATABASE: "grand-central",
    COUCHDB_APP_USER_ID: "org.couchdb.user%3Agrand-central",
    COUCHDB_SECURITY: JSON.stringify({ admins: { names: [], roles: [] }, members: { names: ["grand-central"], roles: [] } }),
    COUCHDB_WAIT_SECONDS: "120",
  });
  assert.deepEqual(container("grand-central").dependsOn, [
    { containerName: "couchdb", condition: "START" },
    { containerName: "couchdb-setup", condition: "SUCCESS" },
  ]);
});

test("CouchDB keeps data and local config on the volume, and the app reaches it by link", () => {
  const task = one("aws:ecs/taskDefinition:TaskDefinition");
  assert.equal(task.inputs.networkMode, "bridge");
  assert.deepEqual(task.inputs.volumes, [
    { name: "couch-data", hostPath: "/opt/couchdb/data" },
    { name: "couch-etc", hostPath: "/opt/couchdb/etc/local.d" },
  ]);
  assert.deepEqual(container("couchdb").mountPoints.map((m) => m.containerPath), ["/opt/couchdb/data", "/opt/couchdb/etc/local.d"]);
  assert.deepEqual(container("grand-central").links, ["couchdb"]);
});

test("the app has no listener: no port mapping, no open port, no service URL (it polls SQS)", () => {
  assert.deepEqual(container("grand-central").portMappings, []);
  const group = one("aws:ec2/securityGroup:SecurityGroup");
  assert.deepEqual(group.inputs.ingress, [], "by default nothing is open, 5984 included");
  const out = stack.outputs["grand-central"] as Record<string, unknown>;
  assert.equal("serviceUrl" in out, false);
  assert.equal(gc.some((r) => r.type.startsWith("aws:lb/")), false);
});

test("the app reads its mode, bucket and region from the environment and nothing it ignores", () => {
  assert.deepEqual(env(container("grand-central")), {
    GRAND_CENTRAL_ENV: "production",
    GRAND_CENTRAL_S3_BUCKET: "scpr-grand-central-secrets",
    AWS_REGION: "us-west-1",
  });
});

test("the program writes secrets.yml at the bucket's root: secret, encrypted, with a CouchDB URL of the app's own user and generated password, not the admin (M9)", () => {
  const object = one("aws:s3/bucketObject:BucketObject");
  assert.deepEqual([object.inputs.bucket, object.inputs.key, object.inputs.serverSideEncryption], ["scpr-grand-central-secrets", contract.SECRETS_KEY, "AES256"]);
  assert.equal(object.inputs.content, SECRET_MARKER);
  const password = one("random:index/randomPassword:RandomPassword", "grand-central-production-couchdb-app");
  const admin = one("random:index/randomPassword:RandomPassword", "grand-central-production-couchdb-admin");
  assert.ok(object.propertyDependencies.content?.includes(password.urn), "the content takes the app user's generated password");
  assert.ok(!object.propertyDependencies.content?.includes(admin.urn), "and not the admin's (M9)");
  const docs = stack.secretValues.filter((v) => v.startsWith("production:")).map((v) => YAML.parse(v) as { production: Record<string, { database?: string; sqs?: { queue_url: string } }> });
  assert.equal(docs.length, 1);
  const production = docs[0].production;
  const url = /^http:\/\/([^:@]+):([^@]+)@couchdb:5984\/grand-central$/.exec(String(production.pouchdb.database));
  assert.ok(url, String(production.pouchdb.database));
  assert.equal(url[1], "grand-central", "the app's own CouchDB user, not admin (M9)");
  assert.match(url[2], /^mock-password-/, "a generated password (the harness's RandomPassword mock)");
  const userDoc = stack.secretValues.find((v) => v.startsWith('{"_id":"org.couchdb.user:'));
  assert.equal((JSON.parse(String(userDoc)) as { password: string }).password, url[2], "the password the setup gives the user");
  assert.ok(production.aws.sqs?.queue_url, "the operator's SQS settings are carried over");
});

test("renderSecretsYml keeps the operator's section and sets pouchdb.database", () => {
  const doc = YAML.parse(renderSecretsYml({ aws: { region: "us-west-1" }, embedly: { key: "k" } }, "http://admin:pw@couchdb:5984/db")) as Record<string, unknown>;
  assert.deepEqual(doc, { production: { aws: { region: "us-west-1" }, embedly: { key: "k" }, pouchdb: { database: "http://admin:pw@couchdb:5984/db" } } });
});

test("CouchDB starts after a run-once container put single_node=true in local.d, so its system databases exist", () => {
  const init = container("couchdb-single-node");
  assert.equal(init.essential, false);
  assert.deepEqual(init.mountPoints.map((m) => [m.sourceVolume, m.containerPath]), [["couch-etc", "/opt/couchdb/etc/local.d"]]);
  assert.ok(init.command?.join(" ").includes(`/opt/couchdb/etc/local.d/${contract.SINGLE_NODE_INI_FILE}`));
  assert.equal(env(init).INI, "[couchdb]\nsingle_node = true\n");
  assert.deepEqual(container("couchdb").dependsOn, [{ containerName: "couchdb-single-node", condition: "SUCCESS" }]);
});

test("the app image is built from SCPR/grand-central at the pinned commit into the stack's repository, before the task", () => {
  const build = one("command:local:Command");
  const buildEnv = build.inputs.environment as Record<string, string>;
  assert.equal(buildEnv.CONTEXT, `https://github.com/SCPR/grand-central.git#${contract.DEFAULT_REF}`);
  assert.equal(container("grand-central").image, buildEnv.IMAGE);
  assert.match(buildEnv.IMAGE, /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/grand-central-production:f08acef3484ca11fe6062dbd5c380d6df7c04ccd$/);
  assert.ok(one("aws:ecs/taskDefinition:TaskDefinition").propertyDependencies.containerDefinitions?.includes(build.urn));
});

test("health is alarmed by e-mail: no running task, [ERROR] lines in the log", () => {
  one("aws:sns/topicSubscription:TopicSubscription");
  const running = one("aws:cloudwatch/metricAlarm:MetricAlarm", "grand-central-production-alarms-running-grand-central");
  assert.deepEqual([running.inputs.namespace, running.inputs.metricName, running.inputs.treatMissingData], ["AWS/ECS", "CPUUtilization", "breaching"]);
  assert.deepEqual(Object.keys(running.inputs.dimensions as object).sort(), ["ClusterName", "ServiceName"]);
  const filter = one("aws:cloudwatch/logMetricFilter:LogMetricFilter");
  assert.equal(filter.inputs.pattern, '"[ERROR]"');
  assert.ok(filter.propertyDependencies.logGroupName?.includes(one("aws:cloudwatch/logGroup:LogGroup", "grand-central-production").urn), "the filter reads the task's log group");
  assert.equal(gc.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.namespace === "AWS/SQS").length, 0, "no queue alarm without sqsQueueName");
});

test("the instance role may attach only the data volume, and only to instances of its own group", () => {
  const statements = statementsOf(one("aws:iam/rolePolicy:RolePolicy", "grand-central-production-instance-boot"));
  const attach = statements.filter((s) => s.Action.includes("ec2:AttachVolume"));
  const volume = one("aws:ebs/volume:Volume");
  const volumeArn = `arn:aws:ebs:eu-central-1:123456789012:volume/${volume.name}`;
  assert.deepEqual(attach.map((s) => s.Resource), [[volumeArn], ["arn:aws:ec2:eu-central-1:123456789012:instance/*"]]);
  assert.deepEqual(attach[1].Condition, { StringEquals: { "aws:ResourceTag/platform-cluster": "grand-central-production" } });
});

test("the instance boots from the ECS AMI resolved at launch with IMDSv2 and one hop, and its user data passes shellcheck", () => {
  const template = one("aws:ec2/launchTemplate:LaunchTemplate");
  assert.match(String(template.inputs.imageId), /^resolve:ssm:\/aws\/service\/ecs\/optimized-ami\//);
  assert.deepEqual(template.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
  const script = Buffer.from(String(template.inputs.userData), "base64").toString("utf8");
  assert.match(script, /volume_id='grand-central-production-couchdb-[0-9a-f]+'/);
  execFileSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
});

test("every AWS resource is tagged with app and stack, and no colour", () => {
  const tagged = gc.filter((x) => x.type.startsWith("aws:") && x.inputs.tags !== undefined);
  assert.ok(tagged.length >= 10);
  for (const r of tagged) {
    // The auto-scaling group takes tags as a list of {key, value, propagateAtLaunch}.
    const tags = Array.isArray(r.inputs.tags)
      ? Object.fromEntries((r.inputs.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]))
      : (r.inputs.tags as Record<string, string>);
    assert.deepEqual([tags.app, tags.stack, tags.colour], ["grand-central", "production", undefined], r.name);
  }
});

test("outputs give the repository URL, the image, the secrets URL and the volume ID", () => {
  const out = stack.outputs["grand-central"] as Record<string, unknown>;
  assert.equal(out.secretsUrl, "s3://scpr-grand-central-secrets/secrets.yml");
  assert.match(String(out.repositoryUrl), /\.dkr\.ecr\..*\/grand-central-production$/);
  const script = Buffer.from(String(one("aws:ec2/launchTemplate:LaunchTemplate").inputs.userData), "base64").toString("utf8");
  assert.ok(script.includes(`volume_id='${String(out.volumeId)}'`), "the exported volume is the one every instance attaches");
  assert.equal(out.fauxtonUrl, undefined);
});

test("every AWS resource goes through the app's own provider, in the configured region", () => {
  const provider = one("pulumi:providers:aws", "grand-central-production");
  assert.equal(provider.inputs.region, "us-west-1");
  const aws = gc.filter((r) => r.type.startsWith("aws:"));
  assert.ok(aws.length >= 20);
  for (const r of aws) assert.equal(r.options.provider, provider.urn, `${r.type} ${r.name}`);
});
