import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parsePlatformConfig, PROJECT } from "../../config";
import { projectRoot, type RenderResult, type RenderedResource } from "../../tools/render/harness";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { applyOverrides, readStackConfig, toProgramConfig } from "../../tools/render/stack-config";
import { renderOnce } from "../support";

let base: RenderResult;
let rolled: RenderResult;
let queue: RenderResult;
before(async () => {
  [base, rolled, queue] = await Promise.all([
    renderOnce("production"),
    renderIsolatedOk({ stack: "production", overrides: ["apps.grand-central.imageTag=v1.1.0"] }),
    renderIsolatedOk({ stack: "production", overrides: ["apps.grand-central.sqsQueueName=grand-central-messages", "apps.grand-central.maxMessageAgeSeconds=600"] }),
  ]);
});

const key = (r: RenderedResource) => `${r.type}::${r.name}`;
function changed(a: RenderResult, b: RenderResult): string[] {
  const before = new Map(a.resources.map((r) => [key(r), JSON.stringify([r.inputs, r.options])]));
  return b.resources.filter((r) => before.get(key(r)) !== JSON.stringify([r.inputs, r.options])).map(key);
}

test("rolling the image (or back) rebuilds it and changes the task definition: never the volume, instance or registry", () => {
  assert.deepEqual(changed(base, rolled).sort(), ["aws:ecs/taskDefinition:TaskDefinition::grand-central-production", "command:local:Command::grand-central-production-image"]);
  const task = rolled.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  assert.match(String(task?.inputs.containerDefinitions), /grand-central-production:v1\.1\.0"/);
});

test("a configured SQS queue is alarmed on the age of its oldest message", () => {
  assert.deepEqual(changed(base, queue), ["aws:cloudwatch/metricAlarm:MetricAlarm::grand-central-production-alarms-queue-age-grand-central"]);
  const alarm = queue.resources.find((r) => r.name === "grand-central-production-alarms-queue-age-grand-central");
  assert.deepEqual([alarm?.inputs.namespace, alarm?.inputs.metricName, alarm?.inputs.threshold], ["AWS/SQS", "ApproximateAgeOfOldestMessage", 600]);
  assert.deepEqual(alarm?.inputs.dimensions, { QueueName: "grand-central-messages" });
});

test("M6: CouchDB (5984) is open to no network; Fauxton is reached through ops:tunnel on the instance's mapped port", () => {
  const group = base.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "grand-central-production-instance");
  const ingress = (group?.inputs.ingress ?? []) as { fromPort: number; toPort: number }[];
  assert.ok(group, "the instance security group is rendered");
  assert.deepEqual(ingress.filter((r) => r.fromPort <= 5984 && 5984 <= r.toPort), []);
  const outputs = base.outputs["grand-central"] as { fauxtonUrl?: unknown; ops: { tunnels?: Record<string, { on: string; port: number; path?: string }>; manage: { live: { on: string } } } };
  assert.equal(outputs.fauxtonUrl, undefined);
  assert.deepEqual(outputs.ops.tunnels, { fauxton: { on: outputs.ops.manage.live.on, port: 5984, path: "/_utils/" } });
  const task = base.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  const couch = (JSON.parse(String(task?.inputs.containerDefinitions)) as { name: string; portMappings?: { hostPort: number }[] }[]).find((c) => c.name === "couchdb");
  assert.deepEqual(couch?.portMappings?.map((p) => p.hostPort), [5984]);
});

test("config refuses a zone outside the region, an unpinned CouchDB, a branch as image ref and a bad bucket", () => {
  const tree = applyOverrides(readStackConfig(projectRoot(), "production"), PROJECT, [
    "apps.grand-central.availabilityZone=eu-west-1a",
    "apps.grand-central.couchdbVersion=latest",
    "apps.grand-central.imageTag=master",
    "apps.grand-central.secretsBucket=Secrets_Bucket",
    "apps.grand-central.alertEmail=ops",
  ]);
  const config = toProgramConfig(tree);
  let problems = "";
  assert.throws(
    () => parsePlatformConfig({ values: config.values, secretKeys: new Set(config.secretKeys) }, "production"),
    (err: unknown) => {
      problems = err instanceof ConfigError ? err.problems.join("\n") : "";
      return err instanceof ConfigError;
    },
  );
  assert.match(problems, /platform:apps\.grand-central\.availabilityZone: got "eu-west-1a"; must be a zone of the region "us-west-1"/);
  assert.match(problems, /platform:apps\.grand-central\.couchdbVersion: got "latest"; a pinned version tag/);
  assert.match(problems, /platform:apps\.grand-central\.imageTag: got "master"; a full 40-character commit or a release tag/);
  assert.match(problems, /platform:apps\.grand-central\.secretsBucket: got "Secrets_Bucket"; an S3 bucket name/);
  assert.match(problems, /platform:apps\.grand-central\.alertEmail: got "ops"; an e-mail address/);
});

test("M6: config refuses the retired fauxtonAdminCidrs, naming the key, the value and ops:tunnel", () => {
  const config = toProgramConfig(applyOverrides(readStackConfig(projectRoot(), "production"), PROJECT, ["apps.grand-central.fauxtonAdminCidrs=[198.51.100.0/24]"]));
  assert.throws(
    () => parsePlatformConfig({ values: config.values, secretKeys: new Set(config.secretKeys) }, "production"),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.some((p) => /^platform:apps\.grand-central\.fauxtonAdminCidrs: got \["198\.51\.100\.0\/24"\]; no longer accepted: .*plain HTTP; reach Fauxton with npm run ops:tunnel -- <stack> grand-central fauxton/.test(p)),
  );
});

test("volume size defaults to 16 GiB when left out of config", () => {
  const tree = applyOverrides(readStackConfig(projectRoot(), "production"), PROJECT, []);
  const apps = tree["platform:apps"] as Record<string, Record<string, unknown>>;
  delete apps["grand-central"].volumeGiB;
  const config = toProgramConfig(tree);
  const parsed = parsePlatformConfig({ values: config.values, secretKeys: new Set(config.secretKeys) }, "production");
  assert.equal(parsed.apps["grand-central"]?.volumeGiB, 16);
});

/** Problems the loader reports for production with the grand-central secrets changed by `edit`. */
function secretsProblems(edit: (production: Record<string, unknown> & { aws: { sqs: Record<string, unknown> } }) => void): readonly string[] {
  const program = toProgramConfig(readStackConfig(projectRoot(), "production"));
  const secrets = JSON.parse(program.values["platform:secrets"] ?? "{}") as { "grand-central": { production: Record<string, unknown> & { aws: { sqs: Record<string, unknown> } } } };
  edit(secrets["grand-central"].production);
  const values = { ...program.values, "platform:secrets": JSON.stringify(secrets) };
  try {
    parsePlatformConfig({ values, secretKeys: new Set(program.secretKeys) }, "production");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

test("secrets that set pouchdb themselves are a config error: the program owns the CouchDB URL", () => {
  const problems = secretsProblems((p) => {
    p.pouchdb = { database: "http://elsewhere:5984/db" };
  });
  assert.equal(problems.length, 1, problems.join(" | "));
  assert.match(problems[0], /^platform:secrets\.grand-central\.production: .*must not set pouchdb/);
});

test("secrets without the SQS queue URL index.js reads are a config error naming the key", () => {
  const problems = secretsProblems((p) => {
    delete p.aws.sqs.queue_url;
  });
  assert.equal(problems.length, 1, problems.join(" | "));
  assert.match(problems[0], /^platform:secrets\.grand-central\.production\.aws\.sqs\.queue_url: missing/);
});
