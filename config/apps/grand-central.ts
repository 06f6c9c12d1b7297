/**
 * Config of the `grand-central` app (seed 004): the app and CouchDB as one ECS task on one EC2
 * container instance, CouchDB's files on an EBS volume that outlives the instance. No colours: one
 * CouchDB may own the files at a time, so there is nothing to stage beside it.
 */
import { z } from "zod";
import { adminCidrs, awsRegion, gib, imageTag } from "../primitives";

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

/** One S3 object the task may read: bucket and exact key (no wildcards, so the grant is exact). */
const s3Object = z.strictObject({
  /** Bucket name. */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name: 3-63 lower-case letters, digits, '.', '-'"),
  /** Object key, exactly as stored. */
  key: z
    .string()
    .min(1, "an object key such as grand-central/production/secrets.yml")
    .max(1024)
    .refine((k) => !/[*?]/.test(k) && !k.startsWith("/"), {
      message: "an exact object key without '*' or '?' and without a leading '/' (the task role is granted exactly this object)",
    }),
});

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
    /** Image tag of the app in its ECR repository; rolling back = setting the previous tag. */
    imageTag: pinnedTag,
    /** Tag of the official `couchdb` image on Docker Hub, pinned; upgrading CouchDB = changing it. */
    couchdbVersion: pinnedTag,
    /** TCP port the app listens on; also the only port open to the internet. */
    appPort: z
      .number()
      .int("a TCP port from 1 to 65535")
      .min(1)
      .max(65535)
      .refine((p) => p !== 5984, { message: "a port other than 5984, which is CouchDB's" }),
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
    /** Networks that may reach CouchDB/Fauxton (5984). Default: [] (closed). Never the whole internet. */
    fauxtonAdminCidrs: adminCidrs.default([]),
    /** The production secrets object(s) the app downloads at start; the task role may read exactly these. */
    secretsObjects: z.array(s3Object).min(1, "at least one S3 object holding the app's secrets (bucket and key)"),
    /** ARN of the customer-managed KMS key the secrets objects are encrypted with. Default: none (SSE-S3). */
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
        at: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "a time of day HH:MM in UTC, such as 03:00").default("03:00"),
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

/**
 * Secrets of `grand-central` (secret config `platform:secrets`, key `grand-central`). None: the
 * CouchDB admin password is generated, and the app's own secrets stay in S3, read through the task role.
 */
export const grandCentralSecrets = z.strictObject({});
export type GrandCentralSecrets = z.infer<typeof grandCentralSecrets>;
