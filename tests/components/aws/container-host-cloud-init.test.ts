import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { type ContainerHostSpec, renderContainerHostCloudInit, renderStartScript, START_SCRIPT_PATH } from "../../../components/aws/container-host-cloud-init";

const SPEC: ContainerHostSpec = {
  region: "eu-central-1",
  parameterPath: "/demo/staging/env",
  logGroupName: "/demo/staging/web",
  setup: [{ name: "migrate", image: "example/app:1.0", command: ["python3", "-c", "print('it''s \"quoted\"')\nprint(2)"] }],
  services: [{ name: "web", image: "example/app:1.0", ports: [{ host: 80, container: 8000 }] }],
};

test("the user data passes cloud-init's schema check", () => {
  const dir = mkdtempSync(join(tmpdir(), "cloud-init-"));
  const file = join(dir, "user-data");
  writeFileSync(file, renderContainerHostCloudInit(SPEC));
  const out = execFileSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
  assert.match(out, /Valid cloud-config/);
});

test("the start script passes shellcheck and is the file cloud-init writes and runs", () => {
  const doc = YAML.parse(renderContainerHostCloudInit(SPEC).replace(/^#cloud-config\n/, "")) as {
    write_files: { path: string; content: string; permissions: string }[];
    runcmd: string[][];
  };
  assert.equal(doc.write_files[0].path, START_SCRIPT_PATH);
  assert.equal(doc.write_files[0].permissions, "0700");
  assert.equal(doc.write_files[0].content, renderStartScript(SPEC));
  assert.deepEqual(doc.runcmd.at(-1), [START_SCRIPT_PATH]);
  const dir = mkdtempSync(join(tmpdir(), "start-"));
  const file = join(dir, "start.sh");
  writeFileSync(file, renderStartScript(SPEC));
  execFileSync("shellcheck", ["-s", "bash", file], { encoding: "utf8" });
});

test("setup containers run before services, which restart always; the environment comes from SSM only", () => {
  const script = renderStartScript(SPEC);
  const migrate = script.indexOf("--name 'migrate'");
  const web = script.indexOf("--name 'web' --restart=always");
  assert.ok(migrate > 0 && web > migrate);
  assert.match(script, /aws ssm get-parameters-by-path --region 'eu-central-1' --path '\/demo\/staging\/env' --with-decryption/);
  assert.match(script, /-p 80:8000 'example\/app:1\.0'/);
  assert.match(script, /exit 1; fi/);
});
