import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parsePlatformConfig, PROJECT } from "../../config";
import { renderIsolated } from "../../tools/render/isolated";
import { AQUAMARK_ADOPT } from "../fixtures/aquamark-adoption";
import { projectRoot } from "../../tools/render/harness";
import { applyOverrides, readStackConfig, toProgramConfig } from "../../tools/render/stack-config";

/** Problems the loader reports for staging with `overrides`, or [] when it is valid. */
function problems(overrides: string[]): string[] {
  const program = toProgramConfig(applyOverrides(readStackConfig(projectRoot(), "staging"), PROJECT, overrides));
  try {
    parsePlatformConfig({ values: program.values, secretKeys: new Set(program.secretKeys) }, "staging");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

const GREEN_UP = ["apps.aquamark.fleet.green.min=1", "apps.aquamark.fleet.green.desired=1"];

test("invalid canary percentages are config errors naming the key, the value and what is allowed", () => {
  for (const bad of ["101", "-1", "12.5", "ten"]) {
    const found = problems([...GREEN_UP, `apps.aquamark.canaryPercent=${bad}`]);
    assert.equal(found.length, 1, `${bad}: ${found.join(" | ")}`);
    assert.match(found[0], /^platform:apps\.aquamark\.canaryPercent: got .*; a whole percentage from 0 to 100/);
  }
});

test("valid canary percentages from 0 to 100 are accepted", () => {
  for (const ok of ["0", "1", "50", "100"]) assert.deepEqual(problems([...GREEN_UP, `apps.aquamark.canaryPercent=${ok}`]), [], ok);
});

test("a canary needs instances in the idle colour", () => {
  const found = problems(["apps.aquamark.canaryPercent=10"]);
  assert.equal(found.length, 1);
  assert.match(found[0], /^platform:apps\.aquamark\.fleet\.green\.min: got 0; must be at least 1 while canaryPercent is 10/);
});

test("the live colour cannot be scaled to zero", () => {
  const found = problems(["apps.aquamark.live=green"]);
  assert.equal(found.length, 1);
  assert.match(found[0], /fleet\.green\.min: got 0; must be at least 1: green is the live colour/);
});

test("mail on port 25, a domain outside its zone and desired outside min..max are config errors", () => {
  const found = problems(["apps.aquamark.mail.port=25", "apps.aquamark.dnsZone.name=example.com", "apps.aquamark.fleet.blue.desired=9"]);
  assert.equal(found.length, 3, found.join(" | "));
  assert.ok(found.some((p) => /mail\.port: got 25; not 25/.test(p)));
  assert.ok(found.some((p) => /dnsZone\.name: got "example\.com"; must be the domain/.test(p)));
  assert.ok(found.some((p) => /fleet\.blue\.desired: got 9; must lie between min \(1\) and max \(2\)/.test(p)));
});

test("enabling aquamark without its secrets is a config error", () => {
  const program = toProgramConfig(readStackConfig(projectRoot(), "staging"));
  const secrets = JSON.parse(program.values["platform:secrets"] ?? "{}") as Record<string, unknown>;
  delete secrets.aquamark;
  const values = { ...program.values, "platform:secrets": JSON.stringify(secrets) };
  assert.throws(
    () => parsePlatformConfig({ values, secretKeys: new Set(program.secretKeys) }, "staging"),
    (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith("platform:secrets.aquamark: ")),
  );
});

test("a bad canary stops the program before any resource is registered", async () => {
  const outcome = await renderIsolated({ stack: "staging", overrides: ["apps.aquamark.canaryPercent=150"] });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.registered, 0);
  assert.ok(outcome.problems?.some((p) => p.startsWith("platform:apps.aquamark.canaryPercent: got 150")));
});

test("a mail port that is not a STARTTLS submission port is a config error naming the key", () => {
  for (const [bad, why] of [["465", /not 465: the daemons speak plain SMTP and then STARTTLS/], ["70000", /a TCP port from 1 to 65535/], ["abc", /a TCP port such as 587/]] as const) {
    const found = problems([`apps.aquamark.mail.port=${bad}`]);
    assert.equal(found.length, 1, found.join(" | "));
    assert.match(found[0], /^platform:apps\.aquamark\.mail\.port: got /);
    assert.match(found[0], why);
  }
});

test("a sender or error recipient that is not an address is a config error naming the key", () => {
  const found = problems(["apps.aquamark.mail.sender=aquamark", "apps.aquamark.mail.errorRecipient=ops at example"]);
  assert.equal(found.length, 2, found.join(" | "));
  assert.ok(found.some((p) => /^platform:apps\.aquamark\.mail\.sender: got "aquamark"; an e-mail address/.test(p)));
  assert.ok(found.some((p) => /^platform:apps\.aquamark\.mail\.errorRecipient: got "ops at example"; an e-mail address/.test(p)));
});

test("a missing error recipient is a config error: the daemons have no default for ERROR_SEND_TO", () => {
  const program = toProgramConfig(readStackConfig(projectRoot(), "staging"));
  const apps = JSON.parse(program.values["platform:apps"] ?? "{}") as { aquamark: { mail: Record<string, unknown> } };
  delete apps.aquamark.mail.errorRecipient;
  const values = { ...program.values, "platform:apps": JSON.stringify(apps) };
  assert.throws(
    () => parsePlatformConfig({ values, secretKeys: new Set(program.secretKeys) }, "staging"),
    (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith("platform:apps.aquamark.mail.errorRecipient: ")),
  );
});

test("an engine version whose passwords the image's libpq cannot use is a config error", () => {
  const found = problems(["apps.aquamark.database.engineVersion=\"18\""]);
  assert.equal(found.length, 1, found.join(" | "));
  assert.match(found[0], /^platform:apps\.aquamark\.database\.engineVersion: got "18"; PostgreSQL 17 or older: the image's libpq 9\.3 cannot do SCRAM/);
  assert.deepEqual(problems(["apps.aquamark.database.engineVersion=\"17.2\""]), []);
  assert.deepEqual(problems(["apps.aquamark.database.engineVersion=\"16\""]), []);
});

test("a version without both daemons is a config error naming the colour's key", () => {
  const found = problems(["apps.aquamark.versions.blue=v1.0.1"]);
  assert.equal(found.length, 1, found.join(" | "));
  assert.match(found[0], /^platform:apps\.aquamark\.versions\.blue: got "v1\.0\.1"; an upstream release tag of v1\.2\.1 or later/);
});

test("bad mail settings stop the program before any resource is registered", async () => {
  const outcome = await renderIsolated({ stack: "staging", overrides: ["apps.aquamark.mail.port=465", "apps.aquamark.database.engineVersion=\"18\""] });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.registered, 0);
  assert.ok(outcome.problems?.some((p) => p.startsWith("platform:apps.aquamark.mail.port: got 465")));
  assert.ok(outcome.problems?.some((p) => p.startsWith("platform:apps.aquamark.database.engineVersion: got \"18\"")));
});

test("an analytics ID with a newline is refused: it would add variables to the containers' env file", () => {
  const program = toProgramConfig(readStackConfig(projectRoot(), "staging"));
  const secrets = JSON.parse(program.values["platform:secrets"] ?? "{}") as { aquamark: Record<string, unknown> };
  secrets.aquamark.analyticsId = "G-ABC\nPYTHONWARNINGS=x";
  const values = { ...program.values, "platform:secrets": JSON.stringify(secrets) };
  assert.throws(
    () => parsePlatformConfig({ values, secretKeys: new Set(program.secretKeys) }, "staging"),
    (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith("platform:secrets.aquamark.analyticsId: got [secret]; a Google Analytics ID")),
  );
});

test("an image source that is not an https URL is a config error naming the key", () => {
  const found = problems(["apps.aquamark.imageSource=git@github.com:Radhika-Envision/Upmark.git"]);
  assert.equal(found.length, 1, found.join(" | "));
  assert.match(found[0], /^platform:apps\.aquamark\.imageSource: got .*an https:\/\/ git repository URL/);
});

const ADOPT: string[] = [...AQUAMARK_ADOPT];

test("adoption config errors name the key", () => {
  assert.deepEqual(problems(ADOPT), []);
  const cases: [string[], RegExp][] = [
    [[...ADOPT, "apps.aquamark.database.snapshotIdentifier=aquamark-2016"], /^platform:apps\.aquamark\.database\.snapshotIdentifier: got "aquamark-2016"; must be left out while database\.adopt is set/],
    [[...ADOPT.filter((o) => !o.includes("adopt.engineVersion")), 'apps.aquamark.database.adopt.engineVersion="17.2"'], /^platform:apps\.aquamark\.database\.adopt\.engineVersion: got "17\.2"; is newer than database\.engineVersion \(16\)/],
    [ADOPT.filter((o) => !o.includes("storageEncrypted")), /^platform:apps\.aquamark\.database\.adopt\.storageEncrypted: missing; required/],
    [[...ADOPT.filter((o) => !o.includes("adopt.id")), "apps.aquamark.database.adopt.id=aqua_mark"], /^platform:apps\.aquamark\.database\.adopt\.id: got "aqua_mark"; an RDS DB instance identifier/],
    [[...ADOPT.filter((o) => !o.includes("masterUsername")), "apps.aquamark.database.masterUsername=aquamark_app"], /^platform:apps\.aquamark\.database\.masterUsername: got "aquamark_app"; must not be aquamark_app/],
    [['apps.aquamark.database.engineVersion="15"'], /^platform:apps\.aquamark\.database\.engineVersion: got "15"; PostgreSQL 16 or newer: the app's role needs CREATEROLE/],
  ];
  for (const [overrides, expected] of cases) {
    const found = problems(overrides);
    assert.equal(found.length, 1, found.join(" | "));
    assert.match(found[0], expected);
  }
});
