/**
 * `nmpi` (seed 000): the neuromorphic job queue and its quotas service, blue and green on separate
 * DigitalOcean nodes, Postgres on a node of its own with its data on block storage.
 *
 * Replaces deploy.py: `node create` → Node; `launch --colour` → a colour's ContainerStack;
 * "update the DNS records" → ReservedIpSwitch (or ColourLoadBalancer); `database dump` → the
 * scheduled backup container (and tools/ops/dump.sh); manual certificate renewal → certbot.
 */
import { createHash } from "node:crypto";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { COLOURS, type Colour, type SecretValues } from "../config";
import { type AcmeMode, acmeMode } from "../config/apps/acme";
import type { NmpiConfig, NmpiSecrets } from "../config/apps/nmpi";
import { Bucket } from "../components/digitalocean/bucket";
import { ColourLoadBalancer } from "../components/digitalocean/colour-load-balancer";
import { DnsZone, type ARecord, relativeName } from "../components/digitalocean/dns-zone";
import { Monitoring } from "../components/digitalocean/monitoring";
import { Node } from "../components/digitalocean/node";
import { ReservedIpSwitch } from "../components/digitalocean/reserved-ip-switch";
import { certbotDnsContainer, certificatePaths, challengeCnameRecords, nginxTlsProxyContainer } from "../components/docker/acme-dns";
import { ContainerStack, type ContainerSpec } from "../components/docker/container-stack";
import { renderNginxConfig } from "../components/docker/nginx-config";
import { postgresWithAppRole } from "../components/docker/postgres-app-role";
import { POSTGRES_BACKUP_S3_RESTORE, postgresBackupS3Container, postgresBackupS3Image } from "../components/docker/postgres-backup-s3";
import { imageAtVersion, versionLabel } from "../components/docker/source-image";
import { App, type AppContext, statefulOptions } from "./context";
import { NMPI } from "./contracts/nmpi";
import { colourManage, containerLogs, type OpsOutputs, POSTGRES_DUMP_DIR, volumeSnapshotSpecs } from "./ops-outputs";

/** The two services of every colour, as the seed's deploy.py names them (facts in apps/contracts/nmpi.ts). */
const SERVICES = NMPI.services;
type Service = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as Service[];
/** Port the service images listen on: TLS only, 443 (the node's proxy re-encrypts to it). */
const SERVICE_PORT = NMPI.servicePort;
/** Path the uptime checks and the load balancer request: the job queue's API root. */
const HEALTH_PATH = SERVICES.jobQueue.healthPath;

/** Pinned images of the supporting containers (never `latest`). */
const POSTGRES_IMAGE = NMPI.postgresImage;
const PROXY_IMAGE = "nginx:1.27.3-alpine";
const CERTBOT_IMAGE = "certbot/dns-digitalocean:v3.0.1";

const DATA_MOUNT = "/mnt/data";
/** Certificates on the node's disk: a cache that certbot re-creates, so no stateful volume is needed. */
const CERTIFICATE_STORE = { hostPath: "/srv/letsencrypt" };
const POSTGRES_PORT = NMPI.postgresPort;
const POSTGRES_USER = NMPI.databaseUser;
const POSTGRES_DB = NMPI.database;

/** Production host name of each service: the job queue at `domain`, quotas at `quotasDomain` (default `quotas.<domain>`). */
function serviceDomain(config: Pick<NmpiConfig, "domain" | "quotasDomain">, service: Service): string {
  return service === "jobQueue" ? config.domain : (config.quotasDomain ?? `quotas.${config.domain}`);
}

/** Host names of a service: production (`nmpi.example.org`) or a colour's (`blue.nmpi.example.org`). */
export function serviceHost(config: Pick<NmpiConfig, "domain" | "quotasDomain">, service: Service, colour?: Colour): string {
  return `${colour ? `${colour}.` : ""}${serviceDomain(config, service)}`;
}

/**
 * Names on one colour's certificate: both services' production names (the colour must hold their
 * certificate before it goes live) and the colour's own.
 */
function certificateHosts(config: Pick<NmpiConfig, "domain" | "quotasDomain">, colour: Colour): string[] {
  return SERVICE_NAMES.flatMap((s) => [serviceHost(config, s), serviceHost(config, s, colour)]);
}

export function deployNmpi(ctx: AppContext, config: NmpiConfig, secrets: SecretValues<NmpiSecrets>): Record<string, unknown> {
  const app = new App("nmpi", ctx);
  const prefix = app.prefix;
  const opts = app.childOptions;
  // A Tag resource, so the db firewall naming it is created after the tag exists (poseidon/typhoon#709).
  const appTag = new digitalocean.Tag(`${prefix}-app`, { name: `${prefix}-app` }, opts).name;
  const nodeDefaults = { region: config.region, adminCidrs: config.adminCidrs, adminSshKeys: config.adminSshKeys };

  // --- State: never depends on the colour.
  const dbPassword = new random.RandomPassword(`${prefix}-db-password`, { length: 32, special: false }, opts);
  const dbSuperuserPassword = new random.RandomPassword(`${prefix}-db-superuser-password`, { length: 32, special: false }, opts);
  const backupPassphrase = new random.RandomPassword(`${prefix}-backup-passphrase`, { length: 40, special: false }, opts);
  const backups = new Bucket(`${prefix}-backups`, {
    // Bucket names are global across DigitalOcean: a suffix from the domain keeps ours unique.
    bucketName: `${prefix}-backups-${createHash("sha256").update(config.domain).digest("hex").slice(0, 8)}`,
    region: config.region,
    expire: [{ prefix: "backup/", days: config.backup.retentionDays }],
    protect: ctx.protectState,
  }, opts);
  const dbNode = new Node(`${prefix}-db`, {
    ...nodeDefaults,
    size: config.database.nodeSize,
    tags: [`${prefix}-db`],
    publicPorts: [],
    privatePorts: [{ port: POSTGRES_PORT, fromTags: [appTag] }],
    dataVolume: { sizeGiB: config.database.volumeGiB, mountPath: DATA_MOUNT, protect: statefulOptions(ctx).protect },
  }, opts);
  const dbContainer = "nmpi-db";
  const database = new ContainerStack(`${prefix}-db`, {
    provider: dbNode.docker,
    hostId: dbNode.hostId,
    dependsOn: [dbNode.ready],
    containers: [
      // The services' role nmpi_dbadmin owns database nmpi but is no superuser (security review M9);
      // the superuser's password stays in this container.
      postgresWithAppRole({
        name: dbContainer,
        image: POSTGRES_IMAGE,
        role: POSTGRES_USER,
        database: POSTGRES_DB,
        rolePassword: dbPassword.result,
        superuserPassword: dbSuperuserPassword.result,
        passwordEncryption: config.database.passwordEncryption,
        container: {
          mounts: [{ hostPath: `${DATA_MOUNT}/postgres`, target: "/var/lib/postgresql/data" }],
          // Only on the private network interface; the firewall admits the app nodes only.
          ports: [{ internal: POSTGRES_PORT, external: POSTGRES_PORT, ip: dbNode.privateIpv4Address }],
        },
      }),
      postgresBackupS3Container({
        name: "nmpi-db-backup",
        image: config.backup.image ?? postgresBackupS3Image(`${prefix}-db-backup-image`, {
          host: dbNode.ipv4Address,
          hostKey: dbNode.hostPublicKey,
          dependsOn: [dbNode.ready],
          postgresMajor: NMPI.postgresMajor,
        }, opts),
        after: [dbContainer],
        schedule: config.backup.schedule,
        keepDays: config.backup.retentionDays,
        passphrase: backupPassphrase.result,
        s3: { region: config.region, endpoint: backups.endpoint, bucket: backups.bucketName, prefix: NMPI.backup.prefix, accessKeyId: backups.accessKeyId, secretAccessKey: backups.secretAccessKey },
        postgres: { host: dbContainer, database: POSTGRES_DB, user: POSTGRES_USER, password: dbPassword.result },
      }),
      ...volumeSnapshotSpecs("nmpi", config.volumeSnapshots, secrets.snapshotToken, dbNode.dataVolume),
    ],
  }, opts);

  // Each colour's service images, built on that colour's node from its ref (or prebuilt by digest).
  const serviceImage = (service: Service, colour: Colour, node: Node): pulumi.Output<string> => {
    const version = config.versions[colour];
    const ref = typeof version === "string" ? version : "";
    return imageAtVersion(`${prefix}-${colour}-image-${SERVICES[service].container}`, version, service, {
      host: node.ipv4Address,
      hostKey: node.hostPublicKey,
      dependsOn: [node.ready],
      repository: NMPI.repository,
      ...SERVICES[service].build,
      files: [NMPI.buildInfo(ref, colour)],
      imageName: `platform/nmpi-${SERVICES[service].container}`,
    }, opts);
  };

  // --- One node per colour, each with both services behind a TLS proxy; certbot's DNS token and zone (security review M5).
  const acme = acmeMode("nmpi", config.acme, secrets);
  const nodes = {} as Record<Colour, Node>;
  const colourStacks = {} as Record<Colour, ContainerStack>;
  for (const colour of COLOURS) {
    const node = new Node(`${prefix}-${colour}`, { ...nodeDefaults, size: config.nodeSize, tags: [appTag, `${prefix}-${colour}`] }, opts);
    nodes[colour] = node;
    colourStacks[colour] = new ContainerStack(
      `${prefix}-${colour}`,
      {
        provider: node.docker,
        hostId: node.hostId,
        dependsOn: [node.ready],
        containers: colourContainers(config, secrets, acme, colour, dbNode.privateIpv4Address, dbPassword.result, {
          jobQueue: serviceImage("jobQueue", colour, node),
          quotas: serviceImage("quotas", colour, node),
        }),
      },
      { ...opts, dependsOn: [database] },
    );
  }
  const droplets = { blue: nodes.blue.dropletId, green: nodes.green.dropletId };
  const colourReady = { blue: [colourStacks.blue.containers.proxy], green: [colourStacks.green.containers.proxy] };

  // --- Routing: exactly one resource follows `live`.
  const liveHosts = SERVICE_NAMES.map((service) => serviceHost(config, service));
  const liveIp =
    config.routing === "reserved-ip"
      ? new ReservedIpSwitch(`${prefix}-live`, { region: config.region, droplets, colourReady, live: config.live, protect: ctx.protectState }, opts).ip
      : new ColourLoadBalancer(`${prefix}-live`, { region: config.region, droplets, colourReady, live: config.live, hostnames: liveHosts, healthPath: HEALTH_PATH }, opts).ip;
  const records: ARecord[] = [
    ...liveHosts.map((host) => ({ name: relativeName(host, config.dnsZone), ip: liveIp })),
    ...COLOURS.flatMap((colour) =>
      SERVICE_NAMES.map((service) => ({
        name: relativeName(serviceHost(config, service, colour), config.dnsZone),
        ip: nodes[colour].ipv4Address,
      })),
    ),
  ];
  // With a challenge zone: `_acme-challenge.<name>` → `<name>.<challengeZone>.` for every name on either colour's certificate.
  const cnames = challengeCnameRecords(COLOURS.flatMap((colour) => certificateHosts(config, colour)), acme.challengeZone, config.dnsZone);
  new DnsZone(`${prefix}-dns`, { zone: config.dnsZone, ownership: config.dnsZoneOwnership, protect: ctx.protectState, records, cnames }, opts);

  new Monitoring(`${prefix}-monitoring`, {
    email: config.alertEmail,
    uptimeTargets: {
      live: `https://${config.domain}${HEALTH_PATH}`,
      quotas: `https://${serviceHost(config, "quotas")}${SERVICES.quotas.healthPath}`,
      ...Object.fromEntries(COLOURS.map((c) => [c, `https://${serviceHost(config, "jobQueue", c)}${HEALTH_PATH}`])),
    },
    dropletIds: [nodes.blue.dropletId, nodes.green.dropletId, dbNode.dropletId],
  }, opts);

  const nodeOutputs = (node: Node, hosts: string[]) => ({
    ip: node.ipv4Address,
    knownHostsLine: pulumi.interpolate`${[...hosts, ""].join(",")}${node.knownHostsLine}`,
    hostKeyFingerprint: node.hostKeyFingerprint,
  });
  return app.done({
    liveColour: config.live,
    routing: config.routing,
    liveUrl: `https://${config.domain}`,
    quotasUrl: `https://${serviceHost(config, "quotas")}`,
    urls: Object.fromEntries(COLOURS.map((c) => [c, `https://${serviceHost(config, "jobQueue", c)}`])),
    versions: { blue: versionLabel(config.versions.blue), green: versionLabel(config.versions.green) },
    publicIp: liveIp,
    nodes: {
      blue: nodeOutputs(nodes.blue, [serviceHost(config, "jobQueue", "blue")]),
      green: nodeOutputs(nodes.green, [serviceHost(config, "jobQueue", "green")]),
      db: nodeOutputs(dbNode, []),
    },
    database: { host: dbNode.privateIpv4Address, port: POSTGRES_PORT, user: POSTGRES_USER, name: POSTGRES_DB, volumeId: dbNode.dataVolume?.id },
    backupBucket: backups.bucketName,
    ops: {
      platform: "digitalocean",
      nodes: { blue: nodeOutputs(nodes.blue, []), green: nodeOutputs(nodes.green, []), db: nodeOutputs(dbNode, []) },
      liveColour: config.live,
      // Both services are Django projects (job_manager/, resource_manager/ with manage.py; app-contracts N5).
      manage: colourManage("nmpi", (c) => c),
      manageCommand: ["python", "manage.py"],
      logs: containerLogs({
        ...Object.fromEntries(COLOURS.map((c) => [c, [`nmpi-${c}`, `quotas-${c}`, "certbot", "proxy"]])),
        db: [dbContainer, "nmpi-db-backup"],
      }),
      database: { kind: "postgres-container", at: { on: "db", container: dbContainer }, database: POSTGRES_DB, dumpDir: POSTGRES_DUMP_DIR },
      // eeshugerman/postgres-backup-s3 src/restore.sh: the newest dump, or the one whose timestamp is given.
      offsite: { at: { on: "db", container: "nmpi-db-backup" }, ...POSTGRES_BACKUP_S3_RESTORE },
      writers: { containers: COLOURS.flatMap((c) => [{ on: c, container: `nmpi-${c}` }, { on: c, container: `quotas-${c}` }]) },
      volumes: dbNode.dataVolume ? { db: dbNode.dataVolume.id } : {},
    } satisfies OpsOutputs,
  });
}

/** The containers of one colour: both services, certbot (DNS-01) and the TLS proxy in front. */
function colourContainers(
  config: NmpiConfig,
  secrets: SecretValues<NmpiSecrets>,
  acme: AcmeMode<pulumi.Output<string>>,
  colour: Colour,
  databaseHost: pulumi.Input<string>,
  databasePassword: pulumi.Input<string>,
  images: Record<Service, pulumi.Input<string>>,
): ContainerSpec[] {
  const certName = "nmpi";
  const tls = certificatePaths(certName);
  const service = (name: Service, extraEnv: Record<string, pulumi.Input<string>>): ContainerSpec => ({
    name: `${SERVICES[name].container}-${colour}`,
    image: images[name],
    env: {
      ...extraEnv,
      [NMPI.databaseEnv.host]: databaseHost,
      [NMPI.databaseEnv.port]: String(POSTGRES_PORT),
      [NMPI.databaseEnv.password]: databasePassword,
    },
    // The image's nginx reads its certificate from /etc/letsencrypt/live/<fixed name>/ (see certbot aliases).
    mounts: [{ ...CERTIFICATE_STORE, target: NMPI.letsencryptDir, readOnly: true }],
    after: ["certbot"],
  });
  const services = [service("jobQueue", secrets.jobQueue), service("quotas", secrets.quotas)];
  const hostsOf = (s: Service) => [serviceHost(config, s), serviceHost(config, s, colour)];
  const nginx = renderNginxConfig({
    sites: SERVICE_NAMES.map((s) => ({
      hostnames: hostsOf(s),
      // The services speak TLS only; nginx does not verify the upstream certificate by default.
      upstream: `https://${SERVICES[s].container}-${colour}:${SERVICE_PORT}`,
      tls,
    })),
  });
  return [
    ...services,
    certbotDnsContainer({
      name: "certbot",
      image: CERTBOT_IMAGE,
      certName,
      hostnames: certificateHosts(config, colour),
      email: config.alertEmail,
      // The challenge zone team's token when a challenge zone is set (security review M5).
      dnsToken: acme.token,
      challengeZone: acme.challengeZone,
      store: CERTIFICATE_STORE,
      aliases: SERVICE_NAMES.map((s) => SERVICES[s].certificateDir),
    }),
    nginxTlsProxyContainer({
      name: "proxy",
      image: PROXY_IMAGE,
      nginxConfig: nginx,
      certificate: tls.certificate,
      store: CERTIFICATE_STORE,
      after: [...services.map((s) => s.name), "certbot"],
    }),
  ];
}
