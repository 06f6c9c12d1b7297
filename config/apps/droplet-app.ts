/**
 * Fields every DigitalOcean app (nmpi, topobank, ramascene) has, and the rule that ties its domain
 * to its DNS zone: one definition, so the three schemas cannot drift apart.
 */
import { z } from "zod";
import { adminCidrs, colour, colourVersions, doRegion, doSize, email, hostname, SPACES_REGIONS, sshPublicKey } from "../primitives";

/**
 * Who owns the DigitalOcean domain `dnsZone`: `create` it, `adopt` an existing one (import, kept on
 * destroy), or `records` only: the domain belongs to another stack and this one manages only its own
 * records in it. DigitalOcean has one domain per name and account, so at most one stack may create or
 * adopt a zone; the others (staging) use `records`.
 */
export const dnsZoneOwnership = z.enum(["create", "adopt", "records"], {
  error: 'one of "create" (a new zone), "adopt" (import an existing zone) or "records" (only this stack\'s records in a zone another stack owns)',
});

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
  /** Who owns the DNS zone (no default: two stacks creating one zone collide). */
  dnsZoneOwnership,
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
};

/**
 * Refinement: `dnsZone` must be `domain` or one of its parents; a stack that only manages records
 * (`dnsZoneOwnership: records`) must not own the zone's apex, which belongs to the zone's owner.
 */
export function domainInZone(app: { domain: string; dnsZone: string; dnsZoneOwnership: string }, ctx: z.RefinementCtx): void {
  if (app.domain !== app.dnsZone && !app.domain.endsWith(`.${app.dnsZone}`)) {
    ctx.addIssue({
      code: "custom",
      path: ["dnsZone"],
      input: app.dnsZone,
      message: `must be the domain "${app.domain}" itself or one of its parent domains`,
    });
  } else if (app.dnsZoneOwnership === "records" && app.domain === app.dnsZone) {
    ctx.addIssue({
      code: "custom",
      path: ["domain"],
      input: app.domain,
      message: `must be a name below "${app.dnsZone}" when dnsZoneOwnership is "records": the zone's apex belongs to the stack that owns the zone`,
    });
  }
}

/** Refinement for apps with a Spaces bucket in `region`: Spaces serves only some regions. */
export function spacesInRegion(app: { region: string }, ctx: z.RefinementCtx): void {
  if (!SPACES_REGIONS.includes(app.region)) {
    ctx.addIssue({
      code: "custom",
      path: ["region"],
      input: app.region,
      message: `Spaces (this app's bucket) is not offered in ${app.region}; use one of ${SPACES_REGIONS.join(", ")}`,
    });
  }
}
