/** The operator scripts that replace the seed's manual actions pass shellcheck and refuse bad usage. */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../tools/render/harness";
import { runTool } from "../support";

const opsDir = join(projectRoot(), "tools", "ops");
const scripts = readdirSync(opsDir).filter((f) => f.endsWith(".sh"));

test("every ops script passes shellcheck", () => {
  assert.deepEqual(scripts.sort(), ["db-dump.sh", "db-restore.sh", "logs.sh", "node-ssh.sh"]);
  const { status, output } = runTool("shellcheck", scripts.map((s) => join(opsDir, s)));
  assert.equal(status, 0, output);
});

test("a restore refuses to run without --yes, before touching any node", () => {
  const { status, output } = runTool("bash", [join(opsDir, "db-restore.sh"), "production"]);
  assert.equal(status, 64);
  assert.match(output, /--yes/);
});

test("scripts print their usage and exit 64 when arguments are missing", () => {
  for (const script of ["node-ssh.sh", "db-dump.sh", "logs.sh"]) {
    const { status, output } = runTool("bash", [join(opsDir, script)]);
    assert.equal(status, 64, script);
    assert.match(output, /usage:/, script);
  }
});
