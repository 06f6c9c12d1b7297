/**
 * The `aquamark` app (seed 002): the survey web app in blue/green auto-scaling fleets behind one
 * load balancer, a private RDS Postgres, the recalculation and notification daemons on the live
 * version, alarms by e-mail. Replaces the seed's AMI baking, bastion hop and cron watchdog.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COLOURS, type Colour, otherColour, type SecretValues } from "../config";
import type { AquamarkConfig, AquamarkSecrets } from "../config/apps/aquamark";
import YAML from "yaml";
import { Alarms } from "../components/aws/alarms";
import { ColourLoadBalancer } from "../components/aws/colour-load-balancer";
import { type ContainerHostSpec, renderContainerHostCloudInit } from "../components/aws/container-host-cloud-init";
import { EcrRepository } from "../components/aws/ecr-repository";
import { Fleet, type FleetPolicyStatement } from "../components/aws/fleet";
import { GitImageBuild } from "../components/aws/git-image-build";
import { Network } from "../components/aws/network";
import { ParameterSet } from "../components/aws/parameter-set";
import { Postgres } from "../components/aws/postgres";
import { RdsSnapshot } from "../components/aws/rds-snapshot";
import { App, type AppContext, statefulOptions } from "./context";
import * as contract from "./contracts/aquamark";
import { type Daemon, DAEMONS } from "./contracts/aquamark";
import type { OpsOutputs } from "./ops-outputs";

const APP = "aquamark";
/** The seed published the container on the host's port 80 (`-p 80:8000`). */
const HOST_PORT = 80;

/** The mail settings a daemon's YAML file carries. */
export interface DaemonMail {
  host: string;
  port: number;
  sender: string;
  errorRecipient: string;
  username: string;
  password: string;
}

/**
 * A daemon's config file: the image's own file (its templates and intervals) with the mail keys
 * filled in. The mount hides the image's file, so every key the daemon reads is written here.
 */
export function renderDaemonConfig(daemon: Daemon, mail: DaemonMail): string {
  const doc: Record<string, string | number | boolean> = {
    SMTP_SERVER: mail.host,
    SMTP_PORT: mail.port,
    // server/mail.py: `if config['SMTP_USE_TLS']: smtp.starttls()`; never send credentials in clear.
    SMTP_USE_TLS: true,
    SMTP_USERNAME: mail.username,
    SMTP_PASSWORD: mail.password,
    MESSAGE_SEND_FROM: mail.sender,
    ERROR_SEND_TO: mail.errorRecipient,
    ...contract.DAEMON_FILE_DEFAULTS[daemon],
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}

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
    `    sys.exit(subprocess.call(${JSON.stringify(contract.MIGRATE)}))`,
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
      adopt: config.database.adopt,
      databaseName: config.database.databaseName,
      username: config.database.masterUsername,
      // The app connects as its own role, never as the master (security review M9). It creates the
      // `analyst` role itself (contracts/aquamark.ts DATABASE_ROLE), and its libpq 9.3 cannot do SCRAM.
      appRole: { ...contract.DATABASE_ROLE, passwordEncryption: contract.PASSWORD_ENCRYPTION },
      // Also for the roles the app creates itself (`CREATE USER analyst WITH PASSWORD`): stored as md5.
      parameters: { password_encryption: contract.PASSWORD_ENCRYPTION },
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
        [contract.ENV.databaseUrl]: database.connectionUrl,
        ...(secrets.analyticsId !== undefined ? { [contract.ENV.analyticsId]: secrets.analyticsId } : {}),
      },
    },
    opts,
  );
  // The daemons' YAML files, one SecureString each (they hold the SMTP password); not under the env path.
  const daemonFiles = new ParameterSet(
    app.name("daemon-config"),
    {
      path: `/${APP}/${ctx.stack}/files`,
      kind: "files",
      values: Object.fromEntries(
        (Object.keys(DAEMONS) as Daemon[]).map((d) => [
          DAEMONS[d].configFile,
          pulumi
            .all([secrets.mailUsername, secrets.mailPassword])
            .apply(([username, password]) => renderDaemonConfig(d, { ...config.mail, username, password })),
        ]),
      ),
    },
    opts,
  );

  // Built from the upstream repository: no image was ever published (contracts/aquamark.ts SOURCE_REPOSITORY).
  const registry = new EcrRepository(app.name("images"), { repositoryName: app.prefix, keepImages: config.keepImages, stateful: statefulOptions(ctx), tags: app.tags }, opts);
  const images = Object.fromEntries(
    [...new Set(COLOURS.map((c) => config.versions[c]))].map((version) => [
      version,
      new GitImageBuild(app.name(`image-${version}`), { repositoryUrl: registry.repositoryUrl, source: config.imageSource, ref: version, contextPath: contract.BUILD_CONTEXT }, opts).imageRef,
    ]),
  );
  const image = (c: Colour) => images[config.versions[c]];
  const ecrRegistry = registry.repositoryUrl.apply((url) => url.split("/")[0]);

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
      healthCheckPath: contract.HEALTH_PATH,
      deletionProtection: ctx.protectState,
    },
    opts,
  );

  // No S3 grant: the app stores files in the database unless given access keys (contracts/aquamark.ts S3_ENV_NOT_SET).
  const pullImages: FleetPolicyStatement[] = [
    { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
    { actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [registry.arn] },
  ];
  const readSettings: FleetPolicyStatement = { actions: ["ssm:GetParametersByPath"], resources: [settings.pathArn, settings.parametersArn] };
  const common = {
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [database.clientSecurityGroupId],
    logRetentionDays: config.logRetentionDays,
    // Containers never need the instance role.
    metadataHopLimit: 1 as const,
  };
  const fleetOpts: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [settings, daemonFiles] };
  // Set on every container: PORT (the Dockerfile's default moved from 8000 to 80 in v1.5.0) and DEV_MODE off.
  const environment = { [contract.ENV.port]: String(contract.PORT), [contract.ENV.devMode]: "False" };
  const hostSpec = (logGroupName: string, rest: Pick<ContainerHostSpec, "setup" | "services">): pulumi.Output<string> =>
    ecrRegistry.apply((registryHost) =>
      renderContainerHostCloudInit({ region: config.region, parameterPath, logGroupName, ecrRegistry: registryHost, ...rest }),
    );

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
          policyStatements: [readSettings, ...pullImages],
          instanceType: config.fleet.instanceType,
          imageId: sizes.machineImage,
          userData: image(c).apply((ref) =>
            hostSpec(logGroupName, {
              // Migrations before the web container: a new version's instances fail their health
              // check (and take no traffic) until the schema is at its head.
              setup: [{ name: "migrate", image: ref, command: [...MIGRATE_COMMAND], environment }],
              services: [{ name: APP, image: ref, environment, ports: [{ host: HOST_PORT, container: contract.PORT }] }],
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
      const configParameterName = `${daemonFiles.path}/${DAEMONS[d].configFile}`;
      const configParameter = pulumi.interpolate`${daemonFiles.pathArn}/${DAEMONS[d].configFile}`;
      const fleet = new Fleet(
        app.name(d),
        {
          ...common,
          policyStatements: [readSettings, ...pullImages, { actions: ["ssm:GetParameter"], resources: [configParameter] }],
          instanceType: config.daemons.instanceType,
          imageId: config.fleet[live].machineImage,
          userData: image(live).apply((ref) =>
            hostSpec(logGroupName, {
              setup: [],
              services: [
                {
                  name: d,
                  image: ref,
                  command: [...DAEMONS[d].command],
                  environment,
                  files: [{ parameterName: configParameterName, containerPath: `${contract.CONFIG_DIR}/${DAEMONS[d].configFile}` }],
                },
              ],
            }),
          ),
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
    // The role DATABASE_URL names (its password is only in the SSM parameter).
    databaseRole: database.appRole.role,
    alarmTopicArn: alarms.topicArn,
    settingsPath: parameterPath,
    imageRepositoryUrl: registry.repositoryUrl,
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
      database: { kind: "rds", identifier: database.identifier },
      writers: { autoScalingGroups: [...COLOURS.map((c) => web[c].groupName), ...(Object.keys(daemons) as Daemon[]).map((d) => daemons[d].groupName)] },
      volumes: {},
    } satisfies OpsOutputs,
  });
}
