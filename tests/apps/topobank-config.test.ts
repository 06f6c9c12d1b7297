/**
 * Versions and third-party images of the DigitalOcean apps must be pinned: a floating ref or tag, or a
 * schedule the backup image cannot parse, stops the program before any resource is registered.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { renderIsolated } from "../../tools/render/isolated";
import { named, runTool } from "../support";
import { backupSchedule } from "../../config/apps/topobank";

const DIGEST = `registry.example.org/cml/topobank@sha256:${"ab".repeat(32)}`;
const BACKUP_DIGEST = `registry.example.org/platform/postgres-backup-s3@sha256:${"cd".repeat(32)}`;

/** Renders the production stack with `overrides`; asserts it stops before registering anything, with a problem starting with each of `expected`. */
async function assertConfigErrors(overrides: string[], expected: string[]): Promise<void> {
  const outcome = await renderIsolated({ stack: "production", overrides });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.registered, 0, "nothing was registered");
  const problems = outcome.problems ?? [];
  for (const key of expected) {
    assert.ok(problems.some((p) => p.startsWith(key)), `no problem starts with ${key}:\n${problems.join("\n")}`);
  }
}

test("a floating version, a floating backup image and a four-field backup schedule are config errors naming the key; nothing is registered", async () => {
  await assertConfigErrors(
    [
      "apps.topobank.versions.green=main",
      "apps.topobank.backup.image=eeshugerman/postgres-backup-s3:latest",
      "apps.topobank.backup.schedule=0 3 * *",
      "apps.nmpi.backup.image=eeshugerman/postgres-backup-s3:16",
      "apps.ramascene.versions.blue=HEAD",
    ],
    [
      "platform:apps.topobank.versions.green: got \"main\"; a pinned git ref",
      "platform:apps.topobank.backup.image: got \"eeshugerman/postgres-backup-s3:latest\"; an image pinned by digest",
      "platform:apps.topobank.backup.schedule: got \"0 3 * *\"; a go-cron schedule",
      "platform:apps.nmpi.backup.image: got \"eeshugerman/postgres-backup-s3:16\"; an image pinned by digest",
      "platform:apps.ramascene.versions.blue: got \"HEAD\"; a pinned git ref",
    ],
  );
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
    overrides: [`apps.topobank.versions.green.app=${DIGEST}`, `apps.topobank.backup.image=${BACKUP_DIGEST}`],
  });
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.message);
  if (!outcome.ok) return;
  const r = outcome.result;
  assert.equal(named(r, "docker:index/remoteImage:RemoteImage", "topobank-production-django-green-image").inputs.name, DIGEST);
  assert.equal(named(r, "docker:index/remoteImage:RemoteImage", "topobank-production-dbbackup-image").inputs.name, BACKUP_DIGEST);
  const builds = r.resources.filter((x) => x.type === "command:remote:Command" && x.name.startsWith("topobank-production-") && x.name.endsWith("-image")).map((x) => x.name);
  assert.deepEqual(builds, ["topobank-production-blue-image"], "only blue (a git ref) is built");
  const release = named(r, "command:remote:Command", "topobank-production-release-green");
  // The version, then the droplet's ID (a new droplet runs the steps again).
  assert.equal((release.inputs.triggers as unknown[])[0], `app=${DIGEST}`, "a new digest runs green's release steps again");
});

test("retention is keepDays (postgres-backup-s3's BACKUP_KEEP_DAYS): a bad value or the old keepNewest is an error naming the key and value; nothing is registered", async () => {
  await assertConfigErrors(
    ["apps.topobank.backup.keepDays=0", "apps.topobank.backup.keepNewest=10"],
    ["platform:apps.topobank.backup.keepDays: got 0; a whole number of days from 1 to 3650", "platform:apps.topobank.backup.keepNewest: got 10; replaced by keepDays"],
  );
  await assertConfigErrors(["apps.topobank.backup.keepDays=1.5"], ["platform:apps.topobank.backup.keepDays: got 1.5; a whole number of days"]);
});

test("the backup schedule takes what go-cron 0.0.5 parses: five fields, six with seconds, or a descriptor", () => {
  for (const ok of ["@daily", "@every 6h", "@every 1h30m", "17 3 * * *", "0 17 3 * * *"]) assert.ok(backupSchedule.safeParse(ok).success, ok);
  for (const bad of ["0 3 * *", "daily", "@every", "1 2 3 4 5 6 7", ""]) assert.ok(!backupSchedule.safeParse(bad).success, bad);
});
