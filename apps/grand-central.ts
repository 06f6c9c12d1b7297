/**
 * The `grand-central` app (seed 004): the app and CouchDB as one ECS task on a single EC2 container
 * instance, CouchDB's files on an EBS volume that every replacement instance attaches and mounts at
 * boot, images in a private ECR repository, the app's secrets read from S3 through the task role.
 * No colours: two CouchDBs must never run on the same files, so there is one copy at a time.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { GrandCentralConfig } from "../config/apps/grand-central";
import { EbsDataVolume } from "../components/aws/ebs-data-volume";
import { EbsSnapshotSchedule } from "../components/aws/ebs-snapshot-schedule";
import { EcrRepository } from "../components/aws/ecr-repository";
import { EcsEc2Cluster } from "../components/aws/ecs-ec2-cluster";
import { EcsEc2Service } from "../components/aws/ecs-ec2-service";
import { S3SecretsAccess } from "../components/aws/s3-secrets-access";
import { App, type AppContext, statefulOptions } from "./context";
import type { OpsOutputs } from "./ops-outputs";

const APP = "grand-central";
/** CouchDB's port inside the instance; published on the host for Fauxton, closed by the security group. */
const COUCHDB_PORT = 5984;
/** Where the data volume is mounted on the instance (seed 004, The Database, step 4). */
const VOLUME_MOUNT = "/opt/couchdb";
const COUCHDB_ADMIN_USER = "admin";

export function deployGrandCentral(ctx: AppContext, config: GrandCentralConfig): Record<string, unknown> {
  const app = new App(APP, ctx);
  const name = app.prefix;
  const tags = app.tags;
  const provider = new aws.Provider(name, { region: config.region }, app.childOptions);
  const inRegion = { ...app.childOptions, providers: { aws: provider } };

  const registry = new EcrRepository(
    name,
    { repositoryName: config.import.repository ?? name, adopt: config.import.repository !== undefined, keepImages: config.keepImages, stateful: statefulOptions(ctx), tags },
    inRegion,
  );

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
      publicPorts: [config.appPort],
      restrictedPorts: [{ port: COUCHDB_PORT, cidrs: config.fauxtonAdminCidrs }],
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

  const firstSecrets = config.secretsObjects[0];
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
          name: "couchdb",
          image: `couchdb:${config.couchdbVersion}`,
          memoryReservationMiB: 512,
          ports: [COUCHDB_PORT],
          environment: { COUCHDB_USER: COUCHDB_ADMIN_USER },
          secrets: ["COUCHDB_PASSWORD"],
          mounts: [
            { volume: "couch-data", containerPath: "/opt/couchdb/data" },
            { volume: "couch-etc", containerPath: "/opt/couchdb/etc/local.d" },
          ],
        },
        {
          name: "grand-central",
          image: pulumi.interpolate`${registry.repositoryUrl}:${config.imageTag}`,
          memoryReservationMiB: 256,
          ports: [config.appPort],
          links: ["couchdb"],
          startAfter: ["couchdb"],
          environment: {
            PORT: String(config.appPort),
            // Reached over the task's private link; the seed used localhost.localdomain:5984.
            COUCHDB_URL: `http://couchdb:${COUCHDB_PORT}`,
            COUCHDB_USER: COUCHDB_ADMIN_USER,
            AWS_REGION: config.region,
            SECRETS_S3_BUCKET: firstSecrets.bucket,
            SECRETS_S3_KEY: firstSecrets.key,
            SECRETS_S3_OBJECTS: config.secretsObjects.map((o) => `s3://${o.bucket}/${o.key}`).join(" "),
          },
          secrets: ["COUCHDB_PASSWORD"],
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

  new S3SecretsAccess(
    `${name}-secrets`,
    { roleName: service.taskRoleName, objects: config.secretsObjects, kmsKeyArn: config.secretsKmsKeyArn },
    inRegion,
  );

  return app.done({
    serviceUrl: pulumi.interpolate`http://${cluster.publicIp ?? ""}:${config.appPort}`,
    repositoryUrl: registry.repositoryUrl,
    volumeId: dataVolume.volumeId,
    clusterName: cluster.clusterName,
    logGroup: service.logGroupName,
    fauxtonUrl: config.fauxtonAdminCidrs.length > 0 ? pulumi.interpolate`http://${cluster.publicIp ?? ""}:${COUCHDB_PORT}/_utils/` : undefined,
    couchdbAdminUser: COUCHDB_ADMIN_USER,
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
