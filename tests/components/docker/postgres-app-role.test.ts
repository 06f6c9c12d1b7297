/** The application's own Postgres role: created once by the official image's init hook, never a superuser. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { appRoleInitScript, postgresWithAppRole } from "../../../components/docker/postgres-app-role";
import { runTool, tempFile } from "../../support";

test("the init script takes names and password from the environment as psql variables and passes shellcheck", () => {
  const script = appRoleInitScript("scram-sha-256");
  assert.ok(script.includes("<<'SQL'"), "the heredoc is quoted: the shell expands nothing in the SQL");
  assert.ok(script.includes('CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :\'pw\';'));
  assert.ok(!/SUPERUSER/.test(script));
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("init.sh", script)]);
  assert.equal(status, 0, output);
});

test("md5 sets the server's password_encryption and md5 host authentication; settings become -c flags", () => {
  const spec = postgresWithAppRole({ name: "db", image: "postgres:16.6-bookworm", role: "app", database: "app", rolePassword: "r", superuserPassword: "s", passwordEncryption: "md5", settings: { max_connections: "400" } });
  assert.deepEqual(spec.command, ["postgres", "-c", "password_encryption=md5", "-c", "max_connections=400"]);
  assert.equal(spec.env?.POSTGRES_HOST_AUTH_METHOD, "md5");
  assert.equal(spec.env?.POSTGRES_USER, "postgres");
  const plain = postgresWithAppRole({ name: "db", image: "postgres:16.6-bookworm", role: "app", database: "app", rolePassword: "r", superuserPassword: "s" });
  assert.equal(plain.command, undefined);
  assert.equal(plain.env?.POSTGRES_HOST_AUTH_METHOD, undefined);
});
