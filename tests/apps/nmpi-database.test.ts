/** nmpi's Postgres for images whose libpq cannot do SCRAM (the 2016 jessie images: libpq 9.4). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { named, runTool, tempFile } from "../support";

test("passwordEncryption md5 stores the role's password as md5 and authenticates hosts with md5", async () => {
  const r = await renderIsolatedOk({ stack: "production", overrides: ["apps.nmpi.database.passwordEncryption=md5"] });
  const db = named(r, "docker:index/container:Container", "nmpi-production-db-nmpi-db");
  assert.deepEqual(db.inputs.command, ["postgres", "-c", "password_encryption=md5"]);
  assert.ok((db.inputs.envs as string[]).includes("POSTGRES_HOST_AUTH_METHOD=md5"));
  // The services' role is created by the init script after SET password_encryption, so it is stored as md5
  // (the entrypoint's own superuser is created before -c applies: docker-library/postgres #897).
  const init = (db.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === "/docker-entrypoint-initdb.d/10-app-role.sh");
  assert.ok(init, "an initdb script creates the role");
  assert.match(init.content, /SET password_encryption = 'md5';\nCREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';/);
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("init.sh", init.content)]);
  assert.equal(status, 0, output);
});
