/** The offline plan CLI: output shapes and exit codes, run as an operator runs it (compiled JS). */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { PlanDiff } from "../../tools/plan/types";
import { tempFile } from "../support";

const CLI = join(__dirname, "..", "..", "tools", "plan", "cli.js");

/** One run per distinct command line in this file: several tests read the same plan. */
const runs = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const key = JSON.stringify(args);
  if (!runs.has(key)) runs.set(key, runPlan(args));
  return runs.get(key) as Promise<{ code: number; stdout: string; stderr: string }>;
}

function runPlan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PULUMI_CONFIG: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test("--json prints exactly {stack, project, secretKeyId, resources[{urn, type, name, parent, inputs, secretDigests, propertyDependencies, options}], outputs} and exits 0", async () => {
  const { code, stdout, stderr } = await plan(["production", "--json"]);
  assert.equal(code, 0, stderr);
  const parsed = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ["stack", "project", "secretKeyId", "resources", "outputs"]);
  assert.equal(parsed.stack, "production");
  const resources = parsed.resources as Record<string, unknown>[];
  assert.ok(resources.length > 50);
  for (const r of resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "inputs", "secretDigests", "propertyDependencies", "options"]);
  assert.equal(typeof (parsed.outputs as Record<string, unknown>).nmpi, "object");
});

test("a config error exits 2, names the key, the value and what is allowed, and registers nothing", async () => {
  const { code, stdout, stderr } = await plan(["production", "--set", "apps.nmpi.live=purple", "--set", "apps.nmpi.nodeSize=HUGE"]);
  assert.equal(code, 2);
  assert.equal(stdout, "", "no plan is printed");
  assert.match(stderr, /platform:apps\.nmpi\.live: got "purple"; expected one of "blue", "green"/);
  assert.match(stderr, /platform:apps\.nmpi\.nodeSize: got "HUGE"; a DigitalOcean size slug/);
});

test("a plaintext override of a secret is rejected with exit 2", async () => {
  const { code, stderr } = await plan(["production", "--set", "secrets.nmpi.acmeDnsToken=dop_v1_plaintext_token_value"]);
  assert.equal(code, 2);
  assert.match(stderr, /platform:secrets: given as plain text/);
});

test("--diff shows a colour switch and the one routing change; diff of two saved plans gives the same", async () => {
  const { code, stdout, stderr } = await plan(["production", "--diff", "--set", "apps.nmpi.live=green", "--json"]);
  assert.equal(code, 0, stderr);
  const diff = JSON.parse(stdout) as PlanDiff;
  assert.deepEqual(diff.colourSwitches, [{ app: "nmpi", from: "blue", to: "green" }]);
  assert.deepEqual([...new Set(diff.steps.map((s) => s.urn.split("::").pop()))], ["nmpi-production-live-live"], "one routing resource changes");

  const before = await plan(["production", "--json"]);
  const after = await plan(["production", "--set", "apps.nmpi.live=green", "--json"]);
  const beforeFile = tempFile("before.json", before.stdout);
  const afterFile = join(beforeFile, "..", "after.json");
  writeFileSync(afterFile, after.stdout);
  const saved = await plan(["diff", beforeFile, afterFile, "--json"]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.deepEqual(JSON.parse(saved.stdout), diff);

  const text = await plan(["diff", beforeFile, afterFile]);
  assert.match(text.stdout, /colour switch: nmpi: live blue → green/);
});

test("the tree view groups resources under their app components", async () => {
  const { code, stdout } = await plan(["staging"]);
  assert.equal(code, 0);
  assert.match(stdout, /^stack staging: \d+ resources/);
  const lines = stdout.split("\n");
  const app = lines.indexOf("  ▸ nmpi-staging (platform:app:Nmpi)");
  const node = lines.indexOf("    ▸ nmpi-staging-db (platform:digitalocean:Node)");
  assert.ok(app > 0 && node > app, "the nmpi app holds its db node");
  assert.ok(lines.slice(app + 1, node).every((l) => l.startsWith("    ")), "nothing between the app and its node sits outside the app");
  assert.equal(lines[node + 1], "      - nmpi-staging-db-host-key (tls:index/privateKey:PrivateKey)  algorithm=ED25519");
});

test("bad usage exits 64 with the usage text", async () => {
  const { code, stderr } = await plan(["production", "--bogus"]);
  assert.equal(code, 64);
  assert.match(stderr, /usage:/);
});

test("every resource sits under a parent the plan holds, every URN is unique and formed as the engine forms it", async () => {
  const { code, stdout } = await plan(["production", "--json"]);
  assert.equal(code, 0);
  const parsed = JSON.parse(stdout) as { resources: { urn: string; type: string; name: string; parent: string }[] };
  const urns = new Set(parsed.resources.map((r) => r.urn));
  assert.equal(urns.size, parsed.resources.length, "URNs are unique");
  const byUrn = new Map(parsed.resources.map((r) => [r.urn, r]));
  for (const r of parsed.resources) {
    const parent = byUrn.get(r.parent);
    if (!parent) {
      assert.equal(r.parent, "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production", `${r.urn}'s parent`);
      assert.equal(r.urn, `urn:pulumi:production::platform::${r.type}::${r.name}`);
      continue;
    }
    // The type is qualified by the parent's whole type chain (pkg/resource/urn.go NewURN).
    const parentChain = parent.urn.split("::")[2];
    assert.equal(r.urn, `urn:pulumi:production::platform::${parentChain}$${r.type}::${r.name}`);
  }
  const apps = parsed.resources.filter((r) => r.type.startsWith("platform:app:"));
  assert.deepEqual(apps.map((a) => a.name).sort(), ["aquamark-production", "grand-central-production", "nmpi-production", "ramascene-production", "topobank-production"]);
  for (const r of parsed.resources) {
    if (r.type.startsWith("platform:app:")) continue;
    let top = r;
    while (byUrn.has(top.parent)) top = byUrn.get(top.parent) as typeof r;
    assert.ok(top.type.startsWith("platform:app:"), `${r.urn} belongs to an app`);
  }
});

test("--diff predicts update for a resized volume, and blocks (exit 1) a region change that would replace protected state", async () => {
  const resize = await plan(["production", "--diff", "--json", "--set", "apps.nmpi.database.volumeGiB=60"]);
  assert.equal(resize.code, 0, resize.stderr);
  const resized = JSON.parse(resize.stdout) as PlanDiff;
  assert.deepEqual(resized.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`), ["update nmpi-production-db-data"]);
  assert.deepEqual(resized.steps[0].diffReasons, ["size"]);
  assert.deepEqual(resized.blocked, []);

  const move = await plan(["production", "--diff", "--set", "apps.nmpi.region=fra1"]);
  assert.equal(move.code, 1, "pulumi up would refuse: the plan fails");
  assert.match(move.stdout, /✗ BLOCKED/);
  assert.match(move.stdout, /✗ replace nmpi-production-db-data \(digitalocean:index\/volume:Volume\): replacing it: region changed; it is protected/);
  assert.match(move.stdout, /\+- replace nmpi-production-db-data \(digitalocean:index\/volumeAttachment:VolumeAttachment\)/);
  assert.match(move.stdout, /because dropletId: depends on urn:pulumi:production::platform::\S+Droplet::nmpi-production-db, replaced/);
});

test("--diff --json is a superset of pulumi preview --json: steps with op, urn, states, reasons, detailedDiff, and a changeSummary", async () => {
  const { code, stdout } = await plan(["production", "--diff", "--set", "apps.nmpi.live=green", "--json"]);
  assert.equal(code, 0);
  const diff = JSON.parse(stdout) as PlanDiff;
  assert.deepEqual(diff.steps.map((s) => s.op), ["create-replacement", "replace", "delete-replaced"]);
  const replace = diff.steps[1];
  assert.match(replace.urn, /^urn:pulumi:production::platform::platform:app:Nmpi\$platform:digitalocean:ReservedIpSwitch\$digitalocean:index\/reservedIpAssignment:ReservedIpAssignment::nmpi-production-live-live$/);
  assert.equal(replace.oldState?.type, "digitalocean:index/reservedIpAssignment:ReservedIpAssignment");
  assert.deepEqual(replace.replaceReasons, ["dropletId"]);
  assert.deepEqual(replace.detailedDiff, { dropletId: { kind: "update-replace", inputDiff: true } });
  assert.deepEqual(Object.keys(diff.changeSummary).sort(), ["replace", "same"]);
  assert.deepEqual(diff.colourSwitches, [{ app: "nmpi", from: "blue", to: "green" }]);
});
