/**
 * Scheduled, encrypted off-site dumps of a Postgres container: eeshugerman/postgres-backup-s3, built on
 * the node from a pinned commit (no version tag of it is published that could be trusted: security
 * review L2), run with its own CMD. One definition for every app that uses it (nmpi, topobank).
 *
 * Read at @ecb08ff: README (env names: SCHEDULE, BACKUP_KEEP_DAYS, PASSPHRASE, S3_REGION/ACCESS_KEY_ID/
 * SECRET_ACCESS_KEY/BUCKET/PREFIX/ENDPOINT, POSTGRES_HOST/PORT/DATABASE/USER/PASSWORD); Dockerfile
 * (`ARG ALPINE_VERSION`, `FROM alpine:${ALPINE_VERSION}`, `ARG TARGETARCH`, `CMD ["sh", "run.sh"]`);
 * src/install.sh (`apk add postgresql-client`, `apk add gnupg`, go-cron 0.0.5 for `linux_${TARGETARCH}`);
 * src/backup.sh (`pg_dump --format=custom`, `gpg --symmetric --batch --passphrase "$PASSPHRASE"` when
 * PASSPHRASE is set, upload to `s3://${S3_BUCKET}/${S3_PREFIX}/${POSTGRES_DATABASE}_<%Y-%m-%dT%H:%M:%S>.dump.gpg`,
 * then, with BACKUP_KEEP_DAYS, `s3 rm` of every key under S3_PREFIX last modified before that many days
 * ago; ${S3_PREFIX} is used under `set -u`, while the Dockerfile sets S3_PATH instead, so it must be
 * given); src/restore.sh (`sh restore.sh` the newest, `sh restore.sh <timestamp>` a named one; gpg
 * --decrypt, then `pg_restore --clean --if-exists`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerSpec } from "./container-stack";
import { SourceImage } from "./source-image";

/** The repository and commit built (the commit upstream's `:16` tag was built from). */
export const POSTGRES_BACKUP_S3 = {
  repository: "https://github.com/eeshugerman/postgres-backup-s3.git",
  ref: "ecb08ff41ca994cab9ead491aee30262a22fd66c",
  /** Name of the image built on the node. */
  imageName: "platform/postgres-backup-s3",
} as const;

/**
 * Which Alpine release the image is built on for each Postgres major: upstream's own mapping, the matrix of
 * .github/workflows/build-and-push-images.yml @ecb08ff (`{ postgres: 16, alpine: '3.19' }` builds its `:16`
 * tag). install.sh's `apk add postgresql-client` takes the highest-priority provider in that release:
 * aports main/postgresql<N>/APKBUILD sets `provider_priority=$_majorver` and its -client subpackage provides
 * `postgresql-client`; Alpine 3.19 (2023-12) carries no Postgres newer than 16 (17 was released 2024-09).
 * pg_dump refuses a newer server, so the client must follow the server's major.
 */
export const BACKUP_ALPINE_FOR_POSTGRES = { "12": "3.12", "13": "3.14", "14": "3.16", "15": "3.17", "16": "3.19" } as const;

/** A Postgres major the image can be built for. */
export type BackupPostgresMajor = keyof typeof BACKUP_ALPINE_FOR_POSTGRES;

/** Build arguments of the image for a Postgres major. */
export function postgresBackupS3BuildArgs(postgresMajor: BackupPostgresMajor): Record<string, string> {
  return {
    ALPINE_VERSION: BACKUP_ALPINE_FOR_POSTGRES[postgresMajor],
    // install.sh downloads `go-cron_0.0.5_linux_${TARGETARCH}.tar.gz`. BuildKit sets TARGETARCH itself, the classic
    // builder does not (cert-manager/aws-privateca-issuer#265), which would fetch `linux_` (no such asset); an explicit
    // build arg overrides BuildKit's value (containerd/nerdbox#128). Droplets are x86-64 (components/digitalocean/node.ts
    // image `ubuntu-24-04-x64`), so the value is the same either way and the build works with either builder.
    TARGETARCH: "amd64",
  };
}

/** How `ops:restore --offsite` restores in the backup container (src/restore.sh @ecb08ff): the newest dump, or a named one. */
export const POSTGRES_BACKUP_S3_RESTORE: { newest: string[]; named: string[] } = { newest: ["sh", "restore.sh"], named: ["sh", "restore.sh", "{}"] };

/** Arguments of {@link postgresBackupS3Image}. */
export interface PostgresBackupS3ImageArgs {
  /** Docker host the image is built on (public IPv4 of the node). */
  host: pulumi.Input<string>;
  /** The node's SSH host public key, pinned for the build's SSH connection. */
  hostKey: pulumi.Input<string>;
  /** What must be ready before the build (the node's readiness). Default: none. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** The server's Postgres major: the image's pg_dump follows it. */
  postgresMajor: BackupPostgresMajor;
}

/** The image, built on the node from the pinned commit; its resources are named `name`. */
export function postgresBackupS3Image(name: string, args: PostgresBackupS3ImageArgs, opts?: pulumi.ComponentResourceOptions): pulumi.Output<string> {
  return new SourceImage(
    name,
    {
      host: args.host,
      hostKey: args.hostKey,
      dependsOn: args.dependsOn,
      repository: POSTGRES_BACKUP_S3.repository,
      ref: POSTGRES_BACKUP_S3.ref,
      buildArgs: postgresBackupS3BuildArgs(args.postgresMajor),
      imageName: POSTGRES_BACKUP_S3.imageName,
    },
    opts,
  ).image;
}

/** Arguments of {@link postgresBackupS3Container}. */
export interface PostgresBackupS3Args {
  /** Container name. */
  name: string;
  /** The image ({@link postgresBackupS3Image}, or a prebuilt one pinned by digest). */
  image: pulumi.Input<string>;
  /** Containers started before it (the database's). Default: none. */
  after?: string[];
  /** go-cron schedule (five fields, six with seconds, or a descriptor). */
  schedule: string;
  /** Dumps older than this many days are deleted after each successful upload. */
  keepDays: number;
  /** gpg passphrase every dump is encrypted with (secret). */
  passphrase: pulumi.Input<string>;
  /** Where dumps go: an S3-compatible bucket, its key, and the prefix (no trailing slash: backup.sh adds it). */
  s3: {
    region: pulumi.Input<string>;
    endpoint: pulumi.Input<string>;
    bucket: pulumi.Input<string>;
    prefix: string;
    accessKeyId: pulumi.Input<string>;
    secretAccessKey: pulumi.Input<string>;
  };
  /** The database dumped, and the role that dumps it. `port` default: the image's (5432). */
  postgres: {
    host: string;
    port?: number;
    database: string;
    user: pulumi.Input<string>;
    password: pulumi.Input<string>;
  };
}

/** The backup container: the image's own CMD (`sh run.sh`: go-cron runs backup.sh on the schedule). */
export function postgresBackupS3Container(args: PostgresBackupS3Args): ContainerSpec {
  return {
    name: args.name,
    image: args.image,
    ...(args.after ? { after: args.after } : {}),
    env: {
      SCHEDULE: args.schedule,
      BACKUP_KEEP_DAYS: String(args.keepDays),
      PASSPHRASE: args.passphrase,
      S3_REGION: args.s3.region,
      S3_ENDPOINT: args.s3.endpoint,
      S3_BUCKET: args.s3.bucket,
      S3_PREFIX: args.s3.prefix,
      S3_ACCESS_KEY_ID: args.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: args.s3.secretAccessKey,
      POSTGRES_HOST: args.postgres.host,
      ...(args.postgres.port !== undefined ? { POSTGRES_PORT: String(args.postgres.port) } : {}),
      POSTGRES_DATABASE: args.postgres.database,
      POSTGRES_USER: args.postgres.user,
      POSTGRES_PASSWORD: args.postgres.password,
    },
  };
}
