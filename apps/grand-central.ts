/**
 * The `grand-central` app (seed 004): a worker that polls SQS (no HTTP server) and CouchDB, as one
 * ECS task on a single EC2 container instance, CouchDB's files on an EBS volume that every
 * replacement instance attaches and mounts at boot, the app image built from the upstream repository
 * into a private ECR repository, its secrets.yml written to S3 by the program (with the generated
 * CouchDB URL) and read by the app through the task role. No colours: two CouchDBs must never run on
 * the same files, so there is one copy at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import YAML from "yaml";
import type { SecretValues } from "../config";
import type { GrandCentralConfig, GrandCentralSecrets } from "../config/apps/grand-central";
import { Alarms } from "../components/aws/alarms";
import { EbsDataVolume } from "../components/aws/ebs-data-volume";
import { EbsSnapshotSchedule } from "../components/aws/ebs-snapshot-schedule";
import { EcrRepository } from "../components/aws/ecr-repository";
import { EcsEc2Cluster } from "../components/aws/ecs-ec2-cluster";
import { EcsEc2Service } from "../components/aws/ecs-ec2-service";
import { GitImageBuild } from "../components/aws/git-image-build";
import { S3SecretFile } from "../components/aws/s3-secret-file";
import { App, type AppContext, statefulOptions } from "./context";
import * as contract from "./contracts/grand-central";
import type { OpsOutputs } from "./ops-outputs";

const APP = "grand-central";
/** Where the data volume is mounted on the instance (seed 004, The Database, step 4). */
const VOLUME_MOUNT = "/opt/couchdb";
/** The couchdb container's name, and so its host name for the app over the task's link. */
const COUCHDB = "couchdb";

/**
 * secrets.yml as the app reads it (`YAML.safeLoad(...)[mode]`): the operator's production section
 * with `pouchdb.database` set to the CouchDB URL. Pure, for tests.
 */
export function renderSecretsYml(production: Record<string, unknown>, couchdbUrl: string): string {
  return YAML.stringify({ [contract.MODE]: { ...production, pouchdb: { database: couchdbUrl } } }, { lineWidth: 0 });
}

export function deployGrandCentral(ctx: AppContext, config: GrandCentralConfig, secrets: SecretValues<GrandCentralSecrets>): Record<string, unknown> {
  const app = new App(APP, ctx);
  const name = app.prefix;
  const tags = app.tags;
  const provider = new aws.Provider(name, { region: config.region, defaultTags: { tags } }, app.childOptions);
  const inRegion = { ...app.childOptions, providers: { aws: provider } };

  const registry = new EcrRepository(
    name,
    { repositoryName: config.import.repository ?? name, adopt: config.import.repository !== undefined, keepImages: config.keepImages, stateful: statefulOptions(ctx), tags },
    inRegion,
  );
  // Built from the upstream repository at a pinned ref (seed 004 pushed a local build by hand).
  const image = new GitImageBuild(`${name}-image`, { repositoryUrl: registry.repositoryUrl, source: config.imageSource, ref: config.imageTag }, inRegion);

  // The volume depends on nothing but the zone and size: no image roll or instance change can replace it.
  const dataVolume = new EbsDataVolume(
    `${name}-couchdb`,
    { availabilityZone: config.availabilityZone, sizeGiB: config.volumeGiB, stateful: statefulOptions(ctx), tags, adopt: config.import.dataVolume },
    inRegion,
  );
  // Seed 004 kept CouchDB's only copy on this volume: scheduled snapshots, selected by the volume's Name tag.
  new EbsSnapshotSchedule(`${name}-couchdb-snapshots`, { targetTags: { Name: `${name}-couchdb` }, ...config.snapshots, tags }, inRegion);

  const cluster = new EcsEc2Cluster(
    name,
    {
      availabilityZone: config.availabilityZone,
      instanceType: config.instanceType,
      // The app serves nothing (contracts/grand-central.ts LISTENS): no public port at all.
      publicPorts: [],
      restrictedPorts: [{ port: contract.COUCHDB_PORT, cidrs: config.fauxtonAdminCidrs }],
      dataVolume: {
        volumeId: dataVolume.volumeId,
        volumeArn: dataVolume.arn,
        mountPath: VOLUME_MOUNT,
        subdirectories: ["data", "etc/local.d"],
        filesystemLabel: "couchdb",
      },
      elasticIp: true,
      tags,
    },
    inRegion,
  );

  const couchdbPassword = new random.RandomPassword(`${name}-couchdb-admin`, { length: 32, special: false }, app.childOptions);
  // Reached over the task's link by container name; letters and digits only, so the URL needs no escaping.
  const couchdbUrl = pulumi.interpolate`http://${contract.COUCHDB_ADMIN_USER}:${couchdbPassword.result}@${COUCHDB}:${contract.COUCHDB_PORT}/${config.couchdbDatabase}`;

  const service = new EcsEc2Service(
    name,
    {
      cluster: cluster.clusterArn,
      capacityProviderName: cluster.capacityProviderName,
      secrets: { COUCHDB_PASSWORD: couchdbPassword.result },
      hostVolumes: [
        { name: "couch-data", hostPath: `${VOLUME_MOUNT}/data` },
        // Only local.d: a host directory over all of /opt/couchdb/etc would hide the image's default.ini.
        { name: "couch-etc", hostPath: `${VOLUME_MOUNT}/etc/local.d` },
      ],
      containers: [
        {
          // Run once per task start: CouchDB then creates its system databases when missing (idempotent).
          name: "couchdb-single-node",
          image: `couchdb:${config.couchdbVersion}`,
          essential: false,
          memoryReservationMiB: 16,
          command: ["sh", "-c", `printf '%s' "$INI" > /opt/couchdb/etc/local.d/${contract.SINGLE_NODE_INI_FILE}`],
          environment: { INI: contract.SINGLE_NODE_INI },
          mounts: [{ volume: "couch-etc", containerPath: "/opt/couchdb/etc/local.d" }],
        },
        {
          name: COUCHDB,
          image: `couchdb:${config.couchdbVersion}`,
          memoryReservationMiB: 512,
          ports: [contract.COUCHDB_PORT],
          environment: { COUCHDB_USER: contract.COUCHDB_ADMIN_USER },
          secrets: ["COUCHDB_PASSWORD"],
          startAfterSuccessOf: ["couchdb-single-node"],
          mounts: [
            { volume: "couch-data", containerPath: "/opt/couchdb/data" },
            { volume: "couch-etc", containerPath: "/opt/couchdb/etc/local.d" },
          ],
        },
        {
          name: APP,
          image: image.imageRef,
          memoryReservationMiB: 256,
          links: [COUCHDB],
          startAfter: [COUCHDB],
          // Everything else (CouchDB URL, SQS keys and queue) comes from secrets.yml.
          environment: {
            [contract.ENV.mode]: contract.MODE,
            [contract.ENV.secretsBucket]: config.secretsBucket,
            [contract.ENV.region]: config.region,
          },
        },
      ],
      placementExpressions: cluster.volumePlacement ? [cluster.volumePlacement] : [],
      desiredCount: 1,
      // Stop the old task before starting the new one: two CouchDBs never open the same files.
      minimumHealthyPercent: 0,
      maximumPercent: 100,
      logRetentionDays: config.logRetentionDays,
      tags,
    },
    inRegion,
  );

  // The hand-over of the generated password: the program writes the file the app downloads.
  const secretsFile = new S3SecretFile(
    `${name}-secrets`,
    {
      bucket: config.secretsBucket,
      key: contract.SECRETS_KEY,
      content: pulumi.all([pulumi.output(secrets.production), couchdbUrl]).apply(([production, url]) => renderSecretsYml(production, url)),
      contentType: "application/x-yaml",
      kmsKeyArn: config.secretsKmsKeyArn,
      readerRoleNames: { task: service.taskRoleName },
    },
    inRegion,
  );

  const alarms = new Alarms(
    `${name}-alarms`,
    {
      email: config.alertEmail,
      ecsServices: { [APP]: { clusterName: cluster.clusterName, serviceName: service.serviceName } },
      logErrors: { [APP]: { logGroupName: service.logGroupName, pattern: `"${contract.ERROR_LOG_MARKER}"` } },
      sqsQueues: config.sqsQueueName !== undefined ? { [APP]: { queueName: config.sqsQueueName, maxAgeSeconds: config.maxMessageAgeSeconds } } : {},
    },
    inRegion,
  );

  return app.done({
    repositoryUrl: registry.repositoryUrl,
    image: image.imageRef,
    secretsUrl: secretsFile.url,
    volumeId: dataVolume.volumeId,
    clusterName: cluster.clusterName,
    logGroup: service.logGroupName,
    alarmTopicArn: alarms.topicArn,
    fauxtonUrl: config.fauxtonAdminCidrs.length > 0 ? pulumi.interpolate`http://${cluster.publicIp ?? ""}:${contract.COUCHDB_PORT}/_utils/` : undefined,
    couchdbAdminUser: contract.COUCHDB_ADMIN_USER,
    couchdbAdminPassword: pulumi.secret(couchdbPassword.result),
    ops: {
      platform: "aws",
      region: config.region,
      manage: { live: { on: cluster.autoScalingGroupName, container: APP } },
      manageCommand: [],
      // One log group; each container's streams carry its name as prefix (ecs-ec2-service.ts awslogs-stream-prefix).
      logs: { [APP]: { logGroup: service.logGroupName } },
      database: { kind: "couchdb", volumeId: dataVolume.volumeId, availabilityZone: config.availabilityZone, dataPath: `${VOLUME_MOUNT}/data` },
      writers: { ecsService: { cluster: cluster.clusterName, service: service.serviceName } },
      volumes: { couchdb: dataVolume.volumeId },
    } satisfies OpsOutputs,
  });
}
