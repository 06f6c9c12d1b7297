/**
 * `nmpi` (seed 000): the neuromorphic job queue and its quotas service, blue and green on separate
 * DigitalOcean nodes, Postgres on a node of its own with its data on block storage.
 *
 * Replaces deploy.py: `node create` → Node; `launch --colour` → a colour's ContainerStack;
 * "update the DNS records" → ReservedIpSwitch (or ColourLoadBalancer); `database dump` → the
 * scheduled backup container (and tools/ops/dump.sh); manual certificate renewal → certbot.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { COLOURS, type Colour, type SecretValues } from "../config";
import type { NmpiConfig, NmpiSecrets } from "../config/apps/nmpi";
import { Bucket } from "../components/digitalocean/bucket";
import { ColourLoadBalancer } from "../components/digitalocean/colour-load-balancer";
import { DnsZone, type ARecord, relativeName } from "../components/digitalocean/dns-zone";
import { Monitoring } from "../components/digitalocean/monitoring";
import { Node } from "../components/digitalocean/node";
import { ReservedIpSwitch } from "../components/digitalocean/reserved-ip-switch";
import { certbotDnsContainer, certificatePaths, nginxTlsProxyContainer } from "../components/docker/acme-dns";
import { ContainerStack, type ContainerSpec } from "../components/docker/container-stack";
import { renderNginxConfig } from "../components/docker/nginx-config";
import { App, type AppContext, statefulOptions } from "./context";
import { colourManage, containerLogs, type OpsOutputs, POSTGRES_DUMP_DIR, volumeSnapshotSpecs } from "./ops-outputs";

/** The two services of every colour, as the seed's deploy.py names them. */
const SERVICES = {
  jobQueue: { container: "nmpi", image: "cnrsunic/nmpi_queue_server", subdomain: "" },
  quotas: { container: "quotas", image: "cnrsunic/nmpi_resource_manager", subdomain: "quotas." },
} as const;
type Service = keyof typeof SERVICES;
/** Port the service images listen on inside the container (TLS now ends at the node's proxy). */
const SERVICE_PORT = 80;
/** Path the uptime checks and the load balancer request. */
const HEALTH_PATH = "/";

/** Pinned images of the supporting containers (never `latest`). */
const POSTGRES_IMAGE = "postgres:16.6-bookworm";
const BACKUP_IMAGE = "eeshugerman/postgres-backup-s3:16";
const PROXY_IMAGE = "nginx:1.27.3-alpine";
const CERTBOT_IMAGE = "certbot/dns-digitalocean:v3.0.1";

const DATA_MOUNT = "/mnt/data";
/** Certificates on the node's disk: a cache that certbot re-creates, so no stateful volume is needed. */
const CERTIFICATE_STORE = { hostPath: "/srv/letsencrypt" };
const POSTGRES_PORT = 5432;
const POSTGRES_USER = "postgres";

/** Host names of a service: production (`nmpi.example.org`) or a colour's (`blue.nmpi.example.org`). */
export function serviceHost(domain: string, service: Service, colour?: Colour): string {
  return `${SERVICES[service].subdomain}${colour ? `${colour}.` : ""}${domain}`;
}

export function deployNmpi(ctx: AppContext, config: NmpiConfig, secrets: SecretValues<NmpiSecrets>): Record<string, unknown> {
  const app = new App("nmpi", ctx);
  const prefix = app.prefix;
  const opts = app.childOptions;
  const appTag = `${prefix}-app`;
  const nodeDefaults = { region: config.region, adminCidrs: config.adminCidrs, adminSshKeys: config.adminSshKeys };

  // --- State: never depends on the colour.
  const dbPassword = new random.RandomPassword(`${prefix}-db-password`, { length: 32, special: false }, opts);
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
    dependsOn: [dbNode.ready],
    containers: [
      {
        name: dbContainer,
        image: POSTGRES_IMAGE,
        env: { POSTGRES_USER, POSTGRES_PASSWORD: dbPassword.result, PGDATA: "/var/lib/postgresql/data/pgdata" },
        mounts: [{ hostPath: `${DATA_MOUNT}/postgres`, target: "/var/lib/postgresql/data" }],
        // Only on the private network interface; the firewall admits the app nodes only.
        ports: [{ internal: POSTGRES_PORT, external: POSTGRES_PORT, ip: dbNode.privateIpv4Address }],
        healthcheck: ["CMD", "pg_isready", "-U", POSTGRES_USER],
      },
      {
        name: "nmpi-db-backup",
        image: BACKUP_IMAGE,
        after: [dbContainer],
        env: {
          SCHEDULE: config.backup.schedule,
          BACKUP_KEEP_DAYS: String(config.backup.retentionDays),
          PASSPHRASE: backupPassphrase.result,
          S3_REGION: config.region,
          S3_ENDPOINT: backups.endpoint,
          S3_BUCKET: backups.bucketName,
          S3_PREFIX: "backup",
          S3_ACCESS_KEY_ID: backups.accessKeyId,
          S3_SECRET_ACCESS_KEY: backups.secretAccessKey,
          POSTGRES_HOST: dbContainer,
          POSTGRES_DATABASE: "postgres",
          POSTGRES_USER,
          POSTGRES_PASSWORD: dbPassword.result,
        },
      },
      ...volumeSnapshotSpecs("nmpi", config.volumeSnapshots, secrets.snapshotToken, dbNode.dataVolume),
    ],
  }, opts);

  // --- One node per colour, each with both services behind a TLS proxy.
  const nodes = {} as Record<Colour, Node>;
  for (const colour of COLOURS) {
    const node = new Node(`${prefix}-${colour}`, { ...nodeDefaults, size: config.nodeSize, tags: [appTag, `${prefix}-${colour}`] }, opts);
    nodes[colour] = node;
    new ContainerStack(
      `${prefix}-${colour}`,
      {
        provider: node.docker,
        dependsOn: [node.ready],
        containers: colourContainers(config, secrets, colour, dbNode.privateIpv4Address, dbPassword.result),
      },
      { ...opts, dependsOn: [database] },
    );
  }
  const droplets = { blue: nodes.blue.dropletId, green: nodes.green.dropletId };

  // --- Routing: exactly one resource follows `live`.
  const liveHosts = [serviceHost(config.domain, "jobQueue"), serviceHost(config.domain, "quotas")];
  const liveIp =
    config.routing === "reserved-ip"
      ? new ReservedIpSwitch(`${prefix}-live`, { region: config.region, droplets, live: config.live, protect: ctx.protectState }, opts).ip
      : new ColourLoadBalancer(`${prefix}-live`, { region: config.region, droplets, live: config.live, hostnames: liveHosts, healthPath: HEALTH_PATH }, opts).ip;
  const records: ARecord[] = [
    ...liveHosts.map((host) => ({ name: relativeName(host, config.dnsZone), ip: liveIp })),
    ...COLOURS.flatMap((colour) =>
      (Object.keys(SERVICES) as Service[]).map((service) => ({
        name: relativeName(serviceHost(config.domain, service, colour), config.dnsZone),
        ip: nodes[colour].ipv4Address,
      })),
    ),
  ];
  new DnsZone(`${prefix}-dns`, { zone: config.dnsZone, adopt: config.adoptDnsZone, protect: ctx.protectState, records }, opts);

  new Monitoring(`${prefix}-monitoring`, {
    email: config.alertEmail,
    uptimeTargets: {
      live: `https://${config.domain}${HEALTH_PATH}`,
      ...Object.fromEntries(COLOURS.map((c) => [c, `https://${serviceHost(config.domain, "jobQueue", c)}${HEALTH_PATH}`])),
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
    quotasUrl: `https://${serviceHost(config.domain, "quotas")}`,
    urls: Object.fromEntries(COLOURS.map((c) => [c, `https://${serviceHost(config.domain, "jobQueue", c)}`])),
    versions: config.versions,
    publicIp: liveIp,
    nodes: {
      blue: nodeOutputs(nodes.blue, [serviceHost(config.domain, "jobQueue", "blue")]),
      green: nodeOutputs(nodes.green, [serviceHost(config.domain, "jobQueue", "green")]),
      db: nodeOutputs(dbNode, []),
    },
    database: { host: dbNode.privateIpv4Address, port: POSTGRES_PORT, user: POSTGRES_USER, volumeId: dbNode.dataVolume?.id },
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
      database: { kind: "postgres-container", at: { on: "db", container: dbContainer }, database: "postgres", dumpDir: POSTGRES_DUMP_DIR },
      // eeshugerman/postgres-backup-s3 src/restore.sh: the newest dump, or the one whose timestamp is given.
      offsite: { at: { on: "db", container: "nmpi-db-backup" }, newest: ["sh", "restore.sh"], named: ["sh", "restore.sh", "{}"] },
      writers: { containers: COLOURS.flatMap((c) => [{ on: c, container: `nmpi-${c}` }, { on: c, container: `quotas-${c}` }]) },
      volumes: dbNode.dataVolume ? { db: dbNode.dataVolume.id } : {},
    } satisfies OpsOutputs,
  });
}

/** The containers of one colour: both services, certbot (DNS-01) and the TLS proxy in front. */
function colourContainers(
  config: NmpiConfig,
  secrets: SecretValues<NmpiSecrets>,
  colour: Colour,
  databaseHost: pulumi.Input<string>,
  databasePassword: pulumi.Input<string>,
): ContainerSpec[] {
  const certName = "nmpi";
  const tls = certificatePaths(certName);
  const service = (name: Service, extraEnv: Record<string, pulumi.Input<string>>): ContainerSpec => ({
    name: `${SERVICES[name].container}-${colour}`,
    image: `${SERVICES[name].image}:${config.versions[colour]}`,
    env: {
      ...extraEnv,
      NMPI_DATABASE_HOST: databaseHost,
      NMPI_DATABASE_PORT: String(POSTGRES_PORT),
      NMPI_DATABASE_PASSWORD: databasePassword,
    },
  });
  const services = [service("jobQueue", secrets.jobQueue), service("quotas", secrets.quotas)];
  const hostsOf = (s: Service) => [serviceHost(config.domain, s), serviceHost(config.domain, s, colour)];
  const nginx = renderNginxConfig({
    sites: (Object.keys(SERVICES) as Service[]).map((s) => ({
      hostnames: hostsOf(s),
      upstream: `http://${SERVICES[s].container}-${colour}:${SERVICE_PORT}`,
      tls,
    })),
  });
  return [
    ...services,
    certbotDnsContainer({
      name: "certbot",
      image: CERTBOT_IMAGE,
      certName,
      // The production names too: this colour must hold their certificate before it goes live.
      hostnames: [...hostsOf("jobQueue"), ...hostsOf("quotas")],
      email: config.alertEmail,
      dnsToken: secrets.acmeDnsToken,
      store: CERTIFICATE_STORE,
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
