/**
 * The Lambda handler of {@link PostgresAppRole} (components/aws/postgres-app-role.ts): connects to the
 * database as the master user and makes the application's role what the event asks for. Bundled with
 * its `pg` client into the function's code by esbuild; no other module of the program is imported at run time.
 *
 * Every step is idempotent, so the function can run on every change of its inputs, and all of it runs
 * in one transaction, so a failure leaves the database as it was.
 */
import { createHash } from "node:crypto";
import { Client, type ClientConfig } from "pg";

// How the role's password is stored: md5 for clients with libpq < 10 (no SCRAM), else scram-sha-256. A type
// only: nothing of that module reaches the bundle.
import type { PasswordEncryption } from "../docker/postgres-app-role";
export type { PasswordEncryption };

/** What one invocation asks for (the Invocation's `input`). */
export interface AppRoleSpec {
  /** The application's role: LOGIN, never SUPERUSER, CREATEDB, REPLICATION or BYPASSRLS. */
  role: string;
  /** Its password. */
  password: string;
  /** The application's database: the role owns it, its schema `public` and every object the master owned in it. */
  database: string;
  /** May the role create (and on PostgreSQL ≥ 16 administer only its own) roles. */
  createRole: boolean;
  /** How the password is stored. */
  passwordEncryption: PasswordEncryption;
}

/**
 * What the function receives: the spec, and the master's credentials. They travel in the invocation's
 * payload (a Pulumi secret in state), not in the function's environment, which
 * `lambda:GetFunctionConfiguration` returns in clear text to anyone allowed to read the function.
 */
export interface AppRoleEvent extends AppRoleSpec {
  master: { user: string; password: string };
}

/** The one method of a `pg` client the steps use, so tests can hand in any connected client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What {@link ensureAppRole} did, returned by the function (and so kept in the Invocation's `result`). */
export interface AppRoleResult {
  role: string;
  database: string;
  created: boolean;
  /** The master owned tables, sequences or views in the database, which now belong to the role. */
  reassigned: boolean;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks an event before anything connects; throws naming the field. */
export function validateSpec(spec: unknown): AppRoleSpec {
  const s = (spec ?? {}) as Partial<Record<keyof AppRoleSpec, unknown>>;
  const problems: string[] = [];
  for (const key of ["role", "database"] as const) {
    if (typeof s[key] !== "string" || !NAME.test(s[key])) problems.push(`${key} must be a lower-case SQL name, got ${JSON.stringify(s[key])}`);
  }
  if (typeof s.password !== "string" || s.password.length < 16) problems.push("password must be a string of at least 16 characters");
  if (typeof s.createRole !== "boolean") problems.push("createRole must be true or false");
  if (s.passwordEncryption !== "md5" && s.passwordEncryption !== "scram-sha-256") problems.push(`passwordEncryption must be md5 or scram-sha-256, got ${JSON.stringify(s.passwordEncryption)}`);
  if (problems.length > 0) throw new Error(`invalid app role event: ${problems.join("; ")}`);
  return s as AppRoleSpec;
}

/** Checks a whole event (spec and master credentials) before anything connects; throws naming the field. */
export function validateEvent(event: unknown): AppRoleEvent {
  const spec = validateSpec(event);
  const master = (event as { master?: unknown }).master as Partial<Record<"user" | "password", unknown>> | undefined;
  const problems: string[] = [];
  if (typeof master?.user !== "string" || master.user === "") problems.push("master.user must be the master user's name");
  if (typeof master?.password !== "string" || master.password === "") problems.push("master.password must be the master password");
  if (problems.length > 0) throw new Error(`invalid app role event: ${problems.join("; ")}`);
  return { ...spec, master: { user: String(master?.user), password: String(master?.password) } };
}

/**
 * The password as the server stores it. md5 is hashed here, as `psql \password` does
 * (`"md5" || md5(password || role)`, PostgreSQL docs "Password Authentication"), so the clear text never
 * reaches the server or its statement log; a pre-hashed value is stored as is whatever
 * `password_encryption` says (docs, CREATE ROLE: "If the presented password string is already in
 * MD5-encrypted or SCRAM-encrypted format, then it is stored as-is"). SCRAM is left to the server, so
 * with scram-sha-256 the clear text is a literal of the statement and reaches the server's log if
 * `log_statement` covers DDL (PostgreSQL's default is `none`); aquamark uses md5.
 */
export function storedPassword(spec: Pick<AppRoleSpec, "role" | "password" | "passwordEncryption">): string {
  return spec.passwordEncryption === "md5" ? `md5${createHash("md5").update(spec.password + spec.role).digest("hex")}` : spec.password;
}

/** A statement built by the server's own quoting (`format` with %I for names and %L for literals). */
async function formatted(db: Queryable, template: string, ...values: string[]): Promise<string> {
  const { rows } = await db.query(`SELECT format($1, ${values.map((_, i) => `$${i + 2}::text`).join(", ")}) AS sql`, [template, ...values]);
  return String(rows[0].sql);
}

async function one(db: Queryable, sql: string, values: unknown[]): Promise<Record<string, unknown> | undefined> {
  return (await db.query(sql, values)).rows[0];
}

/**
 * Makes the application's role as `spec` says, connected as the master user to `spec.database`.
 * The caller owns the transaction (see {@link handler}).
 */
export async function ensureAppRole(db: Queryable, spec: AppRoleSpec): Promise<AppRoleResult> {
  const current = await one(db, "SELECT current_user AS me, current_database() AS db, current_setting('server_version_num')::int AS version", []);
  if (!current) throw new Error("no answer from the server");
  const version = Number(current.version);
  if (current.db !== spec.database) throw new Error(`connected to database ${String(current.db)}, not ${spec.database}`);
  if (current.me === spec.role) throw new Error(`the application's role must not be the master user ${spec.role}`);

  // 1. The role itself. Its attributes are stated on every run, so a role changed by hand is brought
  //    back to them. SUPERUSER, REPLICATION and BYPASSRLS are named only on CREATE: ALTER ROLE naming them
  //    at all needs a superuser (PostgreSQL ≥ 16 AlterRole), so an existing role that has one is refused.
  if (spec.passwordEncryption === "scram-sha-256") await db.query("SELECT set_config('password_encryption', 'scram-sha-256', true)");
  const common = `LOGIN NOCREATEDB ${spec.createRole ? "CREATEROLE" : "NOCREATEROLE"} INHERIT CONNECTION LIMIT -1`;
  const existing = await one(db, "SELECT rolsuper OR rolreplication OR rolbypassrls AS mighty FROM pg_roles WHERE rolname = $1", [spec.role]);
  if (existing?.mighty === true) throw new Error(`role ${spec.role} is a superuser or has REPLICATION or BYPASSRLS; refusing to use it as the application's role`);
  const statement = existing ? `ALTER ROLE %I WITH ${common} PASSWORD %L` : `CREATE ROLE %I WITH ${common} NOSUPERUSER NOREPLICATION NOBYPASSRLS PASSWORD %L`;
  await db.query(await formatted(db, statement, spec.role, storedPassword(spec)));

  // 2. The master must hold the role's privileges to hand it ownership: ALTER ... OWNER needs SET ROLE,
  //    REASSIGN OWNED the privileges of both roles (INHERIT). PostgreSQL ≥ 16 gives the creator of a role
  //    ADMIN OPTION only (createrole_self_grant is empty by default), so both are granted explicitly;
  //    before 16 plain membership gives both. The master holding the role's privileges gives it nothing new.
  const canAct = await one(
    db,
    version >= 160000 ? "SELECT pg_has_role(current_user, $1, 'SET') AND pg_has_role(current_user, $1, 'USAGE') AS ok" : "SELECT pg_has_role(current_user, $1, 'USAGE') AS ok",
    [spec.role],
  );
  if (canAct?.ok !== true) {
    await db.query(await formatted(db, version >= 160000 ? "GRANT %I TO CURRENT_USER WITH INHERIT TRUE, SET TRUE" : "GRANT %I TO CURRENT_USER", spec.role));
  }

  // 3. The database, and everything in it the master owns (tables, sequences, types, functions, schemas:
  //    after a snapshot hand-over the old system's objects belong to the master). REASSIGN OWNED also
  //    moves shared objects, so the master's other databases and tablespaces are recorded first and given
  //    back in the same transaction: nothing outside the application's database changes hands.
  const otherDatabases = (await db.query("SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND datname <> current_database()")).rows.map((r) => String(r.datname));
  const tablespaces = (await db.query("SELECT spcname FROM pg_tablespace WHERE spcowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)")).rows.map((r) => String(r.spcname));
  const owned = await one(
    db,
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%') AS any`,
    [],
  );
  await db.query(await formatted(db, "ALTER DATABASE %I OWNER TO %I", spec.database, spec.role));
  await db.query(await formatted(db, "REASSIGN OWNED BY CURRENT_USER TO %I", spec.role));
  for (const name of otherDatabases) await db.query(await formatted(db, "ALTER DATABASE %I OWNER TO CURRENT_USER", name));
  for (const name of tablespaces) await db.query(await formatted(db, "ALTER TABLESPACE %I OWNER TO CURRENT_USER", name));

  // 4. Schema public: PostgreSQL ≥ 15 lets only its owner create in it, and from 15 on a new database's
  //    public belongs to pg_database_owner (now the role). An older one is taken over when the master
  //    may, else the role is granted CREATE on it.
  const publicOwner = await one(db, "SELECT nspowner::regrole::text AS owner, pg_has_role(current_user, nspowner, 'MEMBER') AS mine FROM pg_namespace WHERE nspname = 'public'", []);
  if (publicOwner && publicOwner.owner !== "pg_database_owner" && publicOwner.owner !== spec.role) {
    if (publicOwner.mine === true) await db.query(await formatted(db, "ALTER SCHEMA public OWNER TO %I", spec.role));
    else await db.query(await formatted(db, "GRANT USAGE, CREATE ON SCHEMA public TO %I", spec.role));
  }

  return { role: spec.role, database: spec.database, created: !existing, reassigned: owned?.any === true };
}

/**
 * Connection settings of the master user: where the database is from the function's environment (set
 * by PostgresAppRole), who connects from the event.
 */
export function masterConnection(env: NodeJS.ProcessEnv, event: AppRoleEvent): ClientConfig {
  const missing = ["PGHOST", "PGPORT"].filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`missing environment: ${missing.join(", ")}`);
  return {
    host: env.PGHOST,
    port: Number(env.PGPORT),
    user: event.master.user,
    password: event.master.password,
    database: event.database,
    // RDS for PostgreSQL ≥ 15 sets rds.force_ssl = 1. The certificate is checked against the RDS CAs,
    // which Lambda's Node.js ≥ 20 runtimes load only through NODE_EXTRA_CA_CERTS (set by PostgresAppRole).
    ssl: env.PGSSLMODE === "disable" ? false : { rejectUnauthorized: true },
    connectionTimeoutMillis: 15_000,
    statement_timeout: 60_000,
  };
}

/** A client {@link run} connects, uses and closes (a `pg` Client). */
export interface Connection extends Queryable {
  connect(): Promise<unknown>;
  end(): Promise<unknown>;
}

/** Runs {@link ensureAppRole} in one transaction over `client`, which it connects and closes. */
export async function run(client: Connection, event: unknown): Promise<AppRoleResult> {
  const spec = validateSpec(event);
  await client.connect();
  try {
    await client.query("BEGIN");
    try {
      const result = await ensureAppRole(client, spec);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK");
      throw err;
    }
  } finally {
    await client.end();
  }
}

/** The Lambda entry point (`index.handler`). */
export async function handler(raw: unknown): Promise<AppRoleResult> {
  const event = validateEvent(raw);
  const result = await run(new Client(masterConnection(process.env, event)), event);
  // What changed, for the function's log (no password in it).
  console.log(JSON.stringify(result));
  return result;
}
