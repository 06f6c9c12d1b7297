/**
 * Containers on a node cannot read the droplet's user data (its host private key) from the metadata
 * service (security review M4): cloud-init installs a rule in Docker's DOCKER-USER chain, re-applied
 * whenever Docker starts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { BLOCK_METADATA_SCRIPT, BLOCK_METADATA_UNIT, renderNodeCloudInit } from "../../../components/digitalocean/cloud-init";
import { runTool, tempFile } from "../../support";

const params = {
  hostKey: { privateOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n", publicOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz\n" },
  adminSshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz ops@example.org"],
};

test("M4: the node installs the metadata block as a unit Docker starts, enabled before any container exists", () => {
  const doc = YAML.parse(renderNodeCloudInit(params)) as { write_files: { path: string; content: string }[]; runcmd: string[][] };
  const files = new Map(doc.write_files.map((f) => [f.path, f.content]));
  assert.equal(files.get("/usr/local/sbin/block-metadata-from-containers"), BLOCK_METADATA_SCRIPT);
  assert.equal(files.get("/etc/systemd/system/block-metadata-from-containers.service"), BLOCK_METADATA_UNIT);
  assert.match(BLOCK_METADATA_UNIT, /^WantedBy=docker\.service$/m, "re-applied each time Docker starts (Docker recreates DOCKER-USER empty after a reboot)");
  const docker = doc.runcmd.findIndex((c) => c.join(" ") === "systemctl enable --now docker");
  const block = doc.runcmd.findIndex((c) => c.join(" ") === "systemctl enable --now block-metadata-from-containers.service");
  assert.ok(docker >= 0 && block > docker, "enabled after Docker, within cloud-init (Pulumi creates containers only after cloud-init is done)");
  const { status, output } = runTool("cloud-init", ["schema", "--config-file", tempFile("user-data.yaml", renderNodeCloudInit(params))]);
  assert.equal(status, 0, output);
});

test("M4: the block script passes shellcheck, rejects 169.254.169.254 in DOCKER-USER once, and is idempotent", () => {
  const lint = runTool("shellcheck", ["-s", "sh", tempFile("block.sh", BLOCK_METADATA_SCRIPT)]);
  assert.equal(lint.status, 0, lint.output);

  const dir = mkdtempSync(join(tmpdir(), "fake-iptables-"));
  const log = join(dir, "calls");
  const state = join(dir, "present");
  // A fake iptables: -C succeeds once the rule was inserted, -I records the insertion.
  writeFileSync(
    join(dir, "iptables"),
    `#!/bin/sh\necho "$*" >> "${log}"\nif [ "$1" = -C ]; then [ -e "${state}" ]; exit; fi\nif [ "$1" = -I ]; then touch "${state}"; fi\n`,
  );
  chmodSync(join(dir, "iptables"), 0o755);
  const script = tempFile("block.sh", BLOCK_METADATA_SCRIPT);
  for (let i = 0; i < 2; i++) {
    const r = spawnSync("sh", [script], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin` } });
    assert.equal(r.status, 0, r.stderr);
  }
  assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), [
    "-C DOCKER-USER -d 169.254.169.254/32 -j REJECT",
    "-I DOCKER-USER -d 169.254.169.254/32 -j REJECT",
    "-C DOCKER-USER -d 169.254.169.254/32 -j REJECT",
  ]);
});
