/** The node's cloud-init document, checked by the real cloud-init and shellcheck. */
import assert from "node:assert/strict";
import { test } from "node:test";
import YAML from "yaml";
import { mountVolumeScript, renderNodeCloudInit } from "../../../components/digitalocean/cloud-init";
import { runTool, tempFile } from "../../support";

const params = {
  hostKey: {
    privateOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    publicOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz\n",
  },
  dataVolume: { name: "nmpi-production-db-data", mountPath: "/mnt/data" },
};

test("the node's user data is valid cloud-config for the real cloud-init schema", () => {
  const { status, output } = runTool("cloud-init", ["schema", "--config-file", tempFile("user-data.yaml", renderNodeCloudInit(params))]);
  assert.equal(status, 0, output);
  assert.match(output, /Valid cloud-config/);
});

test("the host key comes from the program and no other host key is generated", () => {
  const doc = YAML.parse(renderNodeCloudInit(params)) as Record<string, unknown>;
  assert.equal(doc.ssh_deletekeys, true);
  assert.deepEqual(doc.ssh_genkeytypes, ["ed25519"], "ed25519 is provided, so nothing is generated");
  assert.equal((doc.ssh_keys as Record<string, string>).ed25519_public, params.hostKey.publicOpenssh.trim());
  assert.equal(doc.ssh_pwauth, false, "no password logins");
});

test("the user data holds no login key: admin keys change without replacing the droplet", () => {
  const text = renderNodeCloudInit(params);
  const doc = YAML.parse(text) as Record<string, unknown>;
  assert.equal(doc.ssh_authorized_keys, undefined);
  const files = (doc.write_files ?? []) as { path: string }[];
  assert.ok(!files.some((f) => f.path.includes("authorized_keys")), "no authorized_keys file");
  const withoutVolume = YAML.parse(renderNodeCloudInit({ hostKey: params.hostKey })) as Record<string, unknown>;
  const written = ((withoutVolume.write_files ?? []) as { path: string }[]).map((f) => f.path);
  assert.deepEqual(written, ["/usr/local/sbin/block-metadata-from-containers", "/etc/systemd/system/block-metadata-from-containers.service"], "only the metadata block without a volume");
  const { status, output } = runTool("cloud-init", ["schema", "--config-file", tempFile("user-data.yaml", renderNodeCloudInit({ hostKey: params.hostKey }))]);
  assert.equal(status, 0, output);
});

test("the volume mount script passes shellcheck and never formats a disk", () => {
  const script = mountVolumeScript("nmpi-production-db-data", "/mnt/data");
  assert.doesNotMatch(script, /mkfs/);
  assert.match(script, /\/dev\/disk\/by-id\/scsi-0DO_Volume_nmpi-production-db-data/);
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("mount.sh", script)]);
  assert.equal(status, 0, output);
});
