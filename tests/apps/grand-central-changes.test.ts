import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parsePlatformConfig, PROJECT } from "../../config";
import { projectRoot, type RenderResult, type RenderedResource } from "../../tools/render/harness";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { applyOverrides, readStackConfig, toProgramConfig } from "../../tools/render/stack-config";

let base: RenderResult;
let rolled: RenderResult;
let fauxton: RenderResult;
before(async () => {
  [base, rolled, fauxton] = await Promise.all([
    renderIsolatedOk({ stack: "production" }),
    renderIsolatedOk({ stack: "production", overrides: ['apps.grand-central.imageTag="1.0.1"'] }),
    renderIsolatedOk({ stack: "production", overrides: ["apps.grand-central.fauxtonAdminCidrs=[198.51.100.0/24, 2001:db8::/32]"] }),
  ]);
});

const key = (r: RenderedResource) => `${r.type}::${r.name}`;
function changed(a: RenderResult, b: RenderResult): string[] {
  const before = new Map(a.resources.map((r) => [key(r), JSON.stringify([r.inputs, r.options])]));
  return b.resources.filter((r) => before.get(key(r)) !== JSON.stringify([r.inputs, r.options])).map(key);
}

test("rolling the image (or back) changes only the task definition: never the volume, instance or registry", () => {
  assert.deepEqual(changed(base, rolled), ["aws:ecs/taskDefinition:TaskDefinition::grand-central-production"]);
  const task = rolled.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
  assert.match(String(task?.inputs.containerDefinitions), /grand-central-production:1\.0\.1"/);
});

test("fauxtonAdminCidrs opens 5984 to exactly those networks and changes nothing but the security group", () => {
  assert.deepEqual(changed(base, fauxton), ["aws:ec2/securityGroup:SecurityGroup::grand-central-production-instance"]);
  const group = fauxton.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "grand-central-production-instance");
  const ingress = group?.inputs.ingress as { fromPort: number; cidrBlocks: string[]; ipv6CidrBlocks: string[] }[];
  const couch = ingress.filter((r) => r.fromPort === 5984);
  assert.deepEqual(couch.map((r) => [r.cidrBlocks, r.ipv6CidrBlocks]), [[["198.51.100.0/24"], ["2001:db8::/32"]]]);
  assert.match(String((fauxton.outputs["grand-central"] as Record<string, unknown>).fauxtonUrl), /:5984\/_utils\/$/);
});

test("config refuses 5984 open to the world, a zone outside the region, an unpinned CouchDB and wildcard secrets keys", () => {
  const tree = applyOverrides(readStackConfig(projectRoot(), "production"), PROJECT, [
    "apps.grand-central.fauxtonAdminCidrs=[0.0.0.0/0]",
    "apps.grand-central.availabilityZone=eu-west-1a",
    "apps.grand-central.couchdbVersion=latest",
    'apps.grand-central.secretsObjects=[{bucket: scpr-grand-central-secrets, key: "production/*"}]',
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
  assert.match(problems, /platform:apps\.grand-central\.fauxtonAdminCidrs\[0\]: got "0\.0\.0\.0\/0"; 0\.0\.0\.0\/0 covers more than an IPv4 \/8/);
  assert.match(problems, /platform:apps\.grand-central\.availabilityZone: got "eu-west-1a"; must be a zone of the region "us-west-1"/);
  assert.match(problems, /platform:apps\.grand-central\.couchdbVersion: got "latest"; a pinned version tag/);
  assert.match(problems, /platform:apps\.grand-central\.secretsObjects\[0\]\.key: .*exact object key/);
});

test("volume size defaults to 16 GiB and Fauxton to closed when left out of config", () => {
  const tree = applyOverrides(readStackConfig(projectRoot(), "production"), PROJECT, []);
  const apps = tree["platform:apps"] as Record<string, Record<string, unknown>>;
  delete apps["grand-central"].volumeGiB;
  delete apps["grand-central"].fauxtonAdminCidrs;
  const config = toProgramConfig(tree);
  const parsed = parsePlatformConfig({ values: config.values, secretKeys: new Set(config.secretKeys) }, "production");
  assert.equal(parsed.apps["grand-central"]?.volumeGiB, 16);
  assert.deepEqual(parsed.apps["grand-central"]?.fauxtonAdminCidrs, []);
});
