/** Config of the `aquamark` app (seed 002): blue/green auto-scaling fleets on AWS behind one load balancer, private RDS Postgres. */
import { z } from "zod";
import {
  DATABASE_ROLE,
  DEFAULT_VERSION,
  hasBothDaemons,
  NEWEST_ENGINE_MAJOR,
  OLDEST_ENGINE_MAJOR,
  OLDEST_VERSION_WITH_DAEMONS,
  SMTP_IMPLICIT_TLS_PORT,
  SOURCE_REPOSITORY,
} from "../../apps/contracts/aquamark";
import { awsRegion, colour, email, gib, hostname, otherColour } from "../primitives";

/** The public SSM parameter of the latest Amazon Linux 2023 AMI (x86_64), resolved by EC2 at launch. */
export const DEFAULT_MACHINE_IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A PostgreSQL user or database name as RDS accepts it: a letter, then letters, digits or underscores. */
const sqlName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "a lower-case PostgreSQL name such as aquamark (a letter, then letters, digits or _)");

const CANARY_MESSAGE = "a whole percentage from 0 to 100 (0: all production traffic on the live colour)";

const instanceType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.small (see `aws ec2 describe-instance-types`)")
  .refine((t) => !/^[a-z]+[0-9]+[a-z]*g[a-z]*\./.test(t), {
    message: "an x86_64 instance type such as t3.small: the fleets boot Amazon Linux 2023 for x86_64 (Graviton types such as t4g need an arm64 image)",
  });

const machineImage = z
  .string()
  .regex(/^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[A-Za-z0-9_./-]+)$/, "an AMI ID such as ami-0123456789abcdef0, or resolve:ssm:<public parameter>");

/** An upstream release tag that has both daemons (apps/contracts/aquamark.ts). */
const version = z
  .string()
  .refine(hasBothDaemons, {
    message: `an upstream release tag of ${OLDEST_VERSION_WITH_DAEMONS} or later, such as ${DEFAULT_VERSION} (older tags lack server/notifications.py or server/recalculate.py)`,
  });

const instanceCount = z.number().int("a whole number of instances").min(0).max(100);

/** Size of one colour's auto-scaling group. */
const colourFleet = z
  .strictObject({
    /** Fewest instances; the idle colour may be 0. */
    min: instanceCount,
    /** Most instances the target-tracking policy may start. */
    max: instanceCount,
    /** Instances at creation; the scaling policy moves it between min and max afterwards. */
    desired: instanceCount,
    /** AMI of this colour's instances (an AMI ID or `resolve:ssm:<parameter>`). Default: latest Amazon Linux 2023 x86_64. */
    machineImage: machineImage.default(DEFAULT_MACHINE_IMAGE),
  })
  .superRefine((f, ctx) => {
    if (f.min > f.max) ctx.addIssue({ code: "custom", path: ["min"], input: f.min, message: `must not exceed max (${f.max})` });
    if (f.desired < f.min || f.desired > f.max) {
      ctx.addIssue({ code: "custom", path: ["desired"], input: f.desired, message: `must lie between min (${f.min}) and max (${f.max})` });
    }
  });

export const aquamarkConfig = z
  .strictObject({
    /** Deploy this app in this stack. */
    enabled: z.boolean(),
    /** AWS region of every resource (an explicit provider is created from it; no `aws:region` needed). */
    region: awsRegion,
    /** Production host name; colours are reachable at `blue.<domain>` and `green.<domain>`. */
    domain: hostname,
    /** Existing public Route 53 hosted zone holding the records: `domain` itself or a parent. */
    dnsZone: z.strictObject({
      /** Zone name, e.g. `example.org`. */
      name: hostname,
      /** Zone ID to use as is (skips the look-up by name). Default: looked up by name. */
      id: z.string().regex(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ").optional(),
    }),
    /** Colour that takes production traffic. */
    live: colour,
    /** Share of production traffic (whole percent, 0 to 100) sent to the idle colour as a canary. Default: 0. */
    canaryPercent: z
      .number({ error: CANARY_MESSAGE })
      .int(CANARY_MESSAGE)
      .min(0, CANARY_MESSAGE)
      .max(100, CANARY_MESSAGE)
      .default(0),
    /**
     * Upstream release tag per colour, built from `imageSource` and pushed to the stack's ECR
     * repository under the same tag. The daemons run the live colour's version.
     */
    versions: z.strictObject({ blue: version, green: version }),
    /** Git repository the image is built from (its `src/app`). Default: the upstream repository. */
    imageSource: z
      .url({ protocol: /^https$/, error: "an https:// git repository URL such as https://github.com/Radhika-Envision/Upmark.git" })
      .default(SOURCE_REPOSITORY),
    /** Images kept in the ECR repository (older ones expire): the roll-back window. Default: 20. */
    keepImages: z.number().int("a whole number of images").min(1).max(1000).default(20),
    network: z
      .strictObject({
        /** Address range of the VPC: an IPv4 /16. Default: 10.20.0.0/16. */
        cidr: z
          .string()
          .regex(/^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.0\.0\/16$/, "an IPv4 /16 network such as 10.20.0.0/16")
          .default("10.20.0.0/16"),
        /** NAT gateways: one shared (cheaper) or one per availability zone (survives an AZ outage). Default: single. */
        natGateways: z.enum(["single", "per-az"]).default("single"),
      })
      .default({ cidr: "10.20.0.0/16", natGateways: "single" }),
    fleet: z.strictObject({
      /** EC2 instance type of the web instances (the seed used t2.small). */
      instanceType,
      /** Average CPU the target-tracking policy keeps each colour at. Default: 50. */
      targetCpuPercent: z.number().int("a whole percentage from 10 to 90").min(10).max(90).default(50),
      /** Seconds after launch before a failing health check replaces an instance. Default: 300. */
      healthCheckGraceSeconds: z.number().int("a whole number of seconds").min(0).max(7200).default(300),
      blue: colourFleet,
      green: colourFleet,
    }),
    daemons: z
      .strictObject({
        /** EC2 instance type of each daemon's instance. Default: t3.micro. */
        instanceType: instanceType.default("t3.micro"),
      })
      .default({ instanceType: "t3.micro" }),
    database: z.strictObject({
      /**
       * PostgreSQL engine version, major or major.minor, 13 to 17. The instance stores passwords as md5
       * (a parameter group), which the image's libpq 9.3 needs; PostgreSQL 18 deprecates md5.
       */
      engineVersion: z
        .string()
        .regex(/^[0-9]+(\.[0-9]+)?$/, "a PostgreSQL version such as 16 or 16.4")
        .refine((v) => Number(v.split(".")[0]) >= OLDEST_ENGINE_MAJOR, {
          message: `PostgreSQL ${OLDEST_ENGINE_MAJOR} or newer: the app's role needs CREATEROLE, which only ${OLDEST_ENGINE_MAJOR} restricts to the roles it creates`,
        })
        .refine((v) => Number(v.split(".")[0]) <= NEWEST_ENGINE_MAJOR, {
          message: `PostgreSQL ${NEWEST_ENGINE_MAJOR} or older: the image's libpq 9.3 cannot do SCRAM and logs in only with md5 passwords, which PostgreSQL 18 deprecates`,
        }),
      /** RDS instance class (the seed's db.t2.medium maps to db.t4g.medium). */
      instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.t4g.medium"),
      /** Allocated gp3 storage in GiB (the seed used 100). */
      storageGiB: gib(20, 65536),
      /** Upper limit of storage autoscaling in GiB. Default: no autoscaling. */
      maxStorageGiB: gib(21, 65536).optional(),
      /** A standby in a second availability zone. Default: false. */
      multiAz: z.boolean().default(false),
      /** Days automated backups are kept. Default: 7 (the seed's choice). */
      backupRetentionDays: z.number().int("a whole number of days from 1 to 35").min(1).max(35).default(7),
      /** Create the database from this snapshot (restoring). Default: an empty database. */
      snapshotIdentifier: z
        .string()
        .regex(/^(arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:snapshot:)?[A-Za-z][A-Za-z0-9-:]{0,254}$/, "an RDS snapshot identifier or ARN, such as aquamark-2024-05-01")
        .optional(),
      /**
       * The master user, held only by the role setup function. A restored snapshot or an adopted instance
       * keeps its own (it cannot change in place): give that one (seed 002's instance: postgres). Default: aquamark.
       */
      masterUsername: sqlName.default("aquamark"),
      /**
       * The database holding the app's data: created with a new instance; for a snapshot or an adopted
       * instance, the one the old system used (seed 002's DATABASE_URL ends in /postgres). Default: aquamark.
       */
      databaseName: sqlName.default("aquamark"),
      /** Adopt the running instance with `import` instead of creating one (docs/apps-aws.md, Adoption). Default: none. */
      adopt: z
        .strictObject({
          /** Its DB instance identifier (the import ID); the instance keeps it. */
          id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, "an RDS DB instance identifier such as aquamark"),
          /** Its `DBName` as `aws rds describe-db-instances` reports it; leave out when it reports none. */
          dbName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, "a database name such as postgres").optional(),
          /** Whether its storage is encrypted (`StorageEncrypted`): it cannot change in place. */
          storageEncrypted: z.boolean({ error: "true or false, as `StorageEncrypted` of aws rds describe-db-instances" }),
          /** Its engine version (`EngineVersion`); `engineVersion` above may be newer (an in-place upgrade). */
          engineVersion: z.string().regex(/^[0-9]+(\.[0-9]+)?$/, "a PostgreSQL version such as 13.7"),
        })
        .optional(),
    }),
    mail: z.strictObject({
      /** SMTP server of the daemons (`SMTP_SERVER`), e.g. email-smtp.eu-central-1.amazonaws.com. */
      host: hostname,
      /** SMTP submission port with STARTTLS (`SMTP_PORT`). Default: 587 (seed: SES throttles port 25). */
      port: z
        .number({ error: "a TCP port such as 587" })
        .int("a TCP port such as 587")
        .min(1, "a TCP port from 1 to 65535")
        .max(65535, "a TCP port from 1 to 65535")
        .refine((p) => p !== 25, { message: "not 25: Amazon SES and EC2 throttle port 25; use 587 (STARTTLS)" })
        .refine((p) => p !== SMTP_IMPLICIT_TLS_PORT, {
          message: "not 465: the daemons speak plain SMTP and then STARTTLS (server/mail.py), never implicit TLS; use 587",
        })
        .default(587),
      /** Sender address of the notifications (`MESSAGE_SEND_FROM`). */
      sender: email,
      /** Who receives the daemons' error reports (`ERROR_SEND_TO`); the daemons have no default. */
      errorRecipient: email,
    }),
    /** Where CloudWatch alarms are e-mailed (the recipient confirms the SNS subscription once). */
    alertEmail: email,
    /** Days container logs are kept in CloudWatch Logs. Default: 30. */
    logRetentionDays: z
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(30),
  })
  .superRefine((app, ctx) => {
    if (app.domain !== app.dnsZone.name && !app.domain.endsWith(`.${app.dnsZone.name}`)) {
      ctx.addIssue({
        code: "custom",
        path: ["dnsZone", "name"],
        input: app.dnsZone.name,
        message: `must be the domain "${app.domain}" itself or one of its parent domains`,
      });
    }
    if (app.fleet[app.live].min < 1) {
      ctx.addIssue({
        code: "custom",
        path: ["fleet", app.live, "min"],
        input: app.fleet[app.live].min,
        message: `must be at least 1: ${app.live} is the live colour and takes production traffic`,
      });
    }
    const idle = otherColour(app.live);
    if (app.canaryPercent > 0 && app.fleet[idle].min < 1) {
      ctx.addIssue({
        code: "custom",
        path: ["fleet", idle, "min"],
        input: app.fleet[idle].min,
        message: `must be at least 1 while canaryPercent is ${app.canaryPercent}: the canary share goes to the idle colour ${idle}`,
      });
    }
    const adopt = app.database.adopt;
    if (adopt !== undefined && app.database.snapshotIdentifier !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "snapshotIdentifier"],
        input: app.database.snapshotIdentifier,
        message: "must be left out while database.adopt is set: the adopted instance already holds the data",
      });
    }
    if (adopt !== undefined && Number(adopt.engineVersion.split(".")[0]) > Number(app.database.engineVersion.split(".")[0])) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "adopt", "engineVersion"],
        input: adopt.engineVersion,
        message: `is newer than database.engineVersion (${app.database.engineVersion}): RDS cannot downgrade`,
      });
    }
    if (app.database.masterUsername === DATABASE_ROLE.name) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "masterUsername"],
        input: app.database.masterUsername,
        message: `must not be ${DATABASE_ROLE.name}: that is the app's own role`,
      });
    }
    if (app.database.maxStorageGiB !== undefined && app.database.maxStorageGiB <= app.database.storageGiB) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "maxStorageGiB"],
        input: app.database.maxStorageGiB,
        message: `must exceed storageGiB (${app.database.storageGiB}), or be left out to turn storage autoscaling off`,
      });
    }
  });
export type AquamarkConfig = z.infer<typeof aquamarkConfig>;

/** Secrets of `aquamark` (secret config `platform:secrets`, key `aquamark`): app settings that come from outside. */
export const aquamarkSecrets = z.strictObject({
  /** Google Analytics ID (`ANALYTICS_ID`), one line: it lands in an env file, where a line break would add variables (security review L4). Default: none. */
  analyticsId: z
    .string()
    .regex(/^[^\r\n\0]+$/, "a Google Analytics ID such as G-XXXXXXX on one line (it is written to an env file, where a line break would add variables)")
    .optional(),
  /** SMTP user name (for SES: the SMTP credentials' user name). */
  mailUsername: z.string().min(1, "the SMTP user name"),
  /** SMTP password. */
  mailPassword: z.string().min(1, "the SMTP password"),
});
export type AquamarkSecrets = z.infer<typeof aquamarkSecrets>;
