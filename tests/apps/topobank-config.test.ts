/**
 * Versions and third-party images of the DigitalOcean apps must be pinned: a floating ref or tag, or a
 * schedule the backup image cannot parse, stops the program before any resource is registered.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { renderIsolated } from "../../tools/render/isolated";
import { named, runTool } from "../support";

const DIGEST = `registry.example.org/cml/topobank@sha256:${"ab".repeat(32)}`;

test("a floating version, a floating backup image and a six-field go-s3-backup schedule are config errors naming the key; nothing is registered", async () => {
  const outcome = await renderIsolated({
    stack: "production",
    overrides: [
      "apps.topobank.versions.green=main",
      "apps.topobank.backup.image=ghcr.io/codestation/go-s3-backup:latest",
      "apps.topobank.backup.schedule=0 0 3 * * *",
      "apps.nmpi.backup.image=eeshugerman/postgres-backup-s3:16",
      "apps.ramascene.versions.blue=HEAD",
    ],
  });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.registered, 0, "nothing was registered");
  const problems = outcome.problems ?? [];
  for (const key of [
    "platform:apps.topobank.versions.green: got \"main\"; a pinned git ref",
    "platform:apps.topobank.backup.image: got \"ghcr.io/codestation/go-s3-backup:latest\"; an image pinned by digest",
    "platform:apps.topobank.backup.schedule: got \"0 0 3 * * *\"; a go-s3-backup schedule",
    "platform:apps.nmpi.backup.image: got \"eeshugerman/postgres-backup-s3:16\"; an image pinned by digest",
    "platform:apps.ramascene.versions.blue: got \"HEAD\"; a pinned git ref",
  ]) {
    assert.ok(problems.some((p) => p.startsWith(key)), `no problem starts with ${key}:\n${problems.join("\n")}`);
  }
});

test("the offline plan exits 2 on a version that is neither a git ref nor digests, and names the key", () => {
  const cli = join(__dirname, "..", "..", "tools", "plan", "cli.js");
  const { status, output } = runTool(process.execPath, [cli, "production", "--set", "apps.topobank.versions.green=latest"]);
  assert.equal(status, 2, output);
  assert.match(output, /platform:apps\.topobank\.versions\.green: got "latest"/);
});

test("a prebuilt version pins the app image by digest and builds nothing for that colour; a pinned backup image replaces its build", async () => {
  const outcome = await renderIsolated({
    stack: "production",
    overrides: [`apps.topobank.versions.green.app=${DIGEST}`, "apps.topobank.backup.image=ghcr.io/codestation/go-s3-backup:1.0.42-dev"],
  });
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.message);
  if (!outcome.ok) return;
  const r = outcome.result;
  assert.equal(named(r, "docker:index/remoteImage:RemoteImage", "topobank-production-django-green-image").inputs.name, DIGEST);
  assert.equal(named(r, "docker:index/remoteImage:RemoteImage", "topobank-production-dbbackup-image").inputs.name, "ghcr.io/codestation/go-s3-backup:1.0.42-dev");
  const builds = r.resources.filter((x) => x.type === "command:remote:Command" && x.name.startsWith("topobank-production-") && x.name.endsWith("-image")).map((x) => x.name);
  assert.deepEqual(builds, ["topobank-production-blue-image"], "only blue (a git ref) is built");
  const release = named(r, "command:remote:Command", "topobank-production-release-green");
  // The version, then the droplet's ID (a new droplet runs the steps again).
  assert.equal((release.inputs.triggers as unknown[])[0], `app=${DIGEST}`, "a new digest runs green's release steps again");
});
