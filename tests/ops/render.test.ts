/**
 * What issue 16 adds to the rendered program: scheduled snapshots, the dump a release waits for before it
 * migrates, the uniform `ops` output, and adoption of hand-made resources with `import`.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type RenderResult } from "../../tools/render/harness";
import { renderIsolated, renderIsolatedOk } from "../../tools/render/isolated";
import { VOLUME_SNAPSHOT_SCRIPT } from "../../components/digitalocean/volume-snapshots";
import { renderOnce, runTool, tempFile } from "../support";
import { named, ofType } from "../support";

let plan: RenderResult;
let adopted: RenderResult;
/** Production as a stack that adopts nothing: its DNS zones created (production adopts them by default). */
const FRESH = ["nmpi", "topobank", "ramascene"].map((app) => `apps.${app}.dnsZoneOwnership=create`);
let fresh: RenderResult;
/** Every resource the adoption test's config names, as `pulumi config set --path` would set it. */
const ADOPT = [
  ...FRESH,
  "apps.grand-central.import.dataVolume.id=vol-049df61146c4d7901",
  "apps.grand-central.import.dataVolume.encrypted=false",
  "apps.grand-central.import.repository=grand-central",
  "apps.topobank.bucket.adopt=true",
  "apps.nmpi.dnsZoneOwnership=adopt",
];
before(async () => {
  [plan, adopted, fresh] = await Promise.all([
    renderOnce("production"),
    renderIsolatedOk({ stack: "production", overrides: ADOPT }),
    renderIsolatedOk({ stack: "production", overrides: FRESH }),
  ]);
});

const DLM = "aws:dlm/lifecyclePolicy:LifecyclePolicy";
const VOLUME = "aws:ebs/volume:Volume";
const COMMAND = "command:remote:Command";
const RELEASE = "platform:docker:ColourRelease";

test("grand-central's CouchDB volume is snapshotted daily by DLM, the newest 14 kept, selected by the volume's own Name tag", () => {
  const policy = named(plan, DLM, "grand-central-production-couchdb-snapshots");
  const details = policy.inputs.policyDetails as { targetTags: Record<string, string>; resourceTypes: string[]; schedules: { createRule: Record<string, unknown>; retainRule: { count: number } }[] };
  const volume = named(plan, VOLUME, "grand-central-production-couchdb");
  const volumeTags = volume.inputs.tags as Record<string, string>;
  assert.deepEqual(details.resourceTypes, ["VOLUME"]);
  for (const [key, value] of Object.entries(details.targetTags)) assert.equal(volumeTags[key], value, `the volume carries ${key}=${value}`);
  assert.deepEqual(details.schedules[0].createRule, { interval: 24, intervalUnit: "HOURS", times: "03:00" });
  assert.equal(details.schedules[0].retainRule.count, 14);
  assert.equal(policy.inputs.state, "ENABLED");
  const role = policy.propertyDependencies.executionRoleArn ?? [];
  assert.equal(role.length, 1, "DLM runs as the role made for it");
  assert.match(JSON.stringify(plan.resources.find((r) => r.urn === role[0])?.inputs.assumeRolePolicy), /dlm\.amazonaws\.com/);
});

test("the snapshot schedule follows config: everyHours, at and keep", async () => {
  const changed = await renderIsolatedOk({ stack: "production", overrides: ["apps.grand-central.snapshots.everyHours=12", "apps.grand-central.snapshots.at=01:30", "apps.grand-central.snapshots.keep=30"] });
  const details = named(changed, DLM, "grand-central-production-couchdb-snapshots").inputs.policyDetails as { schedules: { createRule: Record<string, unknown>; retainRule: { count: number } }[] };
  assert.deepEqual(details.schedules[0].createRule, { interval: 12, intervalUnit: "HOURS", times: "01:30" });
  assert.equal(details.schedules[0].retainRule.count, 30);
});

for (const app of ["topobank", "ramascene"]) {
  test(`${app}: each colour's release waits for a dump taken just before it, and green's dump waits for blue's release`, () => {
    const urn = (name: string) => named(plan, RELEASE, name).urn;
    const deps = (name: string) => named(plan, RELEASE, name).options.dependsOn ?? [];
    const prefix = `${app}-production-release`;
    assert.ok(deps(`${prefix}-blue`).includes(urn(`${prefix}-blue-dump`)), "blue's release after blue's dump");
    assert.ok(deps(`${prefix}-green`).includes(urn(`${prefix}-green-dump`)), "green's release after green's dump");
    assert.ok(deps(`${prefix}-green-dump`).includes(urn(`${prefix}-blue`)), "green's dump after blue's release (its migration)");
    for (const colour of ["blue", "green"]) {
      const backup = named(plan, COMMAND, `${prefix}-${colour}-dump`);
      const release = named(plan, COMMAND, `${prefix}-${colour}`);
      assert.deepEqual(backup.inputs.triggers, release.inputs.triggers, "the dump runs exactly when the release does");
      assert.match(String(backup.inputs.create), app === "topobank" ? /docker exec postgres sh -c .*pg_dump -Fc/s : /docker exec daphne-blue python -c .*\.backup\(dst\)/s);
    }
  });
}

test("every app exports the same ops shape, naming only nodes, containers and groups it declares", () => {
  for (const app of ["nmpi", "topobank", "ramascene", "aquamark", "grand-central"]) {
    const ops = (plan.outputs[app] as { ops: Record<string, unknown> }).ops;
    assert.ok(ops, app);
    for (const key of ["platform", "manage", "manageCommand", "logs", "writers", "volumes"]) assert.ok(key in ops, `${app}.ops.${key}`);
  }
  const topobank = (plan.outputs.topobank as { ops: { logs: Record<string, { container: string }> } }).ops;
  const containers = ofType(plan, "docker:index/container:Container").filter((c) => c.name.startsWith("topobank-")).map((c) => c.inputs.name);
  for (const source of Object.values(topobank.logs)) assert.ok(containers.includes(source.container), source.container);
});

const IMPORTED = new Map([
  ["aws:ebs/volume:Volume", "vol-049df61146c4d7901"],
  ["aws:ecr/repository:Repository", "grand-central"],
  ["digitalocean:index/spacesBucket:SpacesBucket", "fra1,topobank-assets-production"],
  ["digitalocean:index/domain:Domain", "hbpneuromorphic.eu"],
]);

test("with import IDs set, exactly the adopted resources carry the import option, with the provider's ID format", () => {
  const imported = adopted.resources.filter((r) => r.options.import !== undefined);
  assert.deepEqual(imported.map((r) => [r.type, r.options.import]).sort(), [...IMPORTED.entries()].sort());
  assert.deepEqual(fresh.resources.filter((r) => r.options.import !== undefined), [], "nothing is imported unless config says so");
});

test("an adopted resource's identity inputs are the existing resource's, so the import neither fails nor replaces it", () => {
  const volume = adopted.resources.find((r) => r.type === "aws:ebs/volume:Volume" && r.options.import);
  assert.equal(volume?.inputs.encrypted, false, "encryption cannot change in place: the config states it");
  assert.equal(volume?.inputs.availabilityZone, "us-west-1b");
  assert.equal(volume?.inputs.snapshotId, undefined);
  const repository = adopted.resources.find((r) => r.type === "aws:ecr/repository:Repository" && r.urn.includes("platform:app:GrandCentral"));
  assert.equal(repository?.inputs.name, "grand-central", "the repository keeps its name (the import ID)");
  assert.deepEqual(repository?.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }], "ECR's default encryption, which cannot change in place");
  const bucket = adopted.resources.find((r) => r.type === "digitalocean:index/spacesBucket:SpacesBucket" && r.options.import);
  assert.deepEqual([bucket?.inputs.region, bucket?.inputs.name], ["fra1", "topobank-assets-production"]);
  const domain = adopted.resources.find((r) => r.type === "digitalocean:index/domain:Domain" && r.options.import);
  assert.equal(domain?.inputs.name, "hbpneuromorphic.eu");
  for (const r of adopted.resources.filter((x) => x.options.import)) {
    assert.equal(r.options.protect, true, `${r.name}: an adopted resource is protected in production`);
    assert.equal(r.options.retainOnDelete, true, `${r.name}: made outside the program, it survives its removal from it`);
  }
});

test("adoption changes nothing but the adopted resources' own inputs: same URNs, nothing else differs", () => {
  const urns = (r: RenderResult) => r.resources.map((x) => x.urn).sort();
  assert.deepEqual(urns(adopted), urns(fresh));
  const before = new Map(fresh.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
  const changed = adopted.resources.filter((r) => before.get(r.urn) !== JSON.stringify(r.inputs)).map((r) => r.type);
  for (const type of changed) {
    assert.ok(
      [...IMPORTED.keys(), "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:ecs/taskDefinition:TaskDefinition", "aws:ec2/launchTemplate:LaunchTemplate",
        // The image build pushes to the adopted repository's URL.
        "command:local:Command", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"].includes(type),
      `${type} changed with adoption`,
    );
  }
});

test("aquamark: each colour's fleet (whose boot migrates the shared database) waits for a snapshot named after that colour's version", () => {
  for (const colour of ["blue", "green"]) {
    const snapshot = named(plan, "platform:aws:RdsSnapshot", `aquamark-production-pre-migration-${colour}`);
    const fleet = named(plan, "platform:aws:Fleet", `aquamark-production-web-${colour}`);
    assert.ok((fleet.options.dependsOn ?? []).includes(snapshot.urn), `web-${colour} waits for its snapshot`);
    const raw = named(plan, "aws:rds/snapshot:Snapshot", `aquamark-production-pre-migration-${colour}`);
    assert.match(String(raw.inputs.dbSnapshotIdentifier), new RegExp(`-pre-${colour}-v1-4-7$`));
    assert.deepEqual(raw.propertyDependencies.dbInstanceIdentifier, [named(plan, "aws:rds/instance:Instance", "aquamark-production-db").urn]);
  }
});

test("aquamark: a new version of one colour takes a new snapshot for that colour only", async () => {
  const next = await renderIsolatedOk({ stack: "production", overrides: ["apps.aquamark.versions.green=v1.4.6"] });
  const id = (r: RenderResult, c: string) => named(r, "aws:rds/snapshot:Snapshot", `aquamark-production-pre-migration-${c}`).inputs.dbSnapshotIdentifier;
  assert.equal(id(next, "blue"), id(plan, "blue"));
  assert.match(String(id(next, "green")), /-pre-green-v1-4-6$/);
});

test("scaling: topobank's celery workers and ramascene's workers per queue follow config; the first keeps its name, so scaling replaces nothing", async () => {
  const scaled = await renderIsolatedOk({
    stack: "production",
    overrides: ["apps.topobank.celeryWorkers=3", "apps.ramascene.workers.modelling.replicas=2", "apps.ramascene.workers.modelling.concurrency=2"],
  });
  const containers = (r: RenderResult, prefix: string) => ofType(r, "docker:index/container:Container").filter((c) => c.name.startsWith(prefix));
  const names = (r: RenderResult, prefix: string) => containers(r, prefix).map((c) => String(c.inputs.name)).sort();
  assert.deepEqual(names(plan, "topobank-").filter((n) => n.startsWith("celeryworker")), ["celeryworker"]);
  assert.deepEqual(names(scaled, "topobank-").filter((n) => n.startsWith("celeryworker")), ["celeryworker", "celeryworker-2", "celeryworker-3"]);
  const workers = containers(scaled, "ramascene-").filter((c) => String(c.inputs.name).startsWith("worker2"));
  assert.deepEqual(workers.map((c) => c.inputs.name).sort(), ["worker2", "worker2-2"]);
  for (const w of workers) {
    const command = w.inputs.command as string[];
    assert.equal(command[command.indexOf("--concurrency") + 1], "2");
    assert.equal(command[command.indexOf("--queue") + 1], "modelling");
  }
  const worker1 = containers(plan, "ramascene-").find((c) => c.inputs.name === "worker1");
  assert.equal(JSON.stringify(containers(scaled, "ramascene-").find((c) => c.inputs.name === "worker1")?.inputs), JSON.stringify(worker1?.inputs), "the other queue's worker is untouched");
  const before = containers(plan, "topobank-").find((c) => c.inputs.name === "celeryworker");
  const after = containers(scaled, "topobank-").find((c) => c.inputs.name === "celeryworker");
  assert.equal(after?.urn, before?.urn);
});

test("DigitalOcean data volumes: with volumeSnapshots set, a container on the volume's node snapshots it daily with the secret token", async () => {
  const snapped = await renderIsolatedOk({
    stack: "production",
    overrides: ["apps.nmpi.volumeSnapshots.at=02:30", "apps.nmpi.volumeSnapshots.keep=7", "secrets.nmpi.snapshotToken={secure: v1:encrypted-token}"],
  });
  const job = ofType(snapped, "docker:index/container:Container").find((c) => c.name === "nmpi-production-db-volume-snapshots");
  assert.ok(job, "the job runs on the db node, beside the volume");
  const env = (job.inputs.envs as string[]).map(String);
  assert.ok(env.includes("SNAPSHOT_AT=02:30") && env.includes("SNAPSHOT_KEEP=7") && env.includes("SNAPSHOT_PREFIX=nmpi"), env.join(" "));
  assert.ok(JSON.stringify(job.inputs.envs).includes("[secret]"), "the token stays secret");
  assert.ok((job.propertyDependencies.envs ?? []).includes(named(snapped, "digitalocean:index/volume:Volume", "nmpi-production-db-data").urn), "VOLUME_ID is the db volume's ID");
  assert.equal(ofType(plan, "docker:index/container:Container").filter((c) => c.name.endsWith("volume-snapshots")).length, 0, "off unless configured");
});

test("volumeSnapshots without the token fails naming the secret key, before any resource", async () => {
  const outcome = await renderIsolated({ stack: "production", overrides: ["apps.ramascene.volumeSnapshots.at=02:30", "apps.ramascene.volumeSnapshots.keep=7"] });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.match(outcome.message, /platform:secrets\.ramascene\.snapshotToken: required when apps\.ramascene\.volumeSnapshots is set/);
});

test("the volume-snapshot job is valid Python", () => {
  const file = tempFile("snapshots.py", VOLUME_SNAPSHOT_SCRIPT);
  const { status, output } = runTool("python3", ["-m", "py_compile", file]);
  assert.equal(status, 0, output);
});
