/**
 * The `grand-central` app (seed 004): a worker that polls SQS (no HTTP server) and CouchDB, as one
 * ECS task on a single EC2 container instance, CouchDB's files on an EBS volume that every
 * replacement instance attaches and mounts at boot, the app image built from the upstream repository
 * into a private ECR repository, its secrets.yml written to S3 by the program (with the generated
 * CouchDB URL) and read by the app through the task role. The app logs in as its own CouchDB user, a
 * member of its one database; the server admin stays with CouchDB, a run-once setup container and
 * the operators. No colours: two CouchDBs must never run on the same files, so there is one copy at a time.
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
/** The run-once container that gives the app its own CouchDB user before the app starts. */
const COUCHDB_SETUP = "couchdb-setup";
/**
 * The app's CouchDB user (security review M9): a member of its one database, no roles, never a server
 * admin. Letters and '-' only, so it goes into the app's URL unescaped (PouchDB 6.4.3 `getHost` passes
 * the URL's user and password through undecoded: pouchdb/pouchdb@6.4.3 lib/index.js).
 */
export const COUCHDB_APP_USER = "grand-central";
/**
 * Seconds the setup waits for CouchDB and its `_users` database (created at start by `single_node`)
 * before it fails: the app then never starts and the deployment circuit breaker rolls back.
 */
const COUCHDB_SETUP_WAIT_SECONDS = 120;

/**
 * The user document of `_users`: `_id` `org.couchdb.user:<name>`, `type: "user"`, `roles: []`, and the
 * plain password, which CouchDB replaces by its PBKDF2 hash before storing (apache/couchdb
 * src/docs/src/intro/security.rst, "Users Documents", "Creating a New User"). JSON.stringify escapes
 * any password; the script never builds JSON itself. Pure, for tests.
 */
export function couchdbUserDoc(name: string, password: string): string {
  return JSON.stringify({ _id: `org.couchdb.user:${name}`, name, type: "user", roles: [], password });
}

/**
 * The database's `_security`: the app user its only member, no database admins. Members read and write
 * every document but design documents; without admins only server admins change design documents and
 * `_security` (docs.couchdb.org api/database/security.html; the same page: since 3.x a new database
 * is admin-only by default, so the user needs this to read at all). The app needs no more: it only calls
 * `db.upsert` (get + put), `db.get` and `db.put` on message IDs (SCPR/grand-central@f08acef
 * lib/grand-central.js), and PouchDB's setup only `GET`s an existing database (pouchdb 6.4.3
 * `HttpPouch` `setup()`: `PUT` only after a 404). Pure, for tests.
 */
export function couchdbMembersOnly(name: string): string {
  return JSON.stringify({ admins: { names: [], roles: [] }, members: { names: [name], roles: [] } });
}

/**
 * The setup's plain environment: nothing secret (the admin password and the user document arrive as
 * ECS secrets `COUCHDB_PASSWORD` and `COUCHDB_APP_USER_DOC`). Names and paths are URL-encoded here, once.
 */
export function couchdbSetupEnvironment(couchdbUrl: string, database: string, waitSeconds: number): Record<string, string> {
  return {
    COUCHDB_URL: couchdbUrl,
    COUCHDB_ADMIN_USER: contract.COUCHDB_ADMIN_USER,
    COUCHDB_DATABASE: encodeURIComponent(database),
    COUCHDB_APP_USER_ID: encodeURIComponent(`org.couchdb.user:${COUCHDB_APP_USER}`),
    COUCHDB_SECURITY: couchdbMembersOnly(COUCHDB_APP_USER),
    COUCHDB_WAIT_SECONDS: String(waitSeconds),
  };
}

/**
 * Run once per task start by the couchdb image (its `couchdb` package depends on curl:
 * apache/couchdb-pkg debian/control.in; Debian's sh, coreutils and sed), as the server admin, before
 * the app: waits for `_users`, creates the database if missing (`PUT /{db}`: 201/202, 412 when it
 * exists), creates or updates the app user (`PUT /_users/{id}`, with `?rev=` from the `ETag` of a
 * `GET` when it exists), and sets `_security` (`PUT /{db}/_security`: 200) (docs.couchdb.org
 * api/database/common.html, api/document/common.html, api/database/security.html). Idempotent: a
 * second run finds the database, rewrites the same user and the same members. Every value comes from
 * the environment and is only ever expanded inside double quotes; JSON bodies go to curl on standard
 * input and the admin's credentials on file descriptor 3, so neither appears in curl's arguments.
 */
export const COUCHDB_SETUP_SCRIPT = String.raw`set -eu
auth=$(printf '%s:%s' "$COUCHDB_ADMIN_USER" "$COUCHDB_PASSWORD" | base64 | tr -d '\n')
body=$(mktemp)
headers=$(mktemp)
trap 'rm -f "$body" "$headers"' EXIT

# couch METHOD PATH [curl options]: one request as the server admin; prints the HTTP status (000: no answer).
couch() {
  method=$1
  path=$2
  shift 2
  : >"$body"
  : >"$headers"
  curl -sS -g --max-time 10 -o "$body" -D "$headers" -w '%{http_code}' -X "$method" -H @/dev/fd/3 "$@" "$COUCHDB_URL$path" 3<<EOF || true
Authorization: Basic $auth
EOF
}

# send_json METHOD PATH JSON: the JSON goes to curl on standard input.
send_json() {
  printf '%s' "$3" | couch "$1" "$2" -H 'Content-Type: application/json' --data-binary @-
}

# fail WHAT STATUS: CouchDB's error body is shown for 4xx/5xx only (a user document is never printed).
fail() {
  case $2 in
    [45]*) echo "couchdb-setup: $1: HTTP $2 $(cat "$body")" >&2 ;;
    *) echo "couchdb-setup: $1: HTTP $2" >&2 ;;
  esac
  exit 1
}

waited=0
while status=$(couch GET /_users 2>/dev/null) && [ "$status" != 200 ]; do
  [ "$status" != 401 ] || fail "CouchDB refused the admin password" "$status"
  [ "$waited" -lt "$COUCHDB_WAIT_SECONDS" ] || fail "CouchDB or its _users database not ready after $waited s" "$status"
  sleep 1
  waited=$((waited + 1))
done

status=$(couch PUT "/$COUCHDB_DATABASE")
case $status in
  201 | 202) echo "couchdb-setup: created the database" ;;
  412) echo "couchdb-setup: the database exists" ;;
  *) fail "creating the database" "$status" ;;
esac

query=""
status=$(couch GET "/_users/$COUCHDB_APP_USER_ID")
case $status in
  200)
    rev=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *"\([0-9][0-9]*-[0-9a-f][0-9a-f]*\)".*$/\1/p' "$headers")
    [ -n "$rev" ] || fail "reading the app user's revision" "$status"
    query="?rev=$rev"
    ;;
  404) ;;
  *) fail "reading the app user" "$status" ;;
esac
status=$(send_json PUT "/_users/$COUCHDB_APP_USER_ID$query" "$COUCHDB_APP_USER_DOC")
case $status in
  201 | 202) echo "couchdb-setup: wrote the app user" ;;
  *) fail "writing the app user" "$status" ;;
esac

status=$(send_json PUT "/$COUCHDB_DATABASE/_security" "$COUCHDB_SECURITY")
[ "$status" = 200 ] || fail "making the app user the database's only member" "$status"
echo "couchdb-setup: the app user is the database's only member"
`;

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
      // Nor CouchDB's: its admin login is plain HTTP (security review M6); operators reach Fauxton through
      // `ops:tunnel` (Session Manager port forwarding to the port the task maps on the instance).
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

  // The server admin: CouchDB and the setup container only, and operators (SSM, stack output).
  const couchdbPassword = new random.RandomPassword(`${name}-couchdb-admin`, { length: 32, special: false }, app.childOptions);
  // The app's own user (security review M9): a member of its one database.
  const appPassword = new random.RandomPassword(`${name}-couchdb-app`, { length: 32, special: false }, app.childOptions);
  // The database name as one path segment (`/` and `+` are legal in names): PouchDB keeps an encoded name as is (6.4.3 `getHost`).
  const databasePath = encodeURIComponent(config.couchdbDatabase);
  // Reached over the task's link by container name; letters and digits only, so the URL needs no escaping.
  const couchdbUrl = pulumi.interpolate`http://${COUCHDB_APP_USER}:${appPassword.result}@${COUCHDB}:${contract.COUCHDB_PORT}/${databasePath}`;

  const service = new EcsEc2Service(
    name,
    {
      cluster: cluster.clusterArn,
      capacityProviderName: cluster.capacityProviderName,
      secrets: { COUCHDB_PASSWORD: couchdbPassword.result, COUCHDB_APP_USER_DOC: appPassword.result.apply((password) => couchdbUserDoc(COUCHDB_APP_USER, password)) },
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
          // Run once per task start, before the app: the app's user, its database and the database's members.
          name: COUCHDB_SETUP,
          image: `couchdb:${config.couchdbVersion}`,
          essential: false,
          memoryReservationMiB: 32,
          command: ["sh", "-c", COUCHDB_SETUP_SCRIPT],
          environment: couchdbSetupEnvironment(`http://${COUCHDB}:${contract.COUCHDB_PORT}`, config.couchdbDatabase, COUCHDB_SETUP_WAIT_SECONDS),
          secrets: ["COUCHDB_PASSWORD", "COUCHDB_APP_USER_DOC"],
          links: [COUCHDB],
          startAfter: [COUCHDB],
        },
        {
          name: APP,
          image: image.imageRef,
          memoryReservationMiB: 256,
          links: [COUCHDB],
          startAfter: [COUCHDB],
          startAfterSuccessOf: [COUCHDB_SETUP],
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
      // Fauxton is CouchDB's own UI at /_utils/ (apache/couchdb INSTALL.Unix.md: "point your web browser to
      // http://127.0.0.1:5984/_utils/index.html"); the task maps 5984 on the instance (ports above).
      tunnels: { fauxton: { on: cluster.autoScalingGroupName, port: contract.COUCHDB_PORT, path: "/_utils/" } },
    } satisfies OpsOutputs,
  });
}
