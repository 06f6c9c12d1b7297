/**
 * What the program assumes about nmpi (seed 000), each fact with where it was read. Upstream:
 * HumanBrainProject/ebrains-neuromorphic-job-queue-api (formerly bitbucket apdavison/nmpi); the seed
 * is documentation/developer_guide/deployment.rst @f7c4652 (2016).
 */
import type { BackupPostgresMajor } from "../../components/docker/postgres-backup-s3";
import type { SourceImageBuild } from "../../components/docker/source-image";

export const NMPI = {
  repository: "https://github.com/HumanBrainProject/ebrains-neuromorphic-job-queue-api.git",
  /**
   * The two services. Dockerfiles @b5da88d (2022-02-08, the last with both Django services): "To build the image,
   * from the parent directory: docker build … -f job_manager/Dockerfile ." — context the repository root.
   * `COPY build_info.json $SITEDIR` needs a file the seed's deploy.py wrote (f6c68d0: `{"git", "colour", "date"}`),
   * so the build writes it. `FROM debian:buster-slim` with python3-psycopg2 (libpq 11: SCRAM works).
   */
  services: {
    jobQueue: {
      container: "nmpi",
      build: { dockerfile: "job_manager/Dockerfile.prod", context: "." } satisfies Partial<SourceImageBuild>,
      /** job_manager/job_manager/urls.py @b5da88d: `^api/` (tastypie, no auth) answers; `/` is a 404. */
      healthPath: "/api/v2/",
      /** job_manager/deployment/nginx-app.conf @b5da88d: `ssl_certificate /etc/letsencrypt/live/nmpi.hbpneuromorphic.eu/fullchain.pem`. */
      certificateDir: "nmpi.hbpneuromorphic.eu",
    },
    quotas: {
      container: "quotas",
      build: { dockerfile: "resource_manager/Dockerfile.prod", context: "." } satisfies Partial<SourceImageBuild>,
      /** resource_manager/resource_manager/urls.py @b5da88d: `^admin/` (the login page answers 200); `/` needs a login. */
      healthPath: "/admin/login/",
      /** resource_manager/deployment/nginx-app.conf @b5da88d: `/etc/letsencrypt/live/quotas.hbpneuromorphic.eu/…`. */
      certificateDir: "quotas.hbpneuromorphic.eu",
    },
  },
  /** The build info file deploy.py wrote (f6c68d0, deploy.py): read by settings.py into BUILD_INFO / config.json. */
  buildInfo: (ref: string, colour: string) => ({ path: "build_info.json", content: JSON.stringify({ git: ref, colour, date: "pulumi" }) }),
  /** Dockerfile `EXPOSE 443`; nginx-app.conf `listen 443 ssl;` only, at f7c4652 and at b5da88d (app-contracts N3). */
  servicePort: 443,
  /** nginx-app.conf @b5da88d: certificates under the mounted /etc/letsencrypt. */
  letsencryptDir: "/etc/letsencrypt",
  /** settings.py @b5da88d lines 107-111 (job queue) and 90-94 (quotas): `'NAME': 'nmpi'`, `'USER': 'nmpi_dbadmin'`. */
  database: "nmpi",
  databaseUser: "nmpi_dbadmin",
  /** settings.py @b5da88d: NMPI_DATABASE_PASSWORD, NMPI_DATABASE_HOST, NMPI_DATABASE_PORT (default 5432). */
  databaseEnv: { password: "NMPI_DATABASE_PASSWORD", host: "NMPI_DATABASE_HOST", port: "NMPI_DATABASE_PORT" },
  postgresPort: 5432,
  /** Seed's tutum/postgresql is 9.3; 16 with SCRAM for the buster images, md5 on request for the jessie ones (app-contracts N8). */
  postgresImage: "postgres:16.6-bookworm",
  /** The server's major version: the backup's pg_dump is built for it (pg_dump refuses a newer server). */
  postgresMajor: "16" satisfies BackupPostgresMajor,
  /**
   * The backup: postgres-backup-s3 (components/docker/postgres-backup-s3.ts) built for postgresMajor, as
   * upstream's workflow builds its `:16` tag. S3_PREFIX without a trailing slash: backup.sh appends `/`.
   */
  backup: {
    prefix: "backup",
  },
} as const;
