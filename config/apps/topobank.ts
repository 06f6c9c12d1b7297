/** Config of the `topobank` app (seed 001): a Django container stack on one DigitalOcean node, blue/green on that node. */
import { z } from "zod";
import { email, gib } from "../primitives";
import { domainInZone, dropletAppFields, pinnedImage, snapshotToken, spacesInRegion } from "./droplet-app";

/** The image of one topobank colour: the django image (web, workers, beat and flower run it). */
export const TOPOBANK_IMAGES = ["app"] as const;

/**
 * A backup schedule as postgres-backup-s3's scheduler reads it: src/run.sh @ecb08ff runs
 * `go-cron "$SCHEDULE" /bin/sh backup.sh` (go-cron 0.0.5, src/install.sh), and ivoronin/go-cron
 * go-cron.go @v0.0.5 parses it with robfig/cron v3's `NewParser(SecondOptional | Minute | Hour | Dom |
 * Month | Dow | Descriptor)`: five fields (minute hour day-of-month month day-of-week), six with a
 * leading seconds field (the seed's form), or a descriptor (`@daily`, `@every 6h`). An empty
 * SCHEDULE would dump once and exit, so one is required.
 */
export const backupSchedule = z
  .string()
  .regex(
    /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every ([0-9]+(h|m|s))+|(\S+\s+){4,5}\S+)$/,
    "a go-cron schedule: @daily, @hourly, @weekly, @every 6h, five cron fields 'min hour dom month dow', or six with leading seconds",
  );

/** Retention in days (postgres-backup-s3's BACKUP_KEEP_DAYS, the only retention it has). */
const keepDays = z
  .number({ error: "a whole number of days from 1 to 3650, such as 14" })
  .int("a whole number of days from 1 to 3650, such as 14")
  .min(1, "a whole number of days from 1 to 3650, such as 14 (with 0, src/backup.sh would delete every dump but today's)")
  .max(3650, "a whole number of days from 1 to 3650, such as 14");

export const topobankConfig = z
  .strictObject({
    ...dropletAppFields(TOPOBANK_IMAGES),
    /** Block-storage volume holding the Postgres data directory, in GiB. Default: 20. */
    dataVolumeGiB: gib(1, 16384).default(20),
    /** Gunicorn workers per colour (the seed's WEB_CONCURRENCY). Default: 4. */
    webConcurrency: z.number().int("a whole number of gunicorn workers").min(1).max(64).default(4),
    /** Celery worker containers (seed 001: `docker-compose scale celeryworker=4`). Default: 1. (issue 16) */
    celeryWorkers: z.number().int("a whole number of worker containers").min(1).max(16).default(1),
    /** Sender address of outgoing mail (DJANGO_DEFAULT_FROM_EMAIL). */
    fromEmail: email,
    /** SMTP server as `host:port`, reached with SSL (the seed's DJANGO_EMAIL_URL smtp+ssl://). */
    smtpServer: z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, "an SMTP server as host:port, such as mail.example.org:465"),
    /** SMTP user name; the password is secret config `secrets.topobank.emailPassword`. */
    smtpUser: z.string().min(1, "the SMTP login, such as topobank@example.org"),
    /** Let new users register (DJANGO_ACCOUNT_ALLOW_REGISTRATION). Default: true. */
    allowRegistration: z.boolean().default(true),
    bucket: z.discriminatedUnion(
      "kind",
      [
        z.strictObject({
          /** A DigitalOcean Spaces bucket created here with a bucket-scoped key generated here (no key in config). */
          kind: z.literal("spaces"),
          /** Bucket name (AWS_STORAGE_BUCKET_NAME); media under `media/`, dumps under `backup/`. */
          name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits and '-'"),
          /** Adopt an existing Spaces bucket of this name in `region` with `import` (issue 16). Default: false. */
          adopt: z.boolean().default(false),
        }),
        z.strictObject({
          /** An existing S3-compatible bucket elsewhere (as in the seed); its keys are secret config `secrets.topobank.s3`. */
          kind: z.literal("s3"),
          /** Bucket name (AWS_STORAGE_BUCKET_NAME). */
          name: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits, '.' and '-'"),
          /** S3 endpoint URL (AWS_S3_ENDPOINT_URL), such as https://s3.eu-central-1.amazonaws.com. */
          endpoint: z.url({ protocol: /^https$/, error: "an https:// endpoint URL such as https://s3.eu-central-1.amazonaws.com" }),
          /** Region the S3 client signs for. Default: us-east-1. */
          region: z.string().min(1).default("us-east-1"),
        }),
      ],
      { error: 'bucket.kind must be "spaces" (created here) or "s3" (an existing bucket, keys in secret config)' },
    ),
    backup: z
      .strictObject({
        /** When the dump runs, UTC (the seed's DBBACKUP_SCHEDULE). Default: "@daily". */
        schedule: backupSchedule.default("@daily"),
        /**
         * Days a dump is kept under `backup/` (BACKUP_KEEP_DAYS): after each successful upload the backup
         * deletes the dumps last modified before that day, so failed backups never delete old ones. Default: 10
         * (the seed kept the newest MAX_BACKUPS=10, one a day with @daily).
         */
        keepDays: keepDays.default(10),
        /** The seed's count-based MAX_BACKUPS (go-s3-backup), no longer supported: refused with what to set instead. */
        keepNewest: z
          .never({
            error:
              "replaced by keepDays: the backup is now postgres-backup-s3, which deletes dumps by age (BACKUP_KEEP_DAYS), not by count; with @daily, keepDays: N keeps about N dumps",
          })
          .optional(),
        /** Prebuilt postgres-backup-s3 image pinned by digest or full version tag; its pg_dump must match Postgres 16. Default: built from the contract's pinned commit. */
        image: pinnedImage.optional(),
      })
      .default({ schedule: "@daily", keepDays: 10 }),
  })
  .superRefine(domainInZone)
  .superRefine((app, ctx) => {
    if (app.bucket.kind === "spaces") spacesInRegion(app, ctx);
  });
export type TopobankConfig = z.infer<typeof topobankConfig>;

/** Secrets of `topobank` (secret config `platform:secrets`, key `topobank`): only what comes from outside. */
export const topobankSecrets = z.strictObject({
  /** For `volumeSnapshots` (issue 16): a DigitalOcean token with the block storage scopes. */
  snapshotToken,
  /** ORCID OAuth client ID (ORCID_CLIENT_ID), from the ORCID developer tools. */
  orcidClientId: z.string().min(1, "the ORCID client ID, such as APP-XXXXXXXXXXXXXXXX"),
  /** ORCID OAuth client secret (ORCID_SECRET). */
  orcidSecret: z.string().min(1, "the ORCID client secret"),
  /** Password of the SMTP account (part of DJANGO_EMAIL_URL). */
  emailPassword: z.string().min(1, "the SMTP password"),
  /** Keys of an existing S3 bucket; required when bucket.kind is "s3" (Spaces keys are generated). */
  s3: z
    .strictObject({
      accessKeyId: z.string().min(1, "the S3 access key ID"),
      secretAccessKey: z.string().min(1, "the S3 secret access key"),
    })
    .optional(),
});
export type TopobankSecrets = z.infer<typeof topobankSecrets>;
