/**
 * What the program assumes about topobank (seed 001), each fact with where it was read. Upstream:
 * ContactEngineering/topobank; the seed is docs/deploy.rst @ b9404384 (between 0.15.x and 0.16.0).
 * The Docker setup (compose/production) exists up to 1.0.x only (removed in 38b6324f, 2023-02-03).
 */
import type { BackupPostgresMajor } from "../../components/docker/postgres-backup-s3";
import type { SourceImageBuild } from "../../components/docker/source-image";

/** Topobank's Postgres major version: the server image and the backup's pg_dump both follow it. */
const POSTGRES_MAJOR: BackupPostgresMajor = "16";

export const TOPOBANK = {
  /** No published image (app-contracts T1): built from the repository. */
  repository: "https://github.com/ContactEngineering/topobank.git",
  /** production.yml @0.16.2: `build: context: . , dockerfile: ./compose/production/django/Dockerfile`. */
  build: { dockerfile: "compose/production/django/Dockerfile", context: "." } satisfies Partial<SourceImageBuild>,
  /** compose/production/django/start @0.16.2: `gunicorn config.wsgi --bind 0.0.0.0:5000`. */
  djangoPort: 5000,
  /** compose/production/django/celery/flower/start @0.16.2: `celery … flower` (flower's default port 5555; seed `0.0.0.0:5555->5555`). */
  flowerPort: 5555,
  /** Dockerfile @0.16.2 lines 52-67: the commands copied to /start, /start-celeryworker, /start-celerybeat, /start-flower. */
  commands: { django: ["/start"], celeryworker: ["/start-celeryworker"], celerybeat: ["/start-celerybeat"], flower: ["/start-flower"] },
  /** production.yml @0.16.2: `shm_size: '2gb'` on the django anchor (Firefox thumbnails), inherited by the workers. In MiB. */
  shmSizeMiB: 2048,
  /** .envs/.production/.django.template @0.16.2: `DJANGO_SETTINGS_MODULE=config.settings.production`. */
  settingsModule: "config.settings.production",
  /** .envs/.production/.django.template @0.16.2: Firefox and geckodriver from conda (Dockerfile line 25). */
  firefoxBinary: "/opt/conda/bin/FirefoxApp/firefox",
  geckodriver: "/opt/conda/bin/geckodriver",
  /**
   * compose/production/django/entrypoint @0.16.2: builds DATABASE_URL from POSTGRES_HOST/PORT/DB/USER/PASSWORD
   * and waits for Postgres; config/settings/base.py line 43 reads `env.db('DATABASE_URL')`.
   */
  postgresEnv: ["POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"],
  /** Seed 001 (.envs/.production/.postgres): database `topobank`. */
  database: "topobank",
  /** The seed's postgres is `FROM postgres:10.5`; Django 3.2 + psycopg2-binary 2.8.6 (libpq ≥ 10) handle 16 and SCRAM (app-contracts T9). */
  postgresImage: "postgres:16.4-bookworm",
  /** The image's major version (tests/apps/topobank.test.ts checks the two agree); the backup's ALPINE_VERSION follows it. */
  postgresMajor: POSTGRES_MAJOR,
  /** production.yml @0.16.2 runs postgres with `-c max_connections=2000`; gevent workers + celery with CONN_MAX_AGE exceed 100 (400: our bound). */
  postgresSettings: { max_connections: "400" },
  /**
   * One-time steps (seed 001, "ORCID" and "Terms and conditions"): `envsubst < orcid.yaml.template > orcid.yaml`,
   * `manage.py loaddata orcid.yaml` (orcid.yaml.template @0.16.2 holds one `socialaccount.socialapp` with pk 1, so
   * loading it again updates the same row), and `import_terms site-terms 1.0 topobank/static/other/TermsConditions.md`
   * (topobank/users/management/commands/import_terms.py @0.16.2 always `objects.create`s, so it is guarded).
   * gettext (envsubst) is installed by the Dockerfile @0.16.2 line 12. Migrations: seed "docker-compose … migrate";
   * compose/production/django/start @0.16.2 says "The migration should not be run automatically in production".
   */
  releaseSteps: [
    ["python", "manage.py", "migrate", "--noinput"],
    ["python", "manage.py", "register_analysis_functions"],
    ["sh", "-c", "envsubst < orcid.yaml.template > /tmp/orcid.yaml && python manage.py loaddata /tmp/orcid.yaml && rm /tmp/orcid.yaml"],
    [
      "sh",
      "-c",
      "python manage.py shell -c \"import sys; from termsandconditions.models import TermsAndConditions as T; sys.exit(0 if T.objects.filter(slug='site-terms', version_number='1.0').exists() else 1)\" || python manage.py import_terms site-terms 1.0 topobank/static/other/TermsConditions.md",
    ],
  ],
  /**
   * The scheduled off-site backup (security review M8: dumps encrypted client-side): postgres-backup-s3
   * (components/docker/postgres-backup-s3.ts, the build nmpi uses), its pg_dump built for postgresMajor.
   */
  backup: {
    /** S3_PREFIX without a trailing slash (backup.sh appends `/`): dumps under `backup/` as in the seed. */
    prefix: "backup",
  },
} as const;
