/**
 * What the `aquamark` image really needs, each fact read in its upstream source
 * (Radhika-Envision/Upmark, the renamed vpac-innovations/aquamark; seed 002 is doc/aws.md at 3f1e5754).
 * Facts: /work/shared/facts/app-contracts.md rows A1–A10.
 */

/** The upstream repository; no image was ever published (Makefile: `docker build -t vpac/aquamark` only, no `docker push` in history). */
export const SOURCE_REPOSITORY = "https://github.com/Radhika-Envision/Upmark.git";
/** Build context inside the repository (Makefile @v1.4.7: `docker build -t $(DOCKER_TAG) src/app`). */
export const BUILD_CONTEXT = "src/app";
/** Default version: the last tag on ubuntu:14.04 with PORT 8000 and both daemons (tag v1.4.7 = 3480f9bb5b26fb3cf5797cd078fc95771d7afc2d). */
export const DEFAULT_VERSION = "v1.4.7";
/** Oldest tag that has both daemons: `server/recalculate.py` appears in v1.1.0, `server/notifications.py` in v1.2.1 (`git ls-tree v1.2.1`). */
export const OLDEST_VERSION_WITH_DAEMONS = "v1.2.1";
/** Upstream release tags look like v1.4.7 (`git tag` of the repository: v1.0.1 … v1.5.0). */
export const VERSION_TAG = /^v([0-9]+)\.([0-9]+)\.([0-9]+)$/;

/** Port the web server binds: `app.py` @v1.4.7 `os.environ.get('PORT', '8000')`; the Dockerfile's `ENV PORT` is 8000 up to v1.4.7 and 80 from v1.5.0, so it is always set. */
export const PORT = 8000;
/** Health path: `app.py` `(r"/ping.*", handlers.PingHandler)`; PingHandler queries the DB and answers "Web services are UP" without a login. */
export const HEALTH_PATH = "/ping";
/** Working directory of the image: `src/app/Dockerfile` @v1.4.7 `WORKDIR /usr/share/aquamark/app/`. */
export const APP_DIR = "/usr/share/aquamark/app";

/** Environment the web app and daemons read (`app.py` @v1.4.7 lines 77-93 and 138; `server/aws.py` lines 20-40). */
export const ENV = {
  /** `app.py` `os.environ['DATABASE_URL']`; `alembic/env.py` and both daemons read it too. */
  databaseUrl: "DATABASE_URL",
  /** `app.py` `os.environ.get('PORT', '8000')`. */
  port: "PORT",
  /** `app.py` `os.environ.get('ANALYTICS_ID', '')`. */
  analyticsId: "ANALYTICS_ID",
  /** `app.py` `os.environ.get('DEV_MODE') or 'True'`: the image sets False (Dockerfile `ENV DEV_MODE=False`); set here so no build can turn tracebacks on. */
  devMode: "DEV_MODE",
} as const;

/**
 * S3 storage is off on purpose: `server/aws.py` @v1.4.7 uses S3 only when `AWS_ACCESS_KEY_ID` is set
 * (`if aws_access_key_id == '': log.info("Using database storage for new files")`) and then passes the
 * keys to boto3 explicitly, so an instance role cannot serve. The program gives no access keys: files
 * are stored in the database. Listed here so a test fails if any of them reaches the image.
 */
export const S3_ENV_NOT_SET = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION_NAME", "AWS_BUCKET"] as const;

/** The daemons, as the seed starts them (seed 002: `python3 ./server/recalculate.py`, `./server/notifications.py`). */
export const DAEMONS = {
  recalculate: { command: ["python3", "./server/recalculate.py"], configFile: "recalculate.yaml" },
  notifications: { command: ["python3", "./server/notifications.py"], configFile: "notification.yaml" },
} as const;
export type Daemon = keyof typeof DAEMONS;

/** Where the daemons read their YAML: `utils.get_config(name)` = `<package>/../config/<name>` (`server/utils.py` @v1.4.7 line 28). */
export const CONFIG_DIR = `${APP_DIR}/config`;

/** Mail keys both daemons read (`server/mail.py` @v1.4.7: SMTP_SERVER, SMTP_PORT, SMTP_USE_TLS, SMTP_USERNAME, SMTP_PASSWORD, MESSAGE_SEND_FROM; `send_error`/`send_email`: ERROR_SEND_TO). */
export const MAIL_KEYS = ["SMTP_SERVER", "SMTP_PORT", "SMTP_USE_TLS", "SMTP_USERNAME", "SMTP_PASSWORD", "MESSAGE_SEND_FROM", "ERROR_SEND_TO"] as const;
/**
 * `server/mail.py` opens `smtplib.SMTP(host:port)` and then `starttls()`: plain SMTP with STARTTLS,
 * never implicit TLS, so 465 cannot work.
 */
export const SMTP_IMPLICIT_TLS_PORT = 465;

/**
 * The rest of each file, copied from the image's own `config/<file>` @v1.4.7: the daemons read
 * these keys too (notifications.py: MESSAGE_BROADCAST, MESSAGE_STANDARD, DATE_FORMAT, MESSAGE_CONTENT,
 * MESSAGE_SUBJECT, ERROR_CONTENT, ERROR_SUBJECT, MAX_ACTIVITIES, MAX_EMAILS_PER_SECOND, JOB_INTERVAL_SECONDS;
 * recalculate.py: ERROR_CONTENT, ERROR_SUBJECT, JOB_INTERVAL_SECONDS), and the bind mount hides the image's file.
 */
export const DAEMON_FILE_DEFAULTS: Record<Daemon, Record<string, string | number>> = {
  recalculate: {
    // src/app/config/recalculate.yaml @v1.4.7
    JOB_INTERVAL_SECONDS: 300,
    ERROR_SUBJECT: "Upmark - Submission score calculation error",
    ERROR_CONTENT: [
      "This is a notification from an automated process that updates the scores of",
      "submissions in Upmark. The process runs when a survey changes,",
      "e.g. when a measure's weight is modified.",
      "",
      "Some errors were encountered when updating submission scores:",
      "",
      "{message}",
      "",
    ].join("\n"),
  },
  notifications: {
    // src/app/config/notification.yaml @v1.4.7
    JOB_INTERVAL_SECONDS: 3600,
    MAX_EMAILS_PER_SECOND: 10,
    MAX_ACTIVITIES: 1000,
    DATE_FORMAT: "{0:%d %b %Y %H:%M}",
    MESSAGE_SUBJECT: "{app_name_short} - Activity Notification",
    MESSAGE_CONTENT: [
      "The following changes have been made to your subscriptions.",
      "",
      "{activities}",
      "",
      "{messages}",
      "",
      "To opt out of these notifications, visit your profile page at:",
      "{app_base_url}/#/1/user/{user_id}",
      "",
    ].join("\n"),
    MESSAGE_BROADCAST: ["{user_name} said:", "{message}", "{date}", ""].join("\n"),
    MESSAGE_STANDARD: ["{message}", "{user_name} {verbs} this {ob_type}", "{date}", ""].join("\n"),
    ERROR_SUBJECT: "{app_name_short} - Notification error",
    ERROR_CONTENT: ["Some errors were encountered when processing timeline notifications:", "", "{message}", ""].join("\n"),
  },
};

/**
 * Database: the image's driver is apt `python3-psycopg2` on ubuntu:14.04 (libpq 9.3; v1.5.x 16.04,
 * libpq 9.5), and libpq speaks SCRAM only from 10, so passwords must be stored as md5. RDS ≥ 14
 * defaults `password_encryption` to scram-sha-256 (AWS blog "SCRAM Authentication in RDS for PostgreSQL 13").
 */
export const PASSWORD_ENCRYPTION = "md5";
/** PostgreSQL 18 deprecates md5 passwords (release notes: "Deprecate MD5 password authentication"); 17 is the newest major this image can be trusted on. */
export const NEWEST_ENGINE_MAJOR = 17;
/**
 * 16: the app's role needs CREATEROLE (DATABASE_ROLE), which before PostgreSQL 16 lets a role grant itself
 * membership in any non-superuser role and alter any of them; 16 restricts it to roles it has ADMIN OPTION on,
 * i.e. those it created (PostgreSQL 16 release notes: "Restrict the privileges of CREATEROLE and its ability
 * to modify other roles").
 */
export const OLDEST_ENGINE_MAJOR = 16;

/**
 * What the app does in its database besides reading and writing its tables, so what its role needs:
 * - tables (and the enum types SQLAlchemy makes) in schema `public`: `alembic upgrade head` (seed 002) runs
 *   as DATABASE_URL's user (`alembic/env.py` @v1.4.7 sets `sqlalchemy.url` from it);
 * - `CREATE USER analyst WITH PASSWORD ...` and `GRANT USAGE ON SCHEMA public` / `GRANT SELECT ON <table>
 *   TO analyst`: alembic revision 50058a07f33 "Added analyst user", and at every start `app.py` `connect_db()`
 *   calls `model.create_analyst_user()` when `pg_user` has no `analyst` and `model.reset_analyst_password()`
 *   (`ALTER ROLE analyst WITH PASSWORD`) when the stored password fails (`server/model.py` @v1.4.7
 *   lines 1450-1481, 1520-1546): CREATEROLE;
 * - no extension, no other schema, no database (`git grep -i "extension\|create schema"` @v1.4.7: none).
 */
export const DATABASE_ROLE = {
  /** The app's own role (the program's choice; the app reads it from DATABASE_URL only). */
  name: "aquamark_app",
  createRole: true,
} as const;

/** Schema migrations: seed 002 `docker run --rm vpac/aquamark alembic upgrade head`; `alembic.ini` is in the WORKDIR and `alembic/env.py` reads DATABASE_URL. */
export const MIGRATE = ["alembic", "upgrade", "head"] as const;

// One-time step left to the operator (docs/apps-aws.md, "First login"): on an empty database `app.py`
// `default_settings()` (line 156) creates the user `admin` with password `admin`; log in and change it
// before the DNS name is public.

/** True when `version` is an upstream tag at or after {@link OLDEST_VERSION_WITH_DAEMONS}. */
export function hasBothDaemons(version: string): boolean {
  const m = VERSION_TAG.exec(version);
  const oldest = VERSION_TAG.exec(OLDEST_VERSION_WITH_DAEMONS);
  if (!m || !oldest) return false;
  for (let i = 1; i <= 3; i++) {
    const d = Number(m[i]) - Number(oldest[i]);
    if (d !== 0) return d > 0;
  }
  return true;
}
