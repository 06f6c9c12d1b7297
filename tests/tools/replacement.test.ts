/** The replacement table (tools/plan/replacement.ts): matching rules, coverage of every type we register, and facts read in the providers' sources. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { REPLACEMENT_RULES, ReplacementRuleError, conditionalReplacements, forcesReplacement } from "../../tools/plan/replacement";
import { renderStack } from "../../tools/render/harness";
import { renderIsolatedOk } from "../../tools/render/isolated";

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
  const unverified = Object.keys(REPLACEMENT_RULES).find((t) => REPLACEMENT_RULES[t]?.unverified === true);
  if (unverified !== undefined) {
    assert.throws(() => forcesReplacement(unverified, ["anything"]),
      (e: unknown) => e instanceof ReplacementRuleError && e.reason === "unverified");
  }
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
  // rds/instance.go: instance_class is modified in place.
  assert.deepEqual(forcesReplacement("aws:rds/instance:Instance", ["instanceClass", "allocatedStorage"]), []);
  // pulumi-command: only triggers is replaceOnChanges.
  assert.deepEqual(forcesReplacement("command:remote:Command", ["create", "connection.host", "triggers[0]"]), ["triggers[0]"]);
  // pulumi-docker's provider config has no ForcesProviderReplace: host changes update the provider (provider-behaviour.md 1.3).
  assert.deepEqual(forcesReplacement("pulumi:providers:docker", ["host"]), []);
  assert.equal(REPLACEMENT_RULES[CONTAINER]?.deleteBeforeReplace, true);
});

test("every entry cites its source and unverified entries carry no forcing paths", () => {
  for (const [type, rule] of Object.entries(REPLACEMENT_RULES)) {
    assert.match(rule.source, /^[\w.-]+\/[\w.-]+/, `${type} cites a repository`);
    if (rule.unverified) assert.deepEqual(rule.forceNew, [], `${type} is unverified: it lists nothing`);
  }
});

test("every resource type in the production and staging plans has an entry", async () => {
  const production = await renderStack({ stack: "production" });
  const staging = await renderIsolatedOk({ stack: "staging" });
  const types = new Set([...production.resources, ...staging.resources].map((r) => r.type).filter((t) => !t.startsWith("platform:")));
  assert.ok(types.has(DROPLET) && types.has("pulumi:providers:docker"), "custom and provider resources are both rendered");
  const missing = [...types].filter((t) => REPLACEMENT_RULES[t] === undefined);
  assert.deepEqual(missing, [], "types without a replacement rule");
});
