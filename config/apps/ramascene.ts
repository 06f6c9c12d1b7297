/** Config of the `ramascene` app (seed 003): daphne + celery workers behind nginx on one DigitalOcean node, blue/green on that node. */
import { z } from "zod";
import { gib } from "../primitives";
import { acmeConfig, acmeSecrets } from "./acme";
import { domainInZone, dropletAppFields, snapshotToken } from "./droplet-app";

/** The workers of one celery queue. */
const queueWorkers = z
  .strictObject({
    /** Worker containers taking this queue. */
    replicas: z.number().int("a whole number of containers").min(1).max(16).default(1),
    /** Processes per container (celery --concurrency). */
    concurrency: z.number().int("a whole number of processes").min(1).max(64).default(1),
  })
  .default({ replicas: 1, concurrency: 1 });

/** The images of one ramascene colour: the Python app (target `python`) and its static files (target `nginx`). */
export const RAMASCENE_IMAGES = ["app", "static"] as const;

export const ramasceneConfig = z
  .strictObject({
    ...dropletAppFields(RAMASCENE_IMAGES),
    /** Block-storage volume holding the datasets and the SQLite database, in GiB. Default: 50. */
    dataVolumeGiB: gib(1, 16384).default(50),
    /** Settings module (DJANGO_SETTINGS_MODULE). Default: "ramasceneMasterProject.config.production". */
    settingsModule: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/, "a dotted Python module path such as ramasceneMasterProject.config.production")
      .default("ramasceneMasterProject.config.production"),
    /** Version of the EXIOBASE-derived datasets under the datasets directory (DATASETS_VERSION), such as v3. */
    datasetsVersion: z.string().regex(/^[A-Za-z0-9_.-]+$/, "a datasets version such as v3"),
    /** Threads numpy's OpenBLAS may use per process (OPENBLAS_NUM_THREADS). Default: 1. */
    openblasThreads: z.number().int("a whole number of threads").min(1).max(64).default(1),
    /**
     * Celery workers per queue (seed 003, "Celery details": one worker per queue, concurrency 1): containers and
     * processes each. Default: 1 container of concurrency 1 for each of calc_default and modelling. (issue 16)
     */
    workers: z
      .strictObject({ calc_default: queueWorkers, modelling: queueWorkers })
      .default({ calc_default: { replicas: 1, concurrency: 1 }, modelling: { replicas: 1, concurrency: 1 } }),
    /** How certbot answers DNS-01 (security review M5): a challenge zone, or the account-wide token explicitly. Required. */
    acme: acmeConfig,
    /** Let's Encrypt's staging CA (untrusted certificates, for trial stacks). Default: false. */
    acmeStaging: z.boolean().default(false),
  })
  .superRefine(domainInZone);
export type RamasceneConfig = z.infer<typeof ramasceneConfig>;

/** Secrets of `ramascene` (secret config `platform:secrets`, key `ramascene`): only what comes from outside. */
export const ramasceneSecrets = z.strictObject({
  /** For `volumeSnapshots` (issue 16): a DigitalOcean token with the block storage scopes. */
  snapshotToken,
  /** certbot's DNS token on the node: one of the two, as `apps.ramascene.acme` says (config/apps/acme.ts). */
  ...acmeSecrets,
});
export type RamasceneSecrets = z.infer<typeof ramasceneSecrets>;
