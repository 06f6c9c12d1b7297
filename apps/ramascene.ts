/**
 * The `ramascene` app (seed 003): daphne (ASGI) and two celery workers, redis and rabbitmq, behind
 * nginx with TLS, on one DigitalOcean node, blue/green on that node.
 *
 * - Shared, colour-independent: redis (channels layer), rabbitmq (celery broker), certbot (one
 *   certificate for the production and both colour names, DNS-01), and the node's block-storage
 *   volume holding the datasets directory and the SQLite database.
 * - Per colour (web-facing): `daphne-<colour>` on 8001.
 * - Live only (one container each, image follows the live colour): `worker1` (`-Q calc_default -n
 *   worker1.%h`) and `worker2` (`-Q modelling -n worker2.%h`), concurrency 1, one task per child
 *   (the colours share the broker, so an idle colour's worker would take live tasks), and
 *   `clear-models`, the weekly job (Sundays 05:00 UTC, seed's cron line `0 5 * * 0`), which must
 *   never run twice.
 * - Front: nginx (config generated here): the production name to the live daphne, `blue.`/`green.`
 *   to each colour, websocket upgrades passed. A switch changes only nginx's config (so the nginx
 *   container) and moves the live-only singletons.
 *
 * Release steps: `migrate` and `populateHierarchies` (idempotent) run once per colour version inside
 * that colour's daphne container ({@link ColourRelease}), green after blue so two never race on the
 * one SQLite file. What the image expects is in apps/contracts/ramascene.ts with its sources.
 */
import { posix } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { COLOURS, type SecretValues } from "../config";
import { acmeMode } from "../config/apps/acme";
import type { RamasceneConfig, RamasceneSecrets } from "../config/apps/ramascene";
import type { Colour } from "../config/primitives";
import { DnsZone, relativeName } from "../components/digitalocean/dns-zone";
import { Node } from "../components/digitalocean/node";
import { certbotDnsContainer, certificatePaths, challengeCnameRecords, nginxTlsProxyContainer } from "../components/docker/acme-dns";
import { type ContainerSpec, ContainerStack } from "../components/docker/container-stack";
import { colourContainerName, colourContainers, colourHostname, colourRoutes } from "../components/docker/colour-hosts";
import { releaseColoursInOrder } from "../components/docker/colour-release";
import { renderNginxConfig } from "../components/docker/nginx-config";
import { HostDirectories } from "../components/docker/host-directories";
import { imageAtVersion, versionLabel } from "../components/docker/source-image";
import { App, type AppContext } from "./context";
import { RAMASCENE } from "./contracts/ramascene";
import { colourManage, containerLogs, type OpsOutputs, replicaNames, sqliteDumpCommand, volumeSnapshotSpecs } from "./ops-outputs";

/** Supporting images, pinned. The app and static images are built from source (apps/contracts/ramascene.ts). */
export const SUPPORT_IMAGES = {
  nginx: "nginx:1.27.2-alpine",
  redis: "redis:7.4.1-alpine",
  rabbitmq: "rabbitmq:3.13.7-management-alpine",
  certbot: "certbot/dns-digitalocean:v3.0.1",
} as const;

const DATA_MOUNT = "/mnt/ramascene-data";
/** The node's directory mounted at the image's SQLite directory (RAMASCENE.sqliteDir): shared by every container. */
const SQLITE_HOST_DIR = `${DATA_MOUNT}/db`;
/** The SQLite file and the pre-release dumps as the node sees them (the same files the containers see under sqliteDir). */
const SQLITE_HOST_FILE = `${SQLITE_HOST_DIR}/${posix.basename(RAMASCENE.sqliteFile)}`;
const SQLITE_DUMPS = "dumps";
const DAPHNE_PORT = RAMASCENE.daphnePort;
const CERT_NAME = "ramascene";
/** Certificates in a named volume shared by certbot (writing) and nginx (reading). */
const CERTIFICATE_STORE = { volume: "ramascene-letsencrypt" };

/** When the weekly job runs: ISO weekday (1 = Monday ... 7 = Sunday), hour and minute, UTC. */
export interface WeeklyTime {
  weekday: number;
  hour: number;
  minute: number;
}

/** Seed 003, "Management of database results": `0 5 * * 0`, at 05:00 every Sunday. */
export const CLEAR_MODELS_AT: WeeklyTime = { weekday: 7, hour: 5, minute: 0 };

/**
 * A shell loop that runs `argv` once a week at `at` (UTC), for an app image without cron: it wakes
 * at the start of every minute and compares the clock, so it never drifts past the minute.
 */
export function weeklyJobScript(argv: readonly string[], at: WeeklyTime): string {
  if (!Number.isInteger(at.weekday) || at.weekday < 1 || at.weekday > 7) throw new Error(`weeklyJobScript: weekday ${at.weekday} must be 1-7`);
  if (!Number.isInteger(at.hour) || at.hour < 0 || at.hour > 23) throw new Error(`weeklyJobScript: hour ${at.hour} must be 0-23`);
  if (!Number.isInteger(at.minute) || at.minute < 0 || at.minute > 59) throw new Error(`weeklyJobScript: minute ${at.minute} must be 0-59`);
  if (argv.length === 0 || argv.some((a) => !/^[A-Za-z0-9_./=-]+$/.test(a))) throw new Error("weeklyJobScript: argv must be plain words");
  const stamp = `${at.weekday}${String(at.hour).padStart(2, "0")}${String(at.minute).padStart(2, "0")}`;
  return `set -u
while :; do
  now=$(date -u +%s)
  sleep $((60 - now % 60))
  if [ "$(date -u +%u%H%M)" = "${stamp}" ]; then
    echo "weekly job: ${argv.join(" ")}"
    ${argv.join(" ")} || echo "weekly job failed; next run in a week" >&2
  fi
done
`;
}

export function deployRamascene(ctx: AppContext, config: RamasceneConfig, secrets: SecretValues<RamasceneSecrets>): Record<string, unknown> {
  const app = new App("ramascene", ctx);
  const opts = app.childOptions;

  const node = new Node(app.name(), {
    region: config.region,
    size: config.nodeSize,
    adminCidrs: config.adminCidrs,
    adminSshKeys: config.adminSshKeys,
    publicPorts: [80, 443],
    tags: ["ramascene"],
    dataVolume: { sizeGiB: config.dataVolumeGiB, mountPath: DATA_MOUNT, protect: ctx.protectState },
  }, opts);
  // The certificate's names too: one certificate for the production and both colour names.
  const hostnames = [config.domain, ...COLOURS.map((c) => colourHostname(config.domain, c))];
  // certbot's DNS token and zone (security review M5); with a challenge zone, `_acme-challenge.<name>` → `<name>.<challengeZone>.`.
  const acme = acmeMode("ramascene", config.acme, secrets);
  new DnsZone(app.name("dns"), {
    zone: config.dnsZone,
    ownership: config.dnsZoneOwnership,
    protect: ctx.protectState,
    records: hostnames.map((host) => ({ name: relativeName(host, config.dnsZone), ip: node.ipv4Address })),
    cnames: challengeCnameRecords(hostnames, acme.challengeZone, config.dnsZone),
  }, opts);

  const secretKey = new random.RandomPassword(app.name("django-secret-key"), { length: 64, special: false }, opts).result;
  const credentialOpts = { ...opts, protect: ctx.protectState };
  const rabbitUser = pulumi.interpolate`u${new random.RandomPassword(app.name("rabbitmq-user"), { length: 24, special: false, upper: false }, credentialOpts).result}`;
  const rabbitPassword = new random.RandomPassword(app.name("rabbitmq-password"), { length: 40, special: false }, credentialOpts).result;

  const appEnv: Record<string, pulumi.Input<string>> = {
    DJANGO_SETTINGS_MODULE: config.settingsModule,
    DATASETS_VERSION: config.datasetsVersion,
    DATASETS_DIR: RAMASCENE.datasetsDir,
    SECRET_KEY: secretKey,
    BROKER_URL: pulumi.interpolate`amqp://${rabbitUser}:${rabbitPassword}@rabbitmq:5672//`,
    [RAMASCENE.allowedHostEnv]: config.domain,
    OPENBLAS_NUM_THREADS: String(config.openblasThreads),
    // Where the production settings find the channels layer and the one SQLite file all containers share.
    [RAMASCENE.redisEnv]: "redis",
    DATABASES_DEFAULT_NAME: RAMASCENE.sqliteFile,
  };
  // Each colour's images, built on the node from the colour's ref with the production URLs baked into the bundle.
  const buildArgs = RAMASCENE.buildArgs(config.domain, config.settingsModule, config.datasetsVersion);
  const build = { host: node.ipv4Address, hostKey: node.hostPublicKey, dependsOn: [node.ready], repository: RAMASCENE.repository, buildArgs };
  const images = Object.fromEntries(
    COLOURS.map((colour) => [
      colour,
      {
        app: imageAtVersion(app.name(`${colour}-image`), config.versions[colour], "app", { ...build, target: RAMASCENE.targets.app, imageName: "platform/ramascene-app" }, opts),
        static: imageAtVersion(app.name(`${colour}-static-image`), config.versions[colour], "static", { ...build, target: RAMASCENE.targets.static, imageName: "platform/ramascene-static" }, opts),
      },
    ]),
  ) as Record<Colour, { app: pulumi.Output<string>; static: pulumi.Output<string> }>;
  const appImage = (colour: Colour) => images[colour].app;
  const dataMounts = [
    { hostPath: `${DATA_MOUNT}/datasets`, target: RAMASCENE.datasetsDir, readOnly: true },
    { hostPath: SQLITE_HOST_DIR, target: RAMASCENE.sqliteDir },
  ];
  const worker = (queue: keyof RamasceneConfig["workers"], nodeName: string): ContainerSpec => ({
    name: nodeName,
    image: appImage(config.live),
    // Seed 003, "Celery details": one process (config.workers scales it), a fresh child per task so numpy's memory is returned.
    command: [...RAMASCENE.worker(queue, nodeName, config.workers[queue].concurrency)],
    env: { ...appEnv, DEPLOYMENT_COLOUR: config.live },
    mounts: dataMounts,
    after: ["rabbitmq", "redis"],
  });

  const shared: ContainerSpec[] = [
    { name: "redis", image: SUPPORT_IMAGES.redis, healthcheck: ["CMD", "redis-cli", "ping"] },
    {
      name: "rabbitmq",
      image: SUPPORT_IMAGES.rabbitmq,
      env: { RABBITMQ_DEFAULT_USER: rabbitUser, RABBITMQ_DEFAULT_PASS: rabbitPassword },
      mounts: [{ volume: "ramascene-rabbitmq", target: "/var/lib/rabbitmq" }],
      healthcheck: ["CMD", "rabbitmq-diagnostics", "-q", "ping"],
    },
    certbotDnsContainer({
      name: "certbot",
      image: SUPPORT_IMAGES.certbot,
      certName: CERT_NAME,
      hostnames,
      email: config.alertEmail,
      dnsToken: acme.token,
      challengeZone: acme.challengeZone,
      store: CERTIFICATE_STORE,
      staging: config.acmeStaging,
    }),
  ];
  const perColour: ContainerSpec[] = COLOURS.flatMap((colour): ContainerSpec[] => [
    {
      name: colourContainerName("daphne", colour),
      image: appImage(colour),
      command: [...RAMASCENE.daphneCommand(DAPHNE_PORT)],
      env: { ...appEnv, DEPLOYMENT_COLOUR: colour },
      mounts: dataMounts,
      healthcheck: ["CMD", "python", "-c", `import socket; socket.create_connection(("127.0.0.1", ${DAPHNE_PORT}), 5)`],
      after: ["redis", "rabbitmq"],
    },
    {
      // The colour's collected static files, served by upstream's own nginx stage (daphne does not serve them).
      name: colourContainerName("static", colour),
      image: images[colour].static,
      env: RAMASCENE.staticEnv(colourContainerName("daphne", colour), DAPHNE_PORT),
      // Its nginx resolves the backend's name when it loads its config.
      after: [colourContainerName("daphne", colour)],
    },
  ]);
  const liveOnly: ContainerSpec[] = [
    ...replicaNames("worker1", config.workers.calc_default.replicas).map((n) => worker("calc_default", n)),
    ...replicaNames("worker2", config.workers.modelling.replicas).map((n) => worker("modelling", n)),
    {
      name: "clear-models",
      image: appImage(config.live),
      entrypoint: ["/bin/sh", "-c"],
      command: [weeklyJobScript(RAMASCENE.clearModels, CLEAR_MODELS_AT)],
      env: { ...appEnv, DEPLOYMENT_COLOUR: config.live },
      mounts: dataMounts,
    },
  ];

  const cert = certificatePaths(CERT_NAME);
  const nginxConf = renderNginxConfig({
    sites: colourRoutes(config.domain, config.live).map((route) => ({
      hostnames: route.hostnames,
      upstream: `http://${colourContainerName("daphne", route.colour)}:${DAPHNE_PORT}`,
      tls: cert,
      websockets: true,
      // ALLOWED_HOSTS takes HOST only: colour previews reach Django under the production name.
      upstreamHost: config.domain,
      routes: [
        { prefix: RAMASCENE.websocketPrefix, upstream: `http://${colourContainerName("daphne", route.colour)}:${DAPHNE_PORT}`, stripPrefix: true, websockets: true },
        { prefix: RAMASCENE.staticPrefix, upstream: `http://${colourContainerName("static", route.colour)}:${RAMASCENE.staticPort}` },
      ],
    })),
  });
  const front = nginxTlsProxyContainer({
    name: "nginx",
    image: SUPPORT_IMAGES.nginx,
    nginxConfig: nginxConf,
    certificate: cert.certificate,
    store: CERTIFICATE_STORE,
  });

  // The app image runs as uid 1000: the shared SQLite directory must be its own.
  const dataDirs = new HostDirectories(app.name("data-dirs"), {
    host: node.ipv4Address,
    hostKey: node.hostPublicKey,
    directories: [{ path: SQLITE_HOST_DIR, uid: RAMASCENE.appUid, gid: RAMASCENE.appUid }],
    dependsOn: [node.ready],
  }, opts);
  const stack = new ContainerStack(
    app.name(),
    {
      provider: node.docker,
      hostId: node.hostId,
      containers: [...shared, ...perColour, ...liveOnly, front, ...volumeSnapshotSpecs("ramascene", config.volumeSnapshots, secrets.snapshotToken, node.dataVolume)],
      volumes: ["ramascene-rabbitmq", "ramascene-letsencrypt"],
      protectVolumes: ctx.protectState,
      dependsOn: [node.ready, dataDirs.done],
    },
    opts,
  );

  const daphne = colourContainers(stack, "daphne");
  releaseColoursInOrder(app.name("release"), {
    host: node.ipv4Address,
    hostKey: node.hostPublicKey,
    hostId: node.hostId,
    commands: RAMASCENE.releaseSteps.map((argv) => [...argv]),
    versions: { blue: versionLabel(config.versions.blue), green: versionLabel(config.versions.green) },
    containers: daphne,
    // A copy of the SQLite file both colours share before a release migrates it (any daphne has Python and the mount).
    backupFirst: { container: daphne.blue, commands: [sqliteDumpCommand(RAMASCENE.sqliteFile, `${RAMASCENE.sqliteDir}/${SQLITE_DUMPS}`, "pre-release", 10)] },
  }, opts);

  return app.done({
    liveColour: config.live,
    liveUrl: `https://${config.domain}`,
    blueUrl: `https://${colourHostname(config.domain, "blue")}`,
    greenUrl: `https://${colourHostname(config.domain, "green")}`,
    nodeIp: node.ipv4Address,
    knownHostsLines: [node.knownHostsLine],
    hostKeyFingerprint: node.hostKeyFingerprint,
    ops: {
      platform: "digitalocean",
      nodes: { node: { ip: node.ipv4Address, knownHostsLine: node.knownHostsLine } },
      liveColour: config.live,
      manage: colourManage("daphne", () => "node"),
      // Seed 003: `python3 manage.py createsuperuser`, `populateHierarchies`, `clear_models`.
      manageCommand: ["python", "manage.py"],
      logs: containerLogs({ node: [...shared, ...perColour, ...liveOnly].map((c) => c.name).concat("nginx") }),
      // On the node itself (the file is under the volume's db/ directory), so it works with every container stopped.
      database: { kind: "sqlite", node: "node", path: SQLITE_HOST_FILE, dumpDir: `${SQLITE_HOST_DIR}/${SQLITE_DUMPS}` },
      writers: { containers: [...perColour, ...liveOnly].map((c) => ({ on: "node", container: c.name })) },
      volumes: node.dataVolume ? { data: node.dataVolume.id } : {},
    } satisfies OpsOutputs,
  });
}
