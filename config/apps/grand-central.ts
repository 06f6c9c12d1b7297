/**
 * Config of the `grand-central` app (seed 004): the app and CouchDB as one ECS task on one EC2
 * container instance, CouchDB's files on an EBS volume that outlives the instance. No colours: one
 * CouchDB may own the files at a time, so there is nothing to stage beside it.
 */
import { z } from "zod";
import { DEFAULT_REF, POUCHDB_DATABASE_PATH, SOURCE_REPOSITORY } from "../../apps/contracts/grand-central";
import { awsRegion, email, gib, imageTag, timeOfDay } from "../primitives";

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** An EC2 instance type such as `t3.small`. */
const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.small (family.size)");

/** An availability zone name such as `eu-central-1a`. */
const availabilityZone = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$/, "an availability zone name such as eu-central-1a");

/** A pinned image tag: `latest` would make a roll-back point at nothing in particular. */
const pinnedTag = imageTag.refine((t) => t !== "latest", { message: "a pinned version tag such as 3.3.3, not latest" });

/** A git ref the build can check out and ECR can tag: a full commit or a release tag. */
const sourceRef = z
  .string()
  .regex(/^([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+)$/, "a full 40-character commit or a release tag such as v1.1.0 (a branch would move under the same tag)");

/** An existing S3 bucket name. */
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name: 3-63 lower-case letters, digits, '.', '-'");

export const grandCentralConfig = z
  .strictObject({
    /** Deploy this app in this stack. */
    enabled: z.boolean(),
    /** AWS region of every resource of the app. */
    region: awsRegion,
    /** Availability zone of the container instance and the data volume (an EBS volume lives in one zone). */
    availabilityZone,
    /** EC2 instance type of the single container instance. */
    instanceType,
    /**
     * Upstream commit or tag the app image is built from, and its tag in the stack's ECR repository;
     * rolling back = setting the previous ref. Default: the last upstream commit (apps/contracts/grand-central.ts).
     */
    imageTag: sourceRef.default(DEFAULT_REF),
    /** Git repository the app image is built from. Default: the upstream repository. */
    imageSource: z
      .url({ protocol: /^https$/, error: "an https:// git repository URL such as https://github.com/SCPR/grand-central.git" })
      .default(SOURCE_REPOSITORY),
    /** Tag of the official `couchdb` image on Docker Hub, pinned; upgrading CouchDB = changing it. */
    couchdbVersion: pinnedTag,
    /** Size of CouchDB's EBS volume. Can grow later, never shrink. Default: 16 (the seed's size). */
    volumeGiB: gib(1, 16384).default(16),
    /** Images kept in the registry (older ones are expired): the roll-back window. Default: 20. */
    keepImages: z.number().int("a whole number of images").min(1).max(1000).default(20),
    /** Days CloudWatch keeps container logs. Default: 30. */
    logRetentionDays: z
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `one of the retention periods CloudWatch accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(30),
    /**
     * No longer accepted: it opened CouchDB (5984) to networks over plain HTTP, admin login included
     * (security review M6). `npm run ops:tunnel -- <stack> grand-central fauxton` carries it encrypted.
     */
    fauxtonAdminCidrs: z
      .never({
        error:
          "no longer accepted: it served CouchDB's admin login over plain HTTP; reach Fauxton with npm run ops:tunnel -- <stack> grand-central fauxton (Session Manager port forwarding), and remove this key",
      })
      .optional(),
    /**
     * Existing private bucket the app reads `secrets.yml` from (`GRAND_CENTRAL_S3_BUCKET`). The program
     * writes that object (the operator's secrets plus the generated CouchDB URL); the task role may read
     * exactly it. One bucket per stack: the key is fixed by the app.
     */
    secretsBucket: bucketName,
    /** CouchDB database the app keeps its documents in (`pouchdb.database` of secrets.yml). Default: grand-central. */
    couchdbDatabase: z
      .string()
      .regex(/^[a-z][a-z0-9_$()+/-]*$/, "a CouchDB database name: a lower-case letter, then lower-case letters, digits, _ $ ( ) + - /")
      .default("grand-central"),
    /** Where alarms are e-mailed (task not running, error lines, old SQS messages). */
    alertEmail: email,
    /** Name of the SQS queue the app polls (`aws.sqs.queue_url` of secrets.yml): alarmed when its oldest message ages. Default: no queue alarm. */
    sqsQueueName: z.string().regex(/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/, "an SQS queue name (the last part of the queue URL)").optional(),
    /** Alarm when the oldest message in the queue is older than this many seconds. Default: 900. */
    maxMessageAgeSeconds: z.number().int("a whole number of seconds").min(60).max(1209600).default(900),
    /** ARN of the customer-managed KMS key secrets.yml is encrypted with. Default: none (SSE-S3). */
    secretsKmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[0-9a-f-]{36}$/, "a KMS key ARN such as arn:aws:kms:eu-central-1:123456789012:key/<uuid>")
      .optional(),
    // --- Operations (issue 16): scheduled snapshots and adoption of the hand-made resources.
    /** Scheduled snapshots of CouchDB's volume (DLM). Default: every 24 hours from 03:00 UTC, the newest 14 kept. */
    snapshots: z
      .strictObject({
        /** Hours between snapshots. */
        everyHours: z.union([1, 2, 3, 4, 6, 8, 12, 24].map((h) => z.literal(h)), { error: "one of 1, 2, 3, 4, 6, 8, 12, 24 (hours DLM accepts)" }).default(24),
        /** First snapshot of the day, HH:MM UTC. */
        at: timeOfDay("03:00").default("03:00"),
        /** Snapshots kept. */
        keep: z.number().int("a whole number of snapshots").min(1).max(1000).default(14),
      })
      .default({ everyHours: 24, at: "03:00", keep: 14 }),
    /** Resources made by hand (seed 004) to adopt with `import` instead of creating new ones. Default: none. */
    import: z
      .strictObject({
        /** CouchDB's existing EBS volume (seed: "grand-central-persistence"); it must be in `availabilityZone`. */
        dataVolume: z
          .strictObject({
            /** Volume ID. */
            id: z.string().regex(/^vol-[0-9a-f]{8,17}$/, "an EBS volume ID such as vol-049df61146c4d7901"),
            /** Whether the volume is encrypted (`aws ec2 describe-volumes`): it cannot change in place. */
            encrypted: z.boolean(),
          })
          .optional(),
        /** Name of the existing ECR repository holding the app's images (replaces the generated name). */
        repository: z
          .string()
          .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "an ECR repository name such as grand-central")
          .optional(),
      })
      .default({}),
  })
  .superRefine((app, ctx) => {
    if (!app.availabilityZone.startsWith(app.region)) {
      ctx.addIssue({
        code: "custom",
        path: ["availabilityZone"],
        input: app.availabilityZone,
        message: `must be a zone of the region "${app.region}", such as ${app.region}a`,
      });
    }
  });
export type GrandCentralConfig = z.infer<typeof grandCentralConfig>;

const secretString = z.string().min(1, "a non-empty value");

/**
 * Secrets of `grand-central` (secret config `platform:secrets`, key `grand-central`): the `production:`
 * section of the app's secrets.yml (secrets.yml.template), without `pouchdb`, which the program writes
 * from the generated CouchDB password. Keys beyond those index.js reads itself (adapters, assethost,
 * embedly, dead_mans_snitch) are passed through as given.
 */
export const grandCentralSecrets = z.strictObject({
  production: z
    .looseObject({
      // What index.js @f08acef reads itself: `secrets.aws.sqs.queue_url` (line 21) and
      // `secrets.aws.access_key_id/secret_access_key/region` (line 23, the SQS credentials).
      aws: z.looseObject({
        access_key_id: secretString,
        secret_access_key: secretString,
        region: secretString,
        sqs: z.looseObject({ queue_url: secretString }),
      }),
    })
    .refine((section) => !(POUCHDB_DATABASE_PATH[0] in section), {
      message: "must not set pouchdb: the program writes pouchdb.database with the generated CouchDB password",
    }),
});
export type GrandCentralSecrets = z.infer<typeof grandCentralSecrets>;
