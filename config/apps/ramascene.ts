/** Config of the `ramascene` app (seed 003): daphne + celery workers behind nginx on one DigitalOcean node, blue/green on that node. */
import { z } from "zod";
import { adminCidrs, colour, colourVersions, doRegion, doSize, email, gib, hostname, sshPublicKey } from "../primitives";

export const ramasceneConfig = z
  .strictObject({
    /** Deploy this app in this stack. */
    enabled: z.boolean(),
    /** Colour whose containers take production traffic at `domain`. */
    live: colour,
    /** Image tag of the ramascene image (daphne and celery) for each colour. */
    versions: colourVersions,
    /** Production host name (the seed's HOST); colours are `blue.<domain>` and `green.<domain>`. */
    domain: hostname,
    /** DigitalOcean domain (DNS zone) that holds the records and the DNS-01 challenges: `domain` itself or a parent. */
    dnsZone: hostname,
    /** Adopt an existing DigitalOcean domain instead of creating it. Default: false. */
    adoptDnsZone: z.boolean().default(false),
    /** Region of the node and its volume. */
    region: doRegion,
    /** Droplet size of the node that runs every container. */
    nodeSize: doSize,
    /** Block-storage volume holding the datasets and the SQLite database, in GiB. Default: 50. */
    dataVolumeGiB: gib(1, 16384).default(50),
    /** Networks allowed to SSH to the node (Pulumi's Docker provider path). */
    adminCidrs: adminCidrs.min(1, "at least one admin network: Pulumi reaches the node's Docker engine over SSH"),
    /** Public keys allowed to log in as root. */
    adminSshKeys: z.array(sshPublicKey).min(1, "at least one admin SSH public key"),
    /** Let's Encrypt account e-mail (expiry notices). */
    alertEmail: email,
    /** Settings module (DJANGO_SETTINGS_MODULE). Default: "ramasceneMasterProject.config.settings_production". */
    settingsModule: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/, "a dotted Python module path such as ramasceneMasterProject.config.settings_production")
      .default("ramasceneMasterProject.config.settings_production"),
    /** Version of the EXIOBASE-derived datasets under the datasets directory (DATASETS_VERSION), such as v3. */
    datasetsVersion: z.string().regex(/^[A-Za-z0-9_.-]+$/, "a datasets version such as v3"),
    /** Threads numpy's OpenBLAS may use per process (OPENBLAS_NUM_THREADS). Default: 1. */
    openblasThreads: z.number().int("a whole number of threads").min(1).max(64).default(1),
    /** Let's Encrypt's staging CA (untrusted certificates, for trial stacks). Default: false. */
    acmeStaging: z.boolean().default(false),
  })
  .superRefine((app, ctx) => {
    if (app.domain !== app.dnsZone && !app.domain.endsWith(`.${app.dnsZone}`)) {
      ctx.addIssue({ code: "custom", path: ["dnsZone"], input: app.dnsZone, message: `must be the domain "${app.domain}" itself or one of its parent domains` });
    }
  });
export type RamasceneConfig = z.infer<typeof ramasceneConfig>;

/** Secrets of `ramascene` (secret config `platform:secrets`, key `ramascene`): only what comes from outside. */
export const ramasceneSecrets = z.strictObject({
  /**
   * DigitalOcean API token limited to the domain scopes, used by certbot on the node for DNS-01
   * challenges (the TLS certificate covers the colour host names too).
   */
  acmeDnsToken: z.string().min(20, "a DigitalOcean API token with the domain scopes only"),
});
export type RamasceneSecrets = z.infer<typeof ramasceneSecrets>;
