/** The offline plan CLI: output shapes and exit codes, run as an operator runs it (compiled JS). */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempFile } from "../support";

const CLI = join(__dirname, "..", "..", "tools", "plan", "cli.js");

function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

test("--json prints exactly {stack, project, resources[{urn, type, name, parent, inputs, propertyDependencies, options}], outputs} and exits 0", async () => {
  const { code, stdout, stderr } = await plan(["production", "--json"]);
  assert.equal(code, 0, stderr);
  const parsed = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ["stack", "project", "resources", "outputs"]);
  assert.equal(parsed.stack, "production");
  const resources = parsed.resources as Record<string, unknown>[];
  assert.ok(resources.length > 50);
  for (const r of resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "inputs", "propertyDependencies", "options"]);
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
  const diff = JSON.parse(stdout) as { colourSwitches: unknown[]; changed: { name: string }[]; statefulTouched: unknown[] };
  assert.deepEqual(diff.colourSwitches, [{ app: "nmpi", from: "blue", to: "green" }]);
  assert.deepEqual(diff.changed.map((c) => c.name), ["nmpi-production-live-live"]);

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
