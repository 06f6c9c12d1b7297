/**
 * What the program assumes about ramascene (seed 003), each fact with where it was read. Upstream:
 * CMLPlatform/ramascene; the seed is docs/source/deployment.rst @066dac1. The only Dockerfile and
 * compose file are at 10c24a2/0fe5014 (2023), which build locally (no published image, app-contracts R1).
 */
export const RAMASCENE = {
  repository: "https://github.com/CMLPlatform/ramascene.git",
  /** Dockerfile @0fe5014: targets `python` (daphne, celery) and `nginx` (collected static files under /var/www/html). */
  targets: { app: "python", static: "nginx" },
  /** config/ (base.py, dev.py, production.py) @0fe5014; `.env`: `DJANGO_SETTINGS_MODULE='ramasceneMasterProject.config.production'`. */
  settingsModule: "ramasceneMasterProject.config.production",
  /** Seed 003: `daphne -b 0.0.0.0 -p 8001 ramasceneMasterProject.asgi:application` (upstream's image CMD uses 8000; we pass the command). */
  daphnePort: 8001,
  daphneCommand: (port: number) => ["daphne", "-b", "0.0.0.0", "-p", String(port), "ramasceneMasterProject.asgi:application"],
  /**
   * Build arguments the bundle and collectstatic need (Dockerfile @0fe5014 `ARG HOST WS_HOST PROTOCOL WS_PROTOCOL …`;
   * webpack.config.js @0fe5014 lines 45-46 bake `WS_PROTOCOL://WS_HOST/ws/ramascene/` and `PROTOCOL://HOST/ajaxhandling/`
   * into the bundle; docker-compose.yml @0fe5014 passes `PUBLIC_DIR: public`). config/production.py reads
   * os.environ['SECRET_KEY'], ['BROKER_URL'], ['DATASETS_VERSION'], ['HOST'] at import, so collectstatic needs values:
   * the build gets placeholders, never the real secret (build arguments stay in the image history).
   */
  buildArgs: (domain: string, settingsModule: string, datasetsVersion: string): Record<string, string> => ({
    DJANGO_SETTINGS_MODULE: settingsModule,
    HOST: domain,
    WS_HOST: domain,
    PROTOCOL: "https",
    WS_PROTOCOL: "wss",
    PUBLIC_DIR: "public",
    DATABASE_NAME: "db.sqlite3",
    DATASETS_VERSION: datasetsVersion,
    REDIS_HOST: "redis",
    SECRET_KEY: "build-time-placeholder-not-used-at-runtime",
    BROKER_URL: "amqp://build:placeholder@localhost:5672//",
  }),
  /**
   * config/base.py @0fe5014 line 124: `'NAME': os.environ.get('DATABASES_DEFAULT_NAME', …)` (from 6c5c645, 2019).
   * The Dockerfile sets `ENV DATABASES_DEFAULT_NAME=/mnt/data/${DATABASE_NAME}` and `DATASETS_DIR=/mnt/datasets`
   * and creates both directories for user wodby (uid 1000).
   */
  sqliteDir: "/mnt/data",
  sqliteFile: "/mnt/data/db.sqlite3",
  datasetsDir: "/mnt/datasets",
  /**
   * Dockerfile @0fe5014 `USER wodby` (wodby/python images: uid 1000); the Dockerfile @09c333bb says it outright,
   * `--chown=1000:1000` and `USER 1000`. The mounted SQLite directory must be writable by it.
   */
  appUid: 1000,
  /** config/base.py @0fe5014 line 62: `redis_host = os.environ.get('REDIS_HOST', 'localhost')`, port fixed 6379. */
  redisEnv: "REDIS_HOST",
  /**
   * routing.py @0fe5014: the consumer is at `ramascene/`; the bundle connects to `/ws/ramascene/`, so the proxy strips
   * `/ws` (Dockerfile @0fe5014 nginx stage: `location /ws/ { proxy_pass http://app_server/; … Upgrade }`).
   */
  websocketPrefix: "/ws/",
  /** config/base.py @0fe5014 line 29: `STATIC_URL = '/static/'`; daphne with DEBUG=False does not serve it. */
  staticPrefix: "/static/",
  /**
   * The `nginx` target is wodby/nginx serving `root /var/www/html` with the collected files under `static/`; it needs
   * its backend named (docker-compose.yml @0fe5014: NGINX_BACKEND_HOST/PORT, NGINX_CONF_INCLUDE, NGINX_VHOST_PRESET).
   */
  staticPort: 80,
  staticEnv: (backendHost: string, backendPort: number): Record<string, string> => ({
    NGINX_BACKEND_HOST: backendHost,
    NGINX_BACKEND_PORT: String(backendPort),
    NGINX_CONF_INCLUDE: "conf.d/ramascene_vhost.conf",
    NGINX_VHOST_PRESET: "django",
  }),
  /** config/production.py @0fe5014 line 8: ALLOWED_HOSTS holds only `os.environ["HOST"]` besides upstream's own names. */
  allowedHostEnv: "HOST",
  /** Seed 003, "Celery details" and docker-compose.yml @0fe5014: queues, names, concurrency 1, one task per child. */
  worker: (queue: string, nodeName: string, concurrency = 1) =>
    ["celery", "-A", "ramasceneMasterProject", "worker", "-l", "info", "--concurrency", String(concurrency), "--max-tasks-per-child", "1", "--queue", queue, "-n", `${nodeName}.%h`],
  /**
   * Release steps: seed "migrate" and "populateHierarchies" (the image runs both at build time into a DB that the
   * mounted volume hides, app-contracts R10); populateHierarchies @0fe5014 uses `get_or_create`, so it is idempotent.
   */
  releaseSteps: [
    ["python", "manage.py", "migrate", "--noinput"],
    ["python", "manage.py", "populateHierarchies"],
  ],
  /** Seed 003 cron line `0 5 * * 0 … clear_models` (ramascene/management/commands/clear_models.py). */
  clearModels: ["python", "manage.py", "clear_models"],
} as const;
