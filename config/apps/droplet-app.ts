/**
 * Fields every DigitalOcean app (nmpi, topobank, ramascene) has, and the rule that ties its domain
 * to its DNS zone: one definition, so the three schemas cannot drift apart.
 */
import { z } from "zod";
import { adminCidrs, colour, doRegion, doSize, email, hostname, SPACES_REGIONS, sshPublicKey, timeOfDay } from "../primitives";

/**
 * Who owns the DigitalOcean domain `dnsZone`: `create` it, `adopt` an existing one (import, kept on
 * destroy), or `records` only: the domain belongs to another stack and this one manages only its own
 * records in it. DigitalOcean has one domain per name and account, so at most one stack may create or
 * adopt a zone; the others (staging) use `records`.
 */
export const dnsZoneOwnership = z.enum(["create", "adopt", "records"], {
  error: 'one of "create" (a new zone), "adopt" (import an existing zone) or "records" (only this stack\'s records in a zone another stack owns)',
});

/**
 * A pinned git ref of an app's upstream repository: a full 40-hex commit, or a release tag such as
 * `0.16.2` or `V1.5`. Branch names (`main`, `master`) and `HEAD` move, so they are not accepted.
 */
export const gitRef = z
  .string()
  .regex(
    /^([0-9a-f]{40}|[vV]?[0-9]+(\.[0-9]+)*([.-][0-9A-Za-z]+)*)$/,
    "a pinned git ref: a full 40-character commit id or a release tag such as 0.16.2 or V1.5 (never a branch)",
  );

/** An image pinned by digest: `repository@sha256:<64 hex>`, which no registry push can change. */
export const digestImage = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*@sha256:[0-9a-f]{64}$/,
    "an image pinned by digest, such as registry.example.org/team/app@sha256:<64 hex digits>",
  );

/**
 * A third-party image that cannot move under us: pinned by digest, or by a tag with at least three
 * version numbers (`16.6-bookworm` is not enough: minor tags are re-pushed with base-image updates).
 * `latest`, bare majors (`16`, `v3`) and `major.minor` tags are rejected.
 */
export const pinnedImage = z.union([
  digestImage,
  z
    .string()
    .regex(
      /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*:[vV]?[0-9]+\.[0-9]+\.[0-9]+([.-][0-9A-Za-z]+)*$/,
    ),
], { error: "an image pinned by digest (repo@sha256:...) or by a full version tag such as repo:1.0.42-dev; never latest or a floating major/minor tag" });

/**
 * One colour's version: a git ref the program builds the app's images from, or (prebuilt) each of
 * the app's images pinned by digest, keyed by the app's image names.
 */
export function colourVersion<K extends string>(images: readonly [K, ...K[]]) {
  const prebuilt = z.strictObject(Object.fromEntries(images.map((k) => [k, digestImage])) as Record<K, typeof digestImage>);
  return z.union([gitRef, prebuilt], {
    error: `a pinned git ref (a 40-character commit id or a release tag such as 0.16.2) or prebuilt images pinned by digest: { ${images.map((k) => `${k}: repo@sha256:...`).join(", ")} }`,
  });
}

/** The version of each colour. */
export function colourVersions<K extends string>(images: readonly [K, ...K[]]) {
  return z.strictObject({ blue: colourVersion(images), green: colourVersion(images) });
}

/** Fields of every DigitalOcean app; `images` are the names of the app's own images (for prebuilt versions). */
export function dropletAppFields<K extends string>(images: readonly [K, ...K[]]) {
  return {
    /** Deploy this app in this stack. */
    enabled: z.boolean(),
    /** Colour that takes production traffic at `domain`. */
    live: colour,
    /** Each colour's version: a git ref to build from, or prebuilt images by digest. */
    versions: colourVersions(images),
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
    /**
     * Daily snapshots of the app's data volume, the newest `keep` kept (issue 16); needs the secret
     * `secrets.<app>.snapshotToken`. Default: none (DigitalOcean has no volume snapshot schedule of its own).
     */
    volumeSnapshots: z
      .strictObject({
        /** Time of day, HH:MM UTC. */
        at: timeOfDay("02:30"),
        /** Snapshots kept. */
        keep: z.number().int("a whole number of snapshots").min(1).max(100),
      })
      .optional(),
  };
}

/** Secret of an app with `volumeSnapshots`: a DigitalOcean API token allowed to create, list and delete block-storage snapshots. */
export const snapshotToken = z.string().min(20, "a DigitalOcean API token with the block storage scopes").optional();

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
