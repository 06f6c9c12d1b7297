/**
 * The `topobank` app (seed 001): the seed's docker-compose stack (caddy, django, celery worker and
 * beat, flower, memcached, postgres, rabbitmq, dbbackup) on one DigitalOcean node, blue/green on
 * that node.
 *
 * - Shared, colour-independent: postgres (data on the node's block-storage volume), rabbitmq,
 *   memcached, dbbackup (its image does not depend on the app version; one scheduler, one dump;
 *   gpg-encrypted with a passphrase only it holds).
 * - Per colour (web-facing): `django-<colour>` and `flower-<colour>`.
 * - Live only (singletons, one container each whose image follows the live colour): `celerybeat`
 *   (scheduled tasks must never run twice) and `celeryworker` (the colours share one broker, so a
 *   worker of the idle colour would take the live colour's tasks with other code).
 * - Front: caddy with automatic HTTPS; the production name goes to the live colour, `blue.`/`green.`
 *   to each colour, `flower.` to the live flower from admin networks only.
 * A switch (`apps.topobank.live`) changes the Caddyfile (so the caddy container) and moves the two
 * singletons to the new live version; databases, broker, caches and volumes are untouched.
 *
 * Release steps (`migrate`, `register_analysis_functions`, the ORCID `loaddata` and the guarded
 * `import_terms`) run once per colour version, inside that colour's django container, through
 * {@link ColourRelease}; green's wait for blue's so two migrations never run at once against the
 * shared database. What the image expects (ports, commands, env, one-time steps) is in
 * apps/contracts/topobank.ts with its sources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { COLOURS, type SecretValues } from "../config";
import type { TopobankConfig, TopobankSecrets } from "../config/apps/topobank";
import type { Colour } from "../config/primitives";
import { Bucket } from "../components/digitalocean/bucket";
import { DnsZone, relativeName } from "../components/digitalocean/dns-zone";
import { Node } from "../components/digitalocean/node";
import { renderCaddyfile } from "../components/docker/caddy-file";
import { type ContainerSpec, ContainerStack } from "../components/docker/container-stack";
import { postgresWithAppRole } from "../components/docker/postgres-app-role";
import { POSTGRES_BACKUP_S3_RESTORE, postgresBackupS3Container, postgresBackupS3Image } from "../components/docker/postgres-backup-s3";
import { colourContainerName, colourContainers, colourHostname, colourRoutes } from "../components/docker/colour-hosts";
import { releaseColoursInOrder } from "../components/docker/colour-release";
import { imageAtVersion, versionLabel } from "../components/docker/source-image";
import { App, type AppContext, statefulOptions } from "./context";
import { TOPOBANK } from "./contracts/topobank";
import { colourManage, containerLogs, type OpsOutputs, POSTGRES_DUMP_DIR, postgresDumpCommand, replicaNames, volumeSnapshotSpecs } from "./ops-outputs";

/**
 * Supporting images, pinned to full versions. The app image is built from source (apps/contracts/topobank.ts),
 * as is the backup image unless `backup.image` names a prebuilt one.
 */
export const SUPPORT_IMAGES = {
  caddy: "caddy:2.8.4-alpine",
  rabbitmq: "rabbitmq:3.13.7-management-alpine",
  memcached: "memcached:1.6.31-alpine",
} as const;

/** Where the node mounts its block-storage volume. */
const DATA_MOUNT = "/mnt/topobank-data";
/** Days a deleted or overwritten dump stays recoverable in the versioned backup bucket. */
const BACKUP_NONCURRENT_DAYS = 30;
const { djangoPort: DJANGO_PORT, flowerPort: FLOWER_PORT, database: POSTGRES_DB } = TOPOBANK;

/** A generated secret: letters and digits only, so it is safe in URLs (broker, database, e-mail). */
function generated(name: string, length: number, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
  return new random.RandomPassword(name, { length, special: false }, opts).result;
}

/** Lower-case letters and digits, starting with a letter: a safe Postgres/RabbitMQ user name. */
function generatedUserName(name: string, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const suffix = new random.RandomPassword(name, { length: 24, special: false, upper: false }, opts).result;
  return pulumi.interpolate`u${suffix}`;
}

export function deployTopobank(ctx: AppContext, config: TopobankConfig, secrets: SecretValues<TopobankSecrets>): Record<string, unknown> {
  // The schema requires secrets.topobank whenever topobank is enabled; these narrow the types.
  if (config.bucket.kind === "s3" && !secrets.s3) {
    throw new Error("platform:secrets.topobank.s3: required when apps.topobank.bucket.kind is \"s3\" (set accessKeyId and secretAccessKey with pulumi config set --secret --path)");
  }
  const app = new App("topobank", ctx);
  const opts = app.childOptions;
  const stateful = statefulOptions(ctx);

  const node = new Node(app.name(), {
    region: config.region,
    size: config.nodeSize,
    adminCidrs: config.adminCidrs,
    adminSshKeys: config.adminSshKeys,
    publicPorts: [80, 443],
    tags: ["topobank"],
    dataVolume: { sizeGiB: config.dataVolumeGiB, mountPath: DATA_MOUNT, protect: ctx.protectState },
  }, opts);

  const flowerHost = `flower.${config.domain}`;
  new DnsZone(app.name("dns"), {
    zone: config.dnsZone,
    ownership: config.dnsZoneOwnership,
    protect: ctx.protectState,
    records: [config.domain, ...COLOURS.map((c) => colourHostname(config.domain, c)), flowerHost].map((host) => ({
      name: relativeName(host, config.dnsZone),
      ip: node.ipv4Address,
    })),
  }, opts);

  // Storage: a Spaces bucket with a key scoped to it, or an existing S3 bucket with keys from secret config.
  type Storage = { bucket: pulumi.Input<string>; endpoint: pulumi.Input<string>; region: string; accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
  const spacesStorage = (bucket: Bucket): Storage => ({
    bucket: bucket.bucketName, endpoint: bucket.endpoint, region: config.region, accessKeyId: pulumi.secret(bucket.accessKeyId), secretAccessKey: bucket.secretAccessKey,
  });
  let storage: Storage;
  // Where dumps go. With Spaces, a bucket and key of their own (security review M8): the internet-facing
  // containers never hold a key that can read or delete the dumps, and versioning keeps deleted or
  // overwritten dumps for BACKUP_NONCURRENT_DAYS. With an existing S3 bucket, the seed's `backup/` prefix
  // under the app's own key (the dumps are encrypted there too; deletion by the app is not prevented).
  let backupStorage: Storage;
  if (config.bucket.kind === "spaces") {
    const bucket = new Bucket(app.name("bucket"), { bucketName: config.bucket.name, region: config.region, protect: ctx.protectState, adopt: config.bucket.adopt }, opts);
    storage = spacesStorage(bucket);
    const backups = new Bucket(app.name("backups"), {
      bucketName: `${config.bucket.name.slice(0, 55)}-backups`,
      region: config.region,
      noncurrentVersionDays: BACKUP_NONCURRENT_DAYS,
      protect: ctx.protectState,
    }, opts);
    backupStorage = spacesStorage(backups);
  } else {
    const s3 = secrets.s3 as NonNullable<typeof secrets.s3>;
    storage = { bucket: config.bucket.name, endpoint: config.bucket.endpoint, region: config.bucket.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    backupStorage = storage;
  }

  // Secrets the program makes (seed: "long random strings"). Database and broker credentials only
  // take effect when their data directory is first initialised, so they are protected in production.
  const credentialOpts = { ...opts, protect: stateful.protect };
  const postgresUser = generatedUserName(app.name("postgres-user"), credentialOpts);
  const postgresPassword = generated(app.name("postgres-password"), 40, credentialOpts);
  const postgresSuperuserPassword = generated(app.name("postgres-superuser-password"), 40, credentialOpts);
  const rabbitUser = generatedUserName(app.name("rabbitmq-user"), credentialOpts);
  const rabbitPassword = generated(app.name("rabbitmq-password"), 40, credentialOpts);
  const djangoSecretKey = generated(app.name("django-secret-key"), 64, opts);
  const adminPath = generated(app.name("admin-url"), 32, opts);
  const flowerUser = generatedUserName(app.name("flower-user"), opts);
  const flowerPassword = generated(app.name("flower-password"), 40, opts);
  // Encrypts every scheduled dump (security review M8); only the dbbackup container holds it. Losing it loses
  // every dump, so it is protected in production like the database credentials.
  const backupPassphrase = generated(app.name("backup-passphrase"), 40, credentialOpts);

  const postgresEnv = {
    POSTGRES_HOST: "postgres",
    POSTGRES_PORT: "5432",
    POSTGRES_DB,
    POSTGRES_USER: postgresUser,
    POSTGRES_PASSWORD: postgresPassword,
  };
  const [smtpHost, smtpPort] = config.smtpServer.split(":");
  const appEnv: Record<string, pulumi.Input<string>> = {
    ...postgresEnv,
    DATABASE_URL: pulumi.interpolate`postgres://${postgresUser}:${postgresPassword}@postgres:5432/${POSTGRES_DB}`,
    DJANGO_SETTINGS_MODULE: TOPOBANK.settingsModule,
    DJANGO_SECRET_KEY: djangoSecretKey,
    DJANGO_ADMIN_URL: pulumi.interpolate`${adminPath}/`,
    DJANGO_ALLOWED_HOSTS: [config.domain, ...COLOURS.map((c) => colourHostname(config.domain, c))].join(","),
    FIREFOX_BINARY_PATH: TOPOBANK.firefoxBinary,
    GECKODRIVER_PATH: TOPOBANK.geckodriver,
    // Caddy redirects to HTTPS before Django sees a request.
    DJANGO_SECURE_SSL_REDIRECT: "False",
    DJANGO_DEFAULT_FROM_EMAIL: config.fromEmail,
    DJANGO_EMAIL_URL: pulumi.interpolate`smtp+ssl://${encodeURIComponent(config.smtpUser)}:${secrets.emailPassword.apply(encodeURIComponent)}@${smtpHost}:${smtpPort}`,
    DJANGO_ACCOUNT_ALLOW_REGISTRATION: config.allowRegistration ? "True" : "False",
    WEB_CONCURRENCY: String(config.webConcurrency),
    CELERY_BROKER_URL: pulumi.interpolate`amqp://${rabbitUser}:${rabbitPassword}@rabbitmq:5672//`,
    CELERY_RESULT_BACKEND: "cache+memcached://memcached:11211/",
    CELERY_FLOWER_USER: flowerUser,
    CELERY_FLOWER_PASSWORD: flowerPassword,
    ORCID_CLIENT_ID: secrets.orcidClientId,
    ORCID_SECRET: secrets.orcidSecret,
    USE_S3_STORAGE: "yes",
    AWS_ACCESS_KEY_ID: storage.accessKeyId,
    AWS_SECRET_ACCESS_KEY: storage.secretAccessKey,
    AWS_STORAGE_BUCKET_NAME: storage.bucket,
    AWS_S3_ENDPOINT_URL: storage.endpoint,
    AWS_S3_USE_SSL: "True",
    AWS_S3_VERIFY: "True",
    DBBACKUP_SCHEDULE: config.backup.schedule,
  };
  // Each colour's django image, built on the node from the colour's ref (or prebuilt by digest).
  const build = { host: node.ipv4Address, hostKey: node.hostPublicKey, dependsOn: [node.ready], repository: TOPOBANK.repository, ...TOPOBANK.build };
  const colourImage = Object.fromEntries(
    COLOURS.map((colour) => [colour, imageAtVersion(app.name(`${colour}-image`), config.versions[colour], "app", { ...build, imageName: "platform/topobank-app" }, opts)]),
  ) as Record<Colour, pulumi.Output<string>>;
  const appImage = (colour: Colour) => colourImage[colour];
  const backupImage: pulumi.Input<string> =
    config.backup.image ??
    postgresBackupS3Image(app.name("dbbackup-image"), { host: node.ipv4Address, hostKey: node.hostPublicKey, dependsOn: [node.ready], postgresMajor: TOPOBANK.postgresMajor }, opts);
  // A TCP connect, not an HTTP request: ALLOWED_HOSTS would reject the probe's Host header.
  const tcpProbe = (port: number) => ["CMD", "python", "-c", `import socket; socket.create_connection(("127.0.0.1", ${port}), 5)`];

  const shared: ContainerSpec[] = [
    // The app's role owns database topobank but is no superuser (security review M9).
    postgresWithAppRole({
      name: "postgres",
      image: TOPOBANK.postgresImage,
      role: postgresUser,
      database: POSTGRES_DB,
      rolePassword: postgresPassword,
      superuserPassword: postgresSuperuserPassword,
      settings: { ...TOPOBANK.postgresSettings },
      container: { mounts: [{ hostPath: `${DATA_MOUNT}/postgres`, target: "/var/lib/postgresql/data" }] },
    }),
    {
      name: "rabbitmq",
      image: SUPPORT_IMAGES.rabbitmq,
      env: { RABBITMQ_DEFAULT_USER: rabbitUser, RABBITMQ_DEFAULT_PASS: rabbitPassword },
      mounts: [{ volume: "topobank-rabbitmq", target: "/var/lib/rabbitmq" }],
      healthcheck: ["CMD", "rabbitmq-diagnostics", "-q", "ping"],
    },
    { name: "memcached", image: SUPPORT_IMAGES.memcached, command: ["memcached", "-m", "256"] },
    // Seed 001, "Automated backups": a scheduled dump under backup/, now postgres-backup-s3: pg_dump, gpg --symmetric
    // with PASSPHRASE, upload, then, after a successful upload only, deletion of dumps older than BACKUP_KEEP_DAYS.
    postgresBackupS3Container({
      name: "dbbackup",
      image: backupImage,
      schedule: config.backup.schedule,
      keepDays: config.backup.keepDays,
      passphrase: backupPassphrase,
      s3: { ...backupStorage, prefix: TOPOBANK.backup.prefix },
      postgres: { host: "postgres", port: 5432, database: POSTGRES_DB, user: postgresUser, password: postgresPassword },
      after: ["postgres"],
    }),
  ];

  const perColour: ContainerSpec[] = COLOURS.flatMap((colour): ContainerSpec[] => [
    {
      name: colourContainerName("django", colour),
      image: appImage(colour),
      command: [...TOPOBANK.commands.django],
      env: { ...appEnv, DEPLOYMENT_COLOUR: colour },
      shmSizeMiB: TOPOBANK.shmSizeMiB,
      healthcheck: tcpProbe(DJANGO_PORT),
      after: ["postgres", "rabbitmq", "memcached"],
    },
    {
      name: colourContainerName("flower", colour),
      image: appImage(colour),
      command: [...TOPOBANK.commands.flower],
      env: { ...appEnv, DEPLOYMENT_COLOUR: colour },
      after: ["rabbitmq"],
    },
  ]);

  const liveOnly: ContainerSpec[] = [
    ...replicaNames("celeryworker", config.celeryWorkers).map((name): ContainerSpec => ({
      name,
      image: appImage(config.live),
      command: [...TOPOBANK.commands.celeryworker],
      env: { ...appEnv, DEPLOYMENT_COLOUR: config.live },
      shmSizeMiB: TOPOBANK.shmSizeMiB,
      after: ["postgres", "rabbitmq", "memcached"],
    })),
    {
      name: "celerybeat",
      image: appImage(config.live),
      command: [...TOPOBANK.commands.celerybeat],
      env: { ...appEnv, DEPLOYMENT_COLOUR: config.live },
      after: ["postgres", "rabbitmq"],
    },
  ];

  const caddyfile = renderCaddyfile({
    email: config.alertEmail,
    sites: [
      ...colourRoutes(config.domain, config.live).map((route) => ({
        hostnames: route.hostnames,
        upstream: `${colourContainerName("django", route.colour)}:${DJANGO_PORT}`,
        maxBodySize: "500MB",
      })),
      { hostnames: [flowerHost], upstream: `${colourContainerName("flower", config.live)}:${FLOWER_PORT}`, allowFrom: config.adminCidrs },
    ],
  });
  const front: ContainerSpec = {
    name: "caddy",
    image: SUPPORT_IMAGES.caddy,
    // Only the proxy is published beyond the host; everything else is reachable on the stack's network only.
    ports: [
      { internal: 80, external: 80, ip: "0.0.0.0" },
      { internal: 443, external: 443, ip: "0.0.0.0" },
    ],
    files: [{ path: "/etc/caddy/Caddyfile", content: caddyfile }],
    mounts: [{ volume: "topobank-caddy-data", target: "/data" }],
  };

  const stack = new ContainerStack(
    app.name(),
    {
      provider: node.docker,
      hostId: node.hostId,
      containers: [...shared, ...perColour, ...liveOnly, front, ...volumeSnapshotSpecs("topobank", config.volumeSnapshots, secrets.snapshotToken, node.dataVolume)],
      volumes: ["topobank-rabbitmq", "topobank-caddy-data"],
      protectVolumes: ctx.protectState,
      dependsOn: [node.ready],
    },
    opts,
  );

  releaseColoursInOrder(app.name("release"), {
    host: node.ipv4Address,
    hostKey: node.hostPublicKey,
    hostId: node.hostId,
    commands: TOPOBANK.releaseSteps.map((argv) => [...argv]),
    versions: { blue: versionLabel(config.versions.blue), green: versionLabel(config.versions.green) },
    containers: colourContainers(stack, "django"),
    // Seed 001, "Updating": a backup before the migration, now taken and waited for by the release.
    backupFirst: { container: { name: "postgres", resource: stack.containers.postgres }, commands: [postgresDumpCommand(POSTGRES_DUMP_DIR, "pre-release", 10)] },
  }, opts);

  return app.done({
    liveColour: config.live,
    liveUrl: `https://${config.domain}`,
    blueUrl: `https://${colourHostname(config.domain, "blue")}`,
    greenUrl: `https://${colourHostname(config.domain, "green")}`,
    flowerUrl: `https://${flowerHost}`,
    nodeIp: node.ipv4Address,
    knownHostsLines: [node.knownHostsLine],
    hostKeyFingerprint: node.hostKeyFingerprint,
    adminUrl: pulumi.secret(pulumi.interpolate`https://${config.domain}/${adminPath}/`),
    ops: {
      platform: "digitalocean",
      nodes: { node: { ip: node.ipv4Address, knownHostsLine: node.knownHostsLine } },
      liveColour: config.live,
      manage: colourManage("django", () => "node"),
      // Seed 001: `docker-compose ... run --rm django python manage.py <command>`.
      manageCommand: ["python", "manage.py"],
      logs: containerLogs({ node: [...shared, ...perColour, ...liveOnly, front].map((c) => c.name) }),
      database: { kind: "postgres-container", at: { on: "node", container: "postgres" }, database: POSTGRES_DB, dumpDir: POSTGRES_DUMP_DIR },
      offsite: { at: { on: "node", container: "dbbackup" }, ...POSTGRES_BACKUP_S3_RESTORE },
      writers: { containers: [...perColour, ...liveOnly].map((c) => ({ on: "node", container: c.name })) },
      volumes: node.dataVolume ? { data: node.dataVolume.id } : {},
    } satisfies OpsOutputs,
  });
}
