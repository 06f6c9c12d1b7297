/**
 * Each fact of apps/contracts/aquamark.ts asserted where it lands: launch template user data, SSM
 * parameters, mounted files, IAM policies, the parameter group, the image build.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import YAML from "yaml";
import { renderDaemonConfig } from "../../apps/aquamark";
import * as contract from "../../apps/contracts/aquamark";
import { BUILD_SCRIPT } from "../../components/aws/git-image-build";
import { type RenderedResource, type RenderResult } from "../../tools/render/harness";
import { renderOnce, tempFile } from "../support";

let rendered: Promise<RenderResult> | undefined;
const staging = () => (rendered ??= renderOnce("staging"));
const ours = (r: RenderResult) => r.resources.filter((x) => x.urn.includes("::platform:app:Aquamark"));
const one = (r: RenderResult, type: string, name: string): RenderedResource => {
  const found = ours(r).filter((x) => x.type === type && x.name === name);
  assert.equal(found.length, 1, `${type} ${name}`);
  return found[0];
};
const userData = (r: RenderResult, part: string) =>
  Buffer.from(String(one(r, "aws:ec2/launchTemplate:LaunchTemplate", `aquamark-staging-${part}`).inputs.userData), "base64").toString();
const policy = (r: RenderResult, part: string) =>
  JSON.parse(String(one(r, "aws:iam/rolePolicy:RolePolicy", `aquamark-staging-${part}`).inputs.policy)) as { Statement: { Action: string[]; Resource: string[] }[] };
const MAIL = { host: "smtp.example.org", port: 587, sender: "aq@example.org", errorRecipient: "ops@example.org", username: "u", password: "p@ss: 'x'" };

test("every container gets PORT=8000 and DEV_MODE=False, and the web container is published on 80 from 8000", async () => {
  const r = await staging();
  for (const part of ["web-blue", "web-green", "recalculate", "notifications"]) {
    const runs = userData(r, part).split("\n").filter((l) => l.includes("docker run"));
    assert.ok(runs.length > 0, part);
    for (const run of runs) {
      assert.match(run, new RegExp(`-e 'PORT=${contract.PORT}' -e 'DEV_MODE=False'`), part);
      for (const name of contract.S3_ENV_NOT_SET) assert.doesNotMatch(run, new RegExp(name), `${part} sets ${name}`);
    }
  }
  assert.match(userData(r, "web-blue"), /-p 80:8000 /);
  const tg = one(r, "aws:lb/targetGroup:TargetGroup", "aquamark-staging-blue");
  assert.equal((tg.inputs.healthCheck as { path: string }).path, contract.HEALTH_PATH);
});

test("each daemon runs its script with its YAML file mounted read-only where utils.get_config reads it", async () => {
  const r = await staging();
  for (const d of ["recalculate", "notifications"] as const) {
    const script = userData(r, d);
    const file = contract.DAEMONS[d].configFile;
    assert.ok(script.includes(`get-parameter --region 'eu-central-1' --name '/aquamark/staging/files/${file}' --with-decryption`), `${d} fetches ${file}`);
    assert.ok(script.includes(`:/usr/share/aquamark/app/config/${file}:ro'`), `${d} mounts ${file}`);
    assert.ok(script.includes(`'python3' './server/${d}.py'`), d);
    // Exactly its own file, nothing else under the files path.
    const reads = policy(r, d).Statement.filter((s) => s.Action.includes("ssm:GetParameter"));
    assert.deepEqual(reads.flatMap((s) => s.Resource), [`arn:aws:ssm:eu-central-1:123456789012:parameter/aquamark/staging/files/${file}`]);
  }
  for (const part of ["web-blue", "web-green"]) {
    assert.equal(policy(r, part).Statement.some((s) => s.Action.includes("ssm:GetParameter")), false, `${part} reads the daemons' mail password`);
  }
});

test("the daemon YAML files are SecureStrings whose secret value parses and carries every key the daemons read", async () => {
  const r = await staging();
  for (const d of ["recalculate", "notifications"] as const) {
    const file = contract.DAEMONS[d].configFile;
    const param = one(r, "aws:ssm/parameter:Parameter", `aquamark-staging-daemon-config-${file.replace(".", "-")}`);
    assert.equal(param.inputs.name, `/aquamark/staging/files/${file}`);
    assert.equal(param.inputs.type, "SecureString");
    assert.equal(param.inputs.value, "[secret]");
    const docs = r.secretValues
      .filter((v) => v.includes("SMTP_SERVER"))
      .map((v) => YAML.parse(v) as Record<string, unknown>)
      .filter((doc) => Object.keys(contract.DAEMON_FILE_DEFAULTS[d]).every((k) => k in doc));
    assert.ok(docs.length > 0, `${file} is among the secret values`);
    const doc = docs.find((x) => ("MESSAGE_BROADCAST" in x) === (d === "notifications"));
    assert.ok(doc, file);
    for (const k of contract.MAIL_KEYS) assert.ok(k in doc, `${file} lacks ${k}`);
    assert.equal(doc.SMTP_SERVER, "email-smtp.eu-central-1.amazonaws.com");
    assert.equal(doc.SMTP_PORT, 587);
    assert.equal(doc.SMTP_USE_TLS, true);
    assert.equal(doc.MESSAGE_SEND_FROM, "aquamark@example.org");
    assert.equal(doc.ERROR_SEND_TO, "ops@example.org");
  }
});

test("renderDaemonConfig writes values that need quoting as YAML that reads back the same", () => {
  for (const d of ["recalculate", "notifications"] as const) {
    const doc = YAML.parse(renderDaemonConfig(d, MAIL)) as Record<string, unknown>;
    assert.equal(doc.SMTP_PASSWORD, MAIL.password);
    assert.equal(doc.SMTP_PORT, 587);
    assert.deepEqual(Object.keys(doc).sort(), [...contract.MAIL_KEYS, ...Object.keys(contract.DAEMON_FILE_DEFAULTS[d])].sort());
    assert.equal(doc.ERROR_CONTENT, contract.DAEMON_FILE_DEFAULTS[d].ERROR_CONTENT);
  }
});

test("the database stores md5 passwords from creation: a postgres16 parameter group the instance names", async () => {
  const r = await staging();
  const group = one(r, "aws:rds/parameterGroup:ParameterGroup", "aquamark-staging-db");
  assert.equal(group.inputs.family, "postgres16");
  assert.deepEqual(group.inputs.parameters, [{ name: "password_encryption", value: "md5", applyMethod: "immediate" }]);
  const db = one(r, "aws:rds/instance:Instance", "aquamark-staging-db");
  assert.ok(db.propertyDependencies.parameterGroupName?.includes(group.urn), "the instance takes the group's name");
  assert.equal(db.inputs.publiclyAccessible, false);
  assert.equal(db.inputs.storageEncrypted, true);
});

test("the image is built from Upmark's src/app at the colour's tag into the stack's immutable, scanned ECR repository", async () => {
  const r = await staging();
  const repo = one(r, "aws:ecr/repository:Repository", "aquamark-staging-images");
  assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
  assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
  one(r, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aquamark-staging-images-keep-last");
  const build = one(r, "command:local:Command", `aquamark-staging-image-${contract.DEFAULT_VERSION}`);
  const env = build.inputs.environment as Record<string, string>;
  assert.equal(env.CONTEXT, `https://github.com/Radhika-Envision/Upmark.git#${contract.DEFAULT_VERSION}:src/app`);
  assert.equal(env.IMAGE, `123456789012.dkr.ecr.eu-central-1.amazonaws.com/aquamark-staging:${contract.DEFAULT_VERSION}`);
  assert.equal(env.PLATFORM, "linux/amd64");
  // Instances start only after the push: their user data takes the build's output.
  const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate", "aquamark-staging-web-blue");
  assert.ok(lt.propertyDependencies.userData?.includes(build.urn), "user data waits for the build");
  assert.ok(userData(r, "web-blue").includes(`pull '${env.IMAGE}'`));
  assert.match(userData(r, "web-blue"), /aws ecr get-login-password --region 'eu-central-1' \| docker login --username AWS --password-stdin '123456789012\.dkr\.ecr\.eu-central-1\.amazonaws\.com'/);
  for (const part of ["web-blue", "recalculate"]) {
    const pull = policy(r, part).Statement.find((s) => s.Action.includes("ecr:BatchGetImage"));
    assert.deepEqual(pull?.Resource, ["arn:aws:ecr:eu-central-1:123456789012:repository/aquamark-staging-images"]);
  }
});

test("no role may touch S3 and containers cannot reach the instance role", async () => {
  const r = await staging();
  for (const p of ours(r).filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy")) assert.doesNotMatch(String(p.inputs.policy), /"s3:/, p.name);
  for (const t of ours(r).filter((x) => x.type === "aws:ec2/launchTemplate:LaunchTemplate")) {
    assert.equal((t.inputs.metadataOptions as { httpPutResponseHopLimit: number }).httpPutResponseHopLimit, 1, t.name);
  }
});

test("the image build script passes shellcheck as POSIX sh", () => {
  const file = tempFile("build.sh", `#!/bin/sh\n${BUILD_SCRIPT}`);
  execFileSync("shellcheck", ["-s", "sh", file]);
});

test("only upstream tags from v1.2.1 on have both daemons", () => {
  for (const v of ["v1.2.1", "v1.2.10", "v1.3.3", "v1.4.7", "v1.5.0", "v2.0.0"]) assert.equal(contract.hasBothDaemons(v), true, v);
  for (const v of ["v1.0.1", "v1.1.0", "v1.2.0", "1.4.7", "latest", "v1.4"]) assert.equal(contract.hasBothDaemons(v), false, v);
});
