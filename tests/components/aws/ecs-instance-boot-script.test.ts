import { execFileSync } from "node:child_process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderInstanceBootScript, shellQuote, type InstanceBootScriptParams } from "../../../components/aws/ecs-instance-boot-script";

const params: InstanceBootScriptParams = {
  region: "us-west-1",
  clusterName: "gc-production-1234567",
  volumeId: "vol-0123456789abcdef0",
  mountPath: "/opt/couchdb",
  subdirectories: ["data", "etc/local.d"],
  deviceName: "/dev/xvdf",
  filesystemLabel: "couchdb",
  volumeAttribute: "data-volume",
};

function shellcheck(script: string): void {
  execFileSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
}

test("the boot script passes shellcheck, with and without an Elastic IP", () => {
  shellcheck(renderInstanceBootScript(params));
  shellcheck(renderInstanceBootScript({ ...params, elasticIpAllocationId: "eipalloc-0123456789abcdef0" }));
});

test("the boot script formats only when blkid reports no filesystem (status 2) and stops on any other blkid failure", () => {
  const script = renderInstanceBootScript(params);
  const mkfsLines = script.split("\n").filter((l) => l.includes("mkfs"));
  assert.equal(mkfsLines.length, 1, "exactly one mkfs call");
  const caseBlock = script.slice(script.indexOf('case "$blkid_status" in'), script.indexOf("esac"));
  assert.match(caseBlock, /\n {2}2\)\n {4}mkfs\.ext4 -q -L "\$label" "\$device"/);
  assert.match(caseBlock, /\n {2}\*\)\n[^\n]*refusing to format[^\n]*\n {4}exit 1/);
});

test("the volume is mounted by UUID through fstab with nofail, and the instance joins the cluster only after the mount", () => {
  const script = renderInstanceBootScript(params);
  assert.match(script, /echo "UUID=\$uuid \$mount_path \$fs_type defaults,nofail,noatime 0 2" >> \/etc\/fstab/);
  const mounted = script.indexOf('mountpoint -q "$mount_path"\n');
  const joined = script.indexOf("ECS_CLUSTER=$cluster");
  assert.ok(mounted > 0 && joined > mounted, "ECS_CLUSTER is written after the mount is verified");
  assert.match(script, /ECS_INSTANCE_ATTRIBUTES=\{"data-volume":"\$volume_id"\}/);
});

test("values are quoted for the shell, so a quote in a value cannot break out", () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  const out = execFileSync("bash", ["-c", `printf %s ${shellQuote("a'b $(x) \"c\"")}`], { encoding: "utf8" });
  assert.equal(out, "a'b $(x) \"c\"");
});
