/**
 * Fields every DigitalOcean app (nmpi, topobank, ramascene) has, and the rule that ties its domain
 * to its DNS zone: one definition, so the three schemas cannot drift apart.
 */
import { z } from "zod";
import { adminCidrs, colour, colourVersions, doRegion, doSize, email, hostname, sshPublicKey } from "../primitives";

export const dropletAppFields = {
  /** Deploy this app in this stack. */
  enabled: z.boolean(),
  /** Colour that takes production traffic at `domain`. */
  live: colour,
  /** Image tag of the app's images for each colour. */
  versions: colourVersions,
  /** Production host name; the colours are `blue.<domain>` and `green.<domain>`. */
  domain: hostname,
  /** DigitalOcean domain (DNS zone) that holds the records: `domain` itself or one of its parents. */
  dnsZone: hostname,
  /** Adopt an existing DigitalOcean domain instead of creating it. Default: false. */
  adoptDnsZone: z.boolean().default(false),
  /** Region of every node, volume, reserved IP and bucket of the app. */
  region: doRegion,
  /** Droplet size of the node(s) running the app's containers. */
  nodeSize: doSize,
  /** Networks allowed to SSH to the nodes (also the path Pulumi's Docker provider takes). */
  adminCidrs: adminCidrs.min(1, "at least one admin network: Pulumi reaches the nodes' Docker engine over SSH"),
  /** Public keys allowed to log in as root. */
  adminSshKeys: z.array(sshPublicKey).min(1, "at least one admin SSH public key"),
  /** Where alerts and Let's Encrypt expiry notices go. */
  alertEmail: email,
  /**
   * Daily snapshots of the app's data volume, the newest `keep` kept (issue 16); needs the secret
   * `secrets.<app>.snapshotToken`. Default: none (DigitalOcean has no volume snapshot schedule of its own).
   */
  volumeSnapshots: z
    .strictObject({
      /** Time of day, HH:MM UTC. */
      at: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "a time of day HH:MM in UTC, such as 02:30"),
      /** Snapshots kept. */
      keep: z.number().int("a whole number of snapshots").min(1).max(100),
    })
    .optional(),
};

/** Secret of an app with `volumeSnapshots`: a DigitalOcean API token allowed to create, list and delete block-storage snapshots. */
export const snapshotToken = z.string().min(20, "a DigitalOcean API token with the block storage scopes").optional();

/** Refinement: `dnsZone` must be `domain` or one of its parents. */
export function domainInZone(app: { domain: string; dnsZone: string }, ctx: z.RefinementCtx): void {
  if (app.domain !== app.dnsZone && !app.domain.endsWith(`.${app.dnsZone}`)) {
    ctx.addIssue({
      code: "custom",
      path: ["dnsZone"],
      input: app.dnsZone,
      message: `must be the domain "${app.domain}" itself or one of its parent domains`,
    });
  }
}
