/**
 * An application's own Postgres role and database, created when the official postgres image
 * initialises an empty data directory, so the app never holds the superuser's password.
 *
 * The official image runs `/docker-entrypoint-initdb.d/*.sh` once, on first start with an empty
 * data directory, as the superuser (docker-library/postgres docker-entrypoint.sh
 * `docker_process_init_files`). The role owns its database and may create databases, which is what a
 * `pg_dump --clean --create` restore needs (it drops and re-creates the database it dumped), but it is
 * not a superuser: no `COPY … FROM PROGRAM`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerSpec } from "./container-stack";

/** How the server stores passwords: scram-sha-256 (Postgres ≥ 14 default) or md5 for clients with libpq < 10. */
export type PasswordEncryption = "scram-sha-256" | "md5";

/** Arguments of {@link postgresWithAppRole}. */
export interface PostgresAppRoleArgs {
  /** Container name (its DNS name on the stack's network). */
  name: string;
  /** Pinned postgres image (the official one: its entrypoint runs the init script). */
  image: string;
  /** The application's role (may be a generated Output; quoted as an identifier in SQL). */
  role: pulumi.Input<string>;
  /** Its database, owned by the role. */
  database: pulumi.Input<string>;
  /** The role's password (secret). */
  rolePassword: pulumi.Input<string>;
  /** The superuser's password (secret); the superuser is `postgres`. */
  superuserPassword: pulumi.Input<string>;
  /** Password storage and host authentication. Default: "scram-sha-256". */
  passwordEncryption?: PasswordEncryption;
  /** Extra server settings, e.g. { max_connections: "400" }. Default: none. */
  settings?: Record<string, string>;
  /** Everything else of the container (mounts, ports, after, …). */
  container?: Omit<ContainerSpec, "name" | "image" | "env" | "command" | "files" | "healthcheck">;
}

const INIT_SCRIPT = "/docker-entrypoint-initdb.d/10-app-role.sh";

/**
 * The init script: the role (password hashed as configured) and its database. Names and password come
 * from the environment through psql variables (`:"role"` quotes an identifier, `:'pw'` a literal), so
 * no value is spliced into SQL or shell text.
 */
export function appRoleInitScript(encryption: PasswordEncryption): string {
  // Sourced by the entrypoint when not executable (docker-entrypoint.sh): no `set` here; ON_ERROR_STOP
  // makes psql fail, and the entrypoint's `set -e` stops the initialisation.
  return `#!/bin/sh
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\
  --set=role="$APP_ROLE" --set=db="$APP_DATABASE" --set=pw="$APP_ROLE_PASSWORD" <<'SQL'
SET password_encryption = '${encryption}';
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"role";
SQL
`;
}

/** The postgres container: superuser `postgres`, the app's role and database, health checked as the role. */
export function postgresWithAppRole(args: PostgresAppRoleArgs): ContainerSpec {
  const encryption = args.passwordEncryption ?? "scram-sha-256";
  const settings = { ...(encryption === "md5" ? { password_encryption: "md5" } : {}), ...(args.settings ?? {}) };
  for (const key of Object.keys(settings)) if (!/^[a-z_]+$/.test(key)) throw new Error(`postgresWithAppRole ${args.name}: setting ${key} is not a Postgres parameter name`);
  const flags = Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  return {
    ...args.container,
    name: args.name,
    image: args.image,
    command: flags.length ? ["postgres", ...flags] : undefined,
    env: {
      POSTGRES_USER: "postgres",
      POSTGRES_PASSWORD: args.superuserPassword,
      APP_ROLE: args.role,
      APP_DATABASE: args.database,
      APP_ROLE_PASSWORD: args.rolePassword,
      PGDATA: "/var/lib/postgresql/data/pgdata",
      // pg_hba for non-local connections; md5 also accepts SCRAM-stored passwords.
      ...(encryption === "md5" ? { POSTGRES_HOST_AUTH_METHOD: "md5" } : {}),
    },
    files: [{ path: INIT_SCRIPT, content: appRoleInitScript(encryption) }],
    healthcheck: ["CMD-SHELL", 'pg_isready -U "$APP_ROLE" -d "$APP_DATABASE"'],
  };
}
