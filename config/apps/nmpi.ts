/** Config of the `nmpi` app (seed 000): job queue + quotas services, blue/green on DigitalOcean. */
import { z } from "zod";
import { adminCidrs, colour, colourVersions, cron, doRegion, doSize, email, gib, hostname, sshPublicKey } from "../primitives";

export const nmpiConfig = z
  .strictObject({
    /** Deploy this app in this stack. */
    enabled: z.boolean(),
    /** Colour that takes production traffic. */
    live: colour,
    /** Image tag of both services for each colour (the seed tagged images with the colour; we tag with versions). */
    versions: colourVersions,
    /** Production host name of the job queue; the quotas service is `quotas.<domain>`, colours `<colour>.<domain>`. */
    domain: hostname,
    /** DigitalOcean domain (DNS zone) that holds the records: `domain` itself or one of its parents. */
    dnsZone: hostname,
    /** Adopt an existing DigitalOcean domain instead of creating it. Default: false. */
    adoptDnsZone: z.boolean().default(false),
    /** Region of every node, volume, reserved IP and bucket. */
    region: doRegion,
    /** Droplet size of each colour's node. */
    nodeSize: doSize,
    /** How production traffic reaches the live colour. Default: reserved-ip. */
    routing: z.enum(["reserved-ip", "load-balancer"]).default("reserved-ip"),
    /** Networks allowed to SSH to the nodes (also the path Pulumi's Docker provider takes). */
    adminCidrs: adminCidrs.min(1, "at least one admin network: Pulumi reaches the nodes' Docker engine over SSH"),
    /** Public keys allowed to log in as root. */
    adminSshKeys: z.array(sshPublicKey).min(1, "at least one admin SSH public key"),
    /** Where uptime and resource alerts go. */
    alertEmail: email,
    database: z.strictObject({
      /** Droplet size of the database node. */
      nodeSize: doSize,
      /** Size of the block-storage volume holding the Postgres data directory. */
      volumeGiB: gib(1, 16384),
    }),
    backup: z.strictObject({
      /** When `pg_dump` runs (UTC, on the database node). */
      schedule: cron,
      /** Days a dump is kept in the bucket before the lifecycle rule expires it. */
      retentionDays: z.number().int("a whole number of days").min(1).max(3650),
    }),
  })
  .superRefine((app, ctx) => {
    if (app.domain !== app.dnsZone && !app.domain.endsWith(`.${app.dnsZone}`)) {
      ctx.addIssue({
        code: "custom",
        path: ["dnsZone"],
        input: app.dnsZone,
        message: `must be the domain "${app.domain}" itself or one of its parent domains`,
      });
    }
  });
export type NmpiConfig = z.infer<typeof nmpiConfig>;

/** Environment variable names as the services read them. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name in upper case, such as API_SECRET");

/** Secrets of `nmpi` (secret config `platform:secrets`, key `nmpi`). */
export const nmpiSecrets = z.strictObject({
  /** Contents of the seed's nmpi-secrets.yml, as environment variables of the job queue. */
  jobQueue: z.record(envName, z.string().min(1)).default({}),
  /** Contents of the seed's quotas-secrets.yml, as environment variables of the quotas service. */
  quotas: z.record(envName, z.string().min(1)).default({}),
  /**
   * DigitalOcean API token limited to the domain scopes (domain:read, domain:create, domain:update,
   * domain:delete), used by certbot on each node for DNS-01 challenges.
   */
  acmeDnsToken: z.string().min(20, "a DigitalOcean API token with the domain scopes only"),
});
export type NmpiSecrets = z.infer<typeof nmpiSecrets>;
