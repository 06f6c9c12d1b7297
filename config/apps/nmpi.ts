/** Config of the `nmpi` app (seed 000): job queue + quotas services, blue/green on DigitalOcean. */
import { z } from "zod";
import { cron, doSize, gib, hostname } from "../primitives";
import { acmeConfig, acmeSecrets } from "./acme";
import { domainInZone, dropletAppFields, pinnedImage, snapshotToken, spacesInRegion } from "./droplet-app";

/** The images of one nmpi colour (seed 000: the job queue and the quotas service). */
export const NMPI_IMAGES = ["jobQueue", "quotas"] as const;

export const nmpiConfig = z
  .strictObject({
    ...dropletAppFields(NMPI_IMAGES),
    /**
     * Production host name of the quotas service. Default: `quotas.<domain>`. The seed and the image's
     * nginx `server_name` use quotas.hbpneuromorphic.eu, where HBP OIDC redirect URIs are registered.
     */
    quotasDomain: hostname.optional(),
    /** How certbot answers DNS-01 (security review M5): a challenge zone, or the account-wide token explicitly. Required. */
    acme: acmeConfig,
    /** How production traffic reaches the live colour. Default: reserved-ip. */
    routing: z.enum(["reserved-ip", "load-balancer"]).default("reserved-ip"),
    database: z.strictObject({
      /** Droplet size of the database node. */
      nodeSize: doSize,
      /** Size of the block-storage volume holding the Postgres data directory. */
      volumeGiB: gib(1, 16384),
      /**
       * How Postgres stores the role's password. Default: "scram-sha-256" (images built from 2019 on:
       * libpq 11). "md5" for the 2016 jessie images, whose libpq 9.4 cannot do SCRAM.
       */
      passwordEncryption: z.enum(["scram-sha-256", "md5"]).default("scram-sha-256"),
    }),
    backup: z.strictObject({
      /** When `pg_dump` runs (UTC, on the database node). */
      schedule: cron,
      /** Days a dump is kept in the bucket before the lifecycle rule expires it. */
      retentionDays: z.number().int("a whole number of days").min(1).max(3650),
      /** Prebuilt backup image pinned by digest or full version tag. Default: built from the contract's pinned commit. */
      image: pinnedImage.optional(),
    }),
  })
  .superRefine(domainInZone)
  .superRefine(spacesInRegion)
  .superRefine((app, ctx) => {
    if (app.quotasDomain && app.quotasDomain !== app.dnsZone && !app.quotasDomain.endsWith(`.${app.dnsZone}`)) {
      ctx.addIssue({ code: "custom", path: ["quotasDomain"], input: app.quotasDomain, message: `must be in the DNS zone "${app.dnsZone}"` });
    }
  });
export type NmpiConfig = z.infer<typeof nmpiConfig>;

/** Environment variable names as the services read them. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name in upper case, such as API_SECRET");

/** Secrets of `nmpi` (secret config `platform:secrets`, key `nmpi`). */
export const nmpiSecrets = z.strictObject({
  /** For `volumeSnapshots` (issue 16): a DigitalOcean token with the block storage scopes. */
  snapshotToken,
  /** Contents of the seed's nmpi-secrets.yml, as environment variables of the job queue. */
  jobQueue: z.record(envName, z.string().min(1)).default({}),
  /** Contents of the seed's quotas-secrets.yml, as environment variables of the quotas service. */
  quotas: z.record(envName, z.string().min(1)).default({}),
  /** certbot's DNS token on each colour node: one of the two, as `apps.nmpi.acme` says (config/apps/acme.ts). */
  ...acmeSecrets,
});
export type NmpiSecrets = z.infer<typeof nmpiSecrets>;
