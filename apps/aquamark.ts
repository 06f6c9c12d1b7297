/**
 * The `aquamark` app (seed 002): the survey web app in blue/green auto-scaling fleets behind one
 * load balancer, a private RDS Postgres, the recalculation and notification daemons on the live
 * version, alarms by e-mail. Replaces the seed's AMI baking, bastion hop and cron watchdog.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COLOURS, type Colour, otherColour, type SecretValues } from "../config";
import type { AquamarkConfig, AquamarkSecrets } from "../config/apps/aquamark";
import { Alarms } from "../components/aws/alarms";
import { ColourLoadBalancer } from "../components/aws/colour-load-balancer";
import { type ContainerHostSpec, renderContainerHostCloudInit } from "../components/aws/container-host-cloud-init";
import { Fleet, type FleetPolicyStatement } from "../components/aws/fleet";
import { Network } from "../components/aws/network";
import { ParameterSet } from "../components/aws/parameter-set";
import { Postgres } from "../components/aws/postgres";
import { RdsSnapshot } from "../components/aws/rds-snapshot";
import { App, type AppContext, statefulOptions } from "./context";
import type { OpsOutputs } from "./ops-outputs";

const APP = "aquamark";
/** The app's image on Docker Hub; the tag per colour comes from config. */
export const AQUAMARK_IMAGE = "vpac/aquamark";
/** The container serves on 8000; the seed published it on the host's port 80 (`-p 80:8000`). */
const CONTAINER_PORT = 8000;
const HOST_PORT = 80;
/** Answers "Web services are UP" without authentication (seed: the default /index.html needs a login). */
const HEALTH_PATH = "/ping";
/** The daemons, as the seed starts them from the web image. */
export const DAEMONS = { recalculate: ["python3", "./server/recalculate.py"], notifications: ["python3", "./server/notifications.py"] } as const;
type Daemon = keyof typeof DAEMONS;

/**
 * `alembic upgrade head` under a Postgres advisory lock, so instances booting together migrate one
 * at a time; later runs find the schema at head and change nothing. Uses only what alembic itself
 * needs (SQLAlchemy and the driver of DATABASE_URL), so it runs in the app's own image.
 */
export const MIGRATE_COMMAND = [
  "python3",
  "-c",
  [
    "import os, subprocess, sys",
    "import sqlalchemy",
    'engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"])',
    "with engine.connect() as conn:",
    '    conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(2020020)"))',
    '    sys.exit(subprocess.call(["alembic", "upgrade", "head"]))',
  ].join("\n"),
];

export function deployAquamark(ctx: AppContext, config: AquamarkConfig, secrets: SecretValues<AquamarkSecrets>): Record<string, unknown> {
  // The schema requires secrets.aquamark whenever aquamark is enabled; this only narrows the type.
  const live = config.live;
  const idle = otherColour(live);
  const app = new App(APP, ctx);
  const provider = new aws.Provider(app.name(), { region: config.region, defaultTags: { tags: app.tags } }, app.childOptions);
  const opts: pulumi.ComponentResourceOptions = { ...app.childOptions, providers: { aws: provider } };

  const network = new Network(app.name(), { cidr: config.network.cidr, natGateways: config.network.natGateways }, opts);

  const database = new Postgres(
    app.name("db"),
    {
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      engineVersion: config.database.engineVersion,
      instanceClass: config.database.instanceClass,
      storageGiB: config.database.storageGiB,
      maxStorageGiB: config.database.maxStorageGiB,
      multiAz: config.database.multiAz,
      backupRetentionDays: config.database.backupRetentionDays,
      snapshotIdentifier: config.database.snapshotIdentifier,
      databaseName: APP,
      username: APP,
      protect: statefulOptions(ctx).protect,
    },
    opts,
  );

  // Read at boot through the instance role (seed: an env file edited by hand on the AMI).
  const parameterPath = `/${APP}/${ctx.stack}/env`;
  const settings = new ParameterSet(
    app.name("settings"),
    {
      path: parameterPath,
      values: {
        DATABASE_URL: database.connectionUrl,
        MAIL_SERVER: config.mail.host,
        MAIL_PORT: String(config.mail.port),
        MAIL_SENDER: config.mail.sender,
        MAIL_USERNAME: secrets.mailUsername,
        MAIL_PASSWORD: secrets.mailPassword,
        ...(secrets.analyticsId !== undefined ? { ANALYTICS_ID: secrets.analyticsId } : {}),
        ...(config.bucket !== undefined ? { AWS_DEFAULT_REGION: config.region } : {}),
      },
    },
    opts,
  );

  const zoneId = config.dnsZone.id ?? aws.route53.getZoneOutput({ name: config.dnsZone.name, privateZone: false }, { provider }).zoneId;
  const loadBalancer = new ColourLoadBalancer(
    app.name(),
    {
      vpcId: network.vpcId,
      vpcCidr: network.cidr,
      subnetIds: network.publicSubnetIds,
      domain: config.domain,
      zoneId,
      live,
      canaryPercent: config.canaryPercent,
      targetPort: HOST_PORT,
      healthCheckPath: HEALTH_PATH,
      deletionProtection: ctx.protectState,
    },
    opts,
  );

  // The seed gave the app an IAM user's keys for its bucket; the instance role replaces them.
  const policyStatements: FleetPolicyStatement[] = [
    { actions: ["ssm:GetParametersByPath"], resources: [settings.pathArn, settings.parametersArn] },
    ...(config.bucket !== undefined
      ? [
          { actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${config.bucket}`] },
          { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`arn:aws:s3:::${config.bucket}/*`] },
        ]
      : []),
  ];
  const common = {
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [database.clientSecurityGroupId],
    policyStatements,
    logRetentionDays: config.logRetentionDays,
    // Containers reach the instance role only when the app needs it (its bucket).
    metadataHopLimit: config.bucket !== undefined ? (2 as const) : (1 as const),
  };
  const fleetOpts: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [settings] };
  const image = (c: Colour) => `${AQUAMARK_IMAGE}:${config.versions[c]}`;
  const hostSpec = (logGroupName: string, rest: Pick<ContainerHostSpec, "setup" | "services">): ContainerHostSpec => ({
    region: config.region,
    parameterPath,
    logGroupName,
    ...rest,
  });

  // A snapshot of the database both colours share, before a colour's new version migrates it at boot; its fleet waits for it.
  const preMigration = Object.fromEntries(
    COLOURS.map((c) => [c, new RdsSnapshot(app.name(`pre-migration-${c}`), { instanceIdentifier: database.identifier, label: `pre-${c}-${config.versions[c]}` }, opts)]),
  ) as Record<Colour, RdsSnapshot>;
  const web = Object.fromEntries(
    COLOURS.map((c) => {
      const logGroupName = `/${APP}/${ctx.stack}/web-${c}`;
      const sizes = config.fleet[c];
      const fleet = new Fleet(
        app.name(`web-${c}`),
        {
          ...common,
          instanceType: config.fleet.instanceType,
          imageId: sizes.machineImage,
          userData: renderContainerHostCloudInit(
            hostSpec(logGroupName, {
              // Migrations before the web container: a new version's instances fail their health
              // check (and take no traffic) until the schema is at its head.
              setup: [{ name: "migrate", image: image(c), command: [...MIGRATE_COMMAND] }],
              services: [{ name: APP, image: image(c), ports: [{ host: HOST_PORT, container: CONTAINER_PORT }] }],
            }),
          ),
          minSize: sizes.min,
          maxSize: sizes.max,
          desiredCapacity: sizes.desired,
          targetGroupArns: [loadBalancer.targetGroupArns[c]],
          healthCheckGraceSeconds: config.fleet.healthCheckGraceSeconds,
          targetCpuPercent: config.fleet.targetCpuPercent,
          ingress: [{ port: HOST_PORT, fromSecurityGroupId: loadBalancer.securityGroupId, description: "http from the load balancer" }],
          logGroupName,
          tags: { colour: c },
        },
        { ...fleetOpts, dependsOn: [settings, preMigration[c]] },
      );
      return [c, fleet];
    }),
  ) as Record<Colour, Fleet>;

  // One instance each, replaced by the group if it fails; Docker restarts the process. They run the
  // live colour's image, so promoting a version upgrades them (seed: "upgraded at the same time").
  const daemons = Object.fromEntries(
    (Object.keys(DAEMONS) as Daemon[]).map((d) => {
      const logGroupName = `/${APP}/${ctx.stack}/${d}`;
      const fleet = new Fleet(
        app.name(d),
        {
          ...common,
          instanceType: config.daemons.instanceType,
          imageId: config.fleet[live].machineImage,
          userData: renderContainerHostCloudInit(hostSpec(logGroupName, { setup: [], services: [{ name: d, image: image(live), command: [...DAEMONS[d]] }] })),
          minSize: 1,
          maxSize: 1,
          desiredCapacity: 1,
          logGroupName,
          tags: { role: d },
        },
        fleetOpts,
      );
      return [d, fleet];
    }),
  ) as Record<Daemon, Fleet>;

  const alarms = new Alarms(
    app.name("alarms"),
    {
      email: config.alertEmail,
      loadBalancer: { arnSuffix: loadBalancer.arnSuffix },
      // Both colours: an idle colour with no instances has no unhealthy targets, and the alarms stay put on a switch.
      targetGroups: Object.fromEntries(
        COLOURS.map((c) => [`web-${c}`, { arnSuffix: loadBalancer.targetGroupArnSuffixes[c], loadBalancerArnSuffix: loadBalancer.arnSuffix, tags: { colour: c } }]),
      ),
      database: { identifier: database.identifier, minFreeStorageGiB: Math.max(2, Math.round(config.database.storageGiB / 10)) },
      autoScalingGroups: {
        ...Object.fromEntries(COLOURS.filter((c) => config.fleet[c].min > 0).map((c) => [`web-${c}`, { name: web[c].groupName, minInService: config.fleet[c].min, tags: { colour: c } }])),
        ...Object.fromEntries((Object.keys(daemons) as Daemon[]).map((d) => [d, { name: daemons[d].groupName, minInService: 1 }])),
      },
    },
    opts,
  );

  return app.done({
    liveColour: live,
    idleColour: idle,
    canaryPercent: config.canaryPercent,
    liveUrl: loadBalancer.urls.live,
    blueUrl: loadBalancer.urls.blue,
    greenUrl: loadBalancer.urls.green,
    loadBalancerDnsName: loadBalancer.dnsName,
    databaseEndpoint: database.endpoint,
    alarmTopicArn: alarms.topicArn,
    settingsPath: parameterPath,
    vpcId: network.vpcId,
    ops: {
      platform: "aws",
      region: config.region,
      liveColour: live,
      // The web container runs under the app's name on each instance (container-host-cloud-init.ts `--name`).
      manage: Object.fromEntries(COLOURS.map((c) => [c, { on: web[c].groupName, container: APP }])),
      manageCommand: [],
      logs: {
        ...Object.fromEntries(COLOURS.map((c) => [`web-${c}`, { logGroup: web[c].logGroupName }])),
        ...Object.fromEntries((Object.keys(daemons) as Daemon[]).map((d) => [d, { logGroup: daemons[d].logGroupName }])),
      },
      database: { kind: "rds", identifier: database.identifier, subnetGroup: database.subnetGroupName, securityGroupId: database.securityGroupId },
      writers: { autoScalingGroups: [...COLOURS.map((c) => web[c].groupName), ...(Object.keys(daemons) as Daemon[]).map((d) => daemons[d].groupName)] },
      volumes: {},
    } satisfies OpsOutputs,
  });
}
