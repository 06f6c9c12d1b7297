/**
 * The role setup function's SQL against a real PostgreSQL (PGlite: the PostgreSQL server compiled to
 * WASM), reached through the same `pg` client the function bundles, over PGlite's wire-protocol socket.
 *
 * The master is set up like an RDS master user: LOGIN, CREATEROLE and CREATEDB but not a superuser,
 * owning the application's database, with tables of its own in it (as after a snapshot hand-over) and a
 * second database. PGlite is one backend session, so "connecting as" a role is SET SESSION AUTHORIZATION.
 */
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { Client } from "pg";
import { handlerBundle } from "../../../components/aws/postgres-app-role";
import { type AppRoleSpec, type Connection, run, storedPassword, validateSpec } from "../../../components/aws/postgres-app-role-handler";

let db: PGlite;
let server: PGLiteSocketServer;
let port = 0;

const ROLE = "aquamark_app";
const spec = (over: Partial<AppRoleSpec> = {}): AppRoleSpec => ({
  role: ROLE,
  password: "first-password-0123456789",
  database: "postgres",
  createRole: true,
  passwordEncryption: "md5",
  ...over,
});

/**
 * A `pg` client that becomes the master right after connecting. PGlite takes the startup message's user
 * as the session's authenticated user, so it connects as the superuser (which RESET returns to) and
 * then drops to the master, whose privileges the handler runs with.
 */
function masterClient(): Connection {
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  return {
    query: (text, values) => client.query(text, values),
    end: () => client.end(),
    connect: async () => {
      await client.connect();
      await client.query("SET SESSION AUTHORIZATION master");
      const { rows } = await client.query("SELECT current_user AS me, current_setting('is_superuser') AS superuser");
      assert.deepEqual(rows[0], { me: "master", superuser: "off" }, "the handler runs as the non-superuser master");
    },
  };
}

/** Runs the function's transaction as the master user, through `pg` over the socket. */
async function asMaster(event: unknown) {
  try {
    return await run(masterClient(), event);
  } finally {
    await db.exec("SET SESSION AUTHORIZATION postgres");
    assert.equal(await value("SELECT current_user"), "postgres", "back to the superuser");
  }
}

/** Runs `sql` as `role`; returns the error message, or undefined when it succeeded. */
async function attemptAs(role: string, sql: string): Promise<string | undefined> {
  await db.exec(`SET SESSION AUTHORIZATION ${role}`);
  try {
    await db.exec(sql);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await db.exec("SET SESSION AUTHORIZATION postgres");
  }
}

async function value<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query<Record<string, T>>(sql, params);
  return Object.values(rows[0] ?? {})[0] as T;
}

/** True when `verifier` (pg_authid's SCRAM-SHA-256$iter:salt$StoredKey:ServerKey) was made from `password` (RFC 5802/7677). */
function scramMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(password.normalize("NFKC"), Buffer.from(m[2], "base64"), Number(m[1]), 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  return createHash("sha256").update(clientKey).digest("base64") === m[3];
}

before(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE ROLE master LOGIN CREATEROLE CREATEDB NOSUPERUSER PASSWORD 'master-password';
    ALTER DATABASE postgres OWNER TO master;
  `);
  await db.exec("CREATE DATABASE other OWNER master");
  await db.exec(`
    CREATE TABLE superuser_only (secret text);
    INSERT INTO superuser_only VALUES ('not for the app');
    SET SESSION AUTHORIZATION master;
    CREATE TABLE legacy (id serial PRIMARY KEY, body text);
    CREATE TYPE legacy_state AS ENUM ('open', 'closed');
    CREATE SCHEMA reports;
    CREATE TABLE reports.totals (n int);
    SET SESSION AUTHORIZATION postgres;
  `);
  server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1" });
  await server.start();
  // "host:port" of the listening socket (port 0 asked the OS for a free one).
  port = Number(server.getServerConn().split(":").pop());
  assert.ok(port > 0, "the socket server listens on a TCP port");
});

after(async () => {
  await server?.stop();
  await db?.close();
});

test("the role is created with LOGIN and CREATEROLE only, and owns the database, its objects and schema public", async () => {
  const result = await asMaster(spec());
  assert.deepEqual(result, { role: ROLE, database: "postgres", created: true, reassigned: true });
  const role = (await db.query<Record<string, unknown>>("SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1", [ROLE])).rows[0];
  assert.deepEqual(role, { rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: true, rolreplication: false, rolbypassrls: false });
  assert.equal(await value("SELECT datdba::regrole::text FROM pg_database WHERE datname = 'postgres'"), ROLE);
  for (const object of ["legacy", "legacy_id_seq", "reports.totals"]) {
    assert.equal(await value("SELECT relowner::regrole::text FROM pg_class WHERE oid = $1::regclass", [object]), ROLE, `${object} belongs to the role`);
  }
  assert.equal(await value("SELECT typowner::regrole::text FROM pg_type WHERE typname = 'legacy_state'"), ROLE);
  assert.equal(await value("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'reports'"), ROLE);
  assert.equal(await value("SELECT has_schema_privilege($1, 'public', 'CREATE')", [ROLE]), true, "it may create tables in public");
});

test("the master's other databases stay the master's: REASSIGN OWNED moves nothing outside the app's database", async () => {
  assert.equal(await value("SELECT datdba::regrole::text FROM pg_database WHERE datname = 'other'"), "master");
  assert.equal(await value("SELECT has_database_privilege($1, 'other', 'CREATE')", [ROLE]), false);
});

test("the password is stored as md5 of password and role, as the image's libpq 9.3 needs", async () => {
  const stored = await value<string>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [ROLE]);
  assert.equal(stored, `md5${createHash("md5").update(`first-password-0123456789${ROLE}`).digest("hex")}`);
});

test("running again is idempotent; a changed password is applied", async () => {
  const again = await asMaster(spec());
  assert.deepEqual(again, { role: ROLE, database: "postgres", created: false, reassigned: false });
  await asMaster(spec({ password: "second-password-0123456789" }));
  const stored = await value<string>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [ROLE]);
  assert.equal(stored, storedPassword({ role: ROLE, password: "second-password-0123456789", passwordEncryption: "md5" }));
  assert.equal(await value("SELECT count(*)::int FROM pg_roles WHERE rolname = $1", [ROLE]), 1);
});

test("the role does what the app does at start: tables, and the analyst role with its grants and password reset", async () => {
  // upstream src/app/server/model.py create_analyst_user / reset_analyst_password and alembic 50058a07f33.
  const denied = await attemptAs(
    ROLE,
    `CREATE TABLE appuser (id int, email text, password text);
     CREATE USER analyst WITH PASSWORD 'a-generated-password';
     GRANT USAGE ON SCHEMA public TO analyst;
     GRANT SELECT (id, email) ON appuser TO analyst;
     GRANT SELECT ON legacy TO analyst;
     ALTER ROLE analyst WITH PASSWORD 'another-generated-password';
     INSERT INTO legacy (body) VALUES ('written by the app');`,
  );
  assert.equal(denied, undefined);
});

test("the role cannot do what a superuser or the master can", async () => {
  const refused: Record<string, string> = {
    "COPY (SELECT 1) TO PROGRAM 'id'": "run programs on the server",
    "SELECT * FROM superuser_only": "read another role's table",
    "ALTER ROLE aquamark_app SUPERUSER": "make itself superuser",
    "ALTER ROLE aquamark_app CREATEDB": "give itself CREATEDB",
    "CREATE ROLE sneaky SUPERUSER": "create a superuser",
    "GRANT pg_execute_server_program TO aquamark_app": "take a predefined role",
    "GRANT pg_read_server_files TO aquamark_app": "read server files",
    "GRANT master TO aquamark_app": "become the master",
    "ALTER ROLE master PASSWORD 'taken'": "change the master's password",
    "ALTER DATABASE other OWNER TO aquamark_app": "take another database",
    "CREATE DATABASE mine": "create databases",
  };
  for (const [sql, what] of Object.entries(refused)) {
    assert.ok(await attemptAs(ROLE, sql), `the role must not ${what}: ${sql}`);
  }
});

test("without createRole the role may not create roles", async () => {
  await asMaster(spec({ role: "plain_app", createRole: false }));
  assert.equal(await value("SELECT rolcreaterole FROM pg_roles WHERE rolname = 'plain_app'"), false);
  assert.ok(await attemptAs("plain_app", "CREATE ROLE nobody"));
  // The database moved to plain_app; give it back for the tests that follow.
  await asMaster(spec());
});

test("hostile values: names are checked before connecting, and a password with quotes and backslashes is stored exactly (scram)", async () => {
  for (const bad of ['x"; DROP ROLE master; --', "Upper", "a b", "", "x".repeat(64)]) {
    assert.throws(() => validateSpec(spec({ role: bad })), /role must be a lower-case SQL name/);
    assert.throws(() => validateSpec(spec({ database: bad })), /database must be a lower-case SQL name/);
  }
  assert.throws(() => validateSpec({ ...spec(), passwordEncryption: "plain" }), /passwordEncryption/);
  const hostile = `'); DROP ROLE master; -- \\' $$ "quoted" ünïcode`;
  // "user" is a reserved word: it only works when quoted as an identifier.
  await asMaster(spec({ role: "user", password: hostile, passwordEncryption: "scram-sha-256", createRole: false }));
  const verifier = await value<string>("SELECT rolpassword FROM pg_authid WHERE rolname = 'user'");
  assert.ok(scramMatches(verifier, hostile), "the verifier is the hostile password's");
  assert.equal(await value("SELECT count(*)::int FROM pg_roles WHERE rolname = 'master'"), 1, "the master is still there");
  await asMaster(spec());
});

test("a superuser role of the same name is refused, and the transaction leaves nothing behind", async () => {
  await db.exec("CREATE ROLE boss SUPERUSER");
  await assert.rejects(asMaster(spec({ role: "boss" })), /is a superuser or has REPLICATION or BYPASSRLS/);
  assert.equal(await value("SELECT datdba::regrole::text FROM pg_database WHERE datname = 'postgres'"), ROLE, "nothing changed hands");
});

test("the bundled function (what Lambda runs) makes the role from its event, the master's credentials in the event only", async () => {
  const dir = mkdtempSync(join(tmpdir(), "app-role-fn-"));
  const file = join(dir, "index.js");
  writeFileSync(file, handlerBundle());
  const saved = { ...process.env };
  // PGlite speaks no TLS and keeps one session: the master is set on it before the bundle connects.
  // Where the database is comes from the environment, who connects from the event (never the environment).
  Object.assign(process.env, { PGHOST: "127.0.0.1", PGPORT: String(port), PGSSLMODE: "disable" });
  delete process.env.PGUSER;
  delete process.env.PGPASSWORD;
  await db.exec("SET SESSION AUTHORIZATION master");
  try {
    const fn = require(file) as { handler: (event: unknown) => Promise<unknown> };
    const master = { user: "master", password: "master-password" };
    await assert.rejects(fn.handler({ role: "Bad Name", master }), /invalid app role event: role must be a lower-case SQL name/);
    await assert.rejects(fn.handler(spec({ role: "bundled_app" })), /invalid app role event: master\.user must be the master user's name; master\.password must be the master password/);
    const result = await fn.handler({ ...spec({ role: "bundled_app", createRole: false }), master });
    assert.deepEqual(result, { role: "bundled_app", database: "postgres", created: true, reassigned: false });
    assert.equal(await value("SELECT datdba::regrole::text FROM pg_database WHERE datname = 'postgres'"), "bundled_app");
  } finally {
    await db.exec("SET SESSION AUTHORIZATION postgres");
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
    await asMaster(spec());
  }
});
