/** The script that installs root's authorized_keys over SSH, checked by shellcheck and run for real. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { authorizedKeys, INSTALL_AUTHORIZED_KEYS } from "../../../components/digitalocean/node";
import { runTool, tempFile } from "../../support";

const DEPLOY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeployDeployDeployDeployDeployDeployDeplo\n";
const ADMIN = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz ops@example.org";

test("the install script passes shellcheck", () => {
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("install-keys.sh", `#!/bin/sh\n${INSTALL_AUTHORIZED_KEYS}`)]);
  assert.equal(status, 0, output);
});

test("authorized_keys keeps the deploy key first, so the next rotation can still log in", () => {
  assert.equal(authorizedKeys(DEPLOY, [ADMIN]), `${DEPLOY.trim()}\n${ADMIN}\n`);
});

/** Runs the script with /root replaced by a temporary directory. */
function install(stdin: string): { status: number | null; home: string } {
  const home = mkdtempSync(join(tmpdir(), "keys-"));
  const script = INSTALL_AUTHORIZED_KEYS.replaceAll("/root/", `${home}/`);
  const result = spawnSync("sh", ["-c", script], { input: stdin, encoding: "utf8" });
  return { status: result.status, home };
}

test("the script replaces authorized_keys with stdin, private to root", () => {
  const { status, home } = install(authorizedKeys(DEPLOY, [ADMIN]));
  assert.equal(status, 0);
  const file = join(home, ".ssh", "authorized_keys");
  assert.equal(readFileSync(file, "utf8"), authorizedKeys(DEPLOY, [ADMIN]));
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("empty stdin fails and leaves no empty authorized_keys behind", () => {
  const { status, home } = install("");
  assert.notEqual(status, 0);
  assert.throws(() => statSync(join(home, ".ssh", "authorized_keys")));
});

test("a failed install leaves no temporary file", () => {
  const { home } = install("");
  assert.deepEqual(readdirSync(join(home, ".ssh")), []);
});
