/**
 * What the `grand-central` image really needs, each fact read in its upstream source (SCPR/grand-central;
 * seed 004 is SCPR_DEPLOYMENT.md at 111f81d). Facts: /work/shared/facts/app-contracts.md rows G1–G5.
 */

/** The upstream repository; the seed built locally and pushed to a private ECR repository (seed 004, steps 1-5). */
export const SOURCE_REPOSITORY = "https://github.com/SCPR/grand-central.git";
/**
 * Default ref: the last commit (2018-03-06, `FROM node:9.7-alpine`). The only tag, v1.1.0 (248dd48, 2017-09-18),
 * builds with nvm from a 2017 git checkout; both contain 311017b (the S3 download that works with a role)
 * and 8873ace (`GRAND_CENTRAL_S3_BUCKET`).
 */
export const DEFAULT_REF = "f08acef3484ca11fe6062dbd5c380d6df7c04ccd";

/** No HTTP server: `bin/grand-central` boots index.js and `gc.perform()` polls SQS (`lib/grand-central.js` `sqs.receiveMessage`); nothing calls `listen`. */
export const LISTENS = false;

/** Environment the image reads. */
export const ENV = {
  /** `lib/what-mode.js`: `mode || process.argv[2] || process.env.GRAND_CENTRAL_ENV || "development"`; only production downloads secrets (`bin/grand-central`). The node:9.7 Dockerfile does not set it. */
  mode: "GRAND_CENTRAL_ENV",
  /** `lib/secrets-downloader.js` @f08acef: `s3.getObject({Bucket: process.env.GRAND_CENTRAL_S3_BUCKET, Key: 'secrets.yml'})`. */
  secretsBucket: "GRAND_CENTRAL_S3_BUCKET",
  /** aws-sdk v2 reads the region of the S3 download from `AWS_REGION` (the task role gives the credentials). */
  region: "AWS_REGION",
} as const;
/** The mode whose section of secrets.yml is used, and the only one that downloads it. */
export const MODE = "production";
/** Fixed key of the secrets object at the bucket's root (`lib/secrets-downloader.js` `Key: 'secrets.yml'`). */
export const SECRETS_KEY = "secrets.yml";

/** `index.js` line 28: `new PouchDB(secrets.pouchdb.database, {adapter: 'http'})`: a CouchDB URL, credentials included. */
export const POUCHDB_DATABASE_PATH = ["pouchdb", "database"] as const;

/** Error lines: `lib/logger.js` `error()` writes `[ERROR] - <text>` to stdout (the task's log stream). */
export const ERROR_LOG_MARKER = "[ERROR]";

/** CouchDB's HTTP port (apache/couchdb-docker 3.3.3 Dockerfile `EXPOSE 5984`). */
export const COUCHDB_PORT = 5984;
/**
 * Admin user created by the image's entrypoint from `COUCHDB_USER`/`COUCHDB_PASSWORD` (couchdb-docker README:
 * required from 3.0), written to local.d/docker.ini only while no `admin` entry exists (3.3.3 docker-entrypoint.sh line 68).
 */
export const COUCHDB_ADMIN_USER = "admin";
/**
 * System databases: with `[couchdb] single_node = true` CouchDB creates `_users`, `_replicator` and
 * `_global_changes` on start when missing (docs.couchdb.org setup/single-node); idempotent by design.
 * An ini file in local.d needs no request to a server that is not up yet. (The image has curl after all:
 * its Dockerfile purges the curl it fetched the signing key with, but the `couchdb` package it then
 * installs depends on curl: apache/couchdb-pkg debian/control.in `Depends: adduser, curl, ...`.)
 */
export const SINGLE_NODE_INI = "[couchdb]\nsingle_node = true\n";
/** Name of that file in `/opt/couchdb/etc/local.d` (read after default.d; the entrypoint writes docker.ini beside it). */
export const SINGLE_NODE_INI_FILE = "10-single-node.ini";
