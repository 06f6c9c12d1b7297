/**
 * Value types shared by every app's config schema. Each carries a message that says what is
 * allowed, because that message is what an operator reads after a typo.
 */
import { z } from "zod";

export const COLOURS = ["blue", "green"] as const;
/** One of the two deployment colours. */
export type Colour = (typeof COLOURS)[number];
export const colour = z.enum(COLOURS);

/** The colour that is not `c`. */
export function otherColour(c: Colour): Colour {
  return c === "blue" ? "green" : "blue";
}

export const ENVIRONMENTS = ["production", "staging", "local"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A Docker image tag (what `docker tag` accepts). */
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a Docker image tag: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'");

/** Image tag for each colour. */
export const colourVersions = z.strictObject({ blue: imageTag, green: imageTag });

/** A DNS host name such as `nmpi.example.org` (lower case, at least two labels). */
export const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
    "a lower-case DNS name with at least two labels, such as app.example.org",
  );

/** An IPv4 or IPv6 network in CIDR notation. */
export const cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: "a network in CIDR notation, such as 198.51.100.0/24 or 2001:db8::/32",
});

/** Admin networks: never the whole internet, which would defeat the point of the list. */
export const adminCidrs = z
  .array(cidr)
  .refine((list) => !list.some((c) => c === "0.0.0.0/0" || c === "::/0"), {
    message: "admin networks must not include 0.0.0.0/0 or ::/0 (the whole internet)",
  });

/** An OpenSSH public key line: type, base64 body, optional comment. */
export const sshPublicKey = z
  .string()
  .regex(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/,
    "an OpenSSH public key line such as 'ssh-ed25519 AAAA... alice@laptop'",
  );

export const email = z.email({ error: "an e-mail address such as ops@example.org" });

/** DigitalOcean region slugs that offer droplets, volumes and reserved IPs. */
export const DO_REGIONS = ["ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1", "atl1"] as const;
export const doRegion = z.enum(DO_REGIONS);

/**
 * The regions Spaces serves: the provider validates a bucket's region against exactly this list
 * (terraform-provider-digitalocean digitalocean/spaces/spaces_entities.go `SpacesRegions`).
 */
export const SPACES_REGIONS: readonly string[] = ["ams3", "atl1", "blr1", "fra1", "lon1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"];

/** A DigitalOcean droplet size slug such as `s-1vcpu-2gb`. */
export const doSize = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)+$/, "a DigitalOcean size slug such as s-1vcpu-2gb (see `doctl compute size list`)");

/** A five-field cron expression (minute hour day-of-month month day-of-week) as crond reads it. */
export const cron = z
  .string()
  .regex(
    /^(\S+\s+){4}\S+$/,
    "a five-field cron expression such as '17 3 * * *' (minute hour day-of-month month day-of-week)",
  )
  .refine((s) => s.split(/\s+/).every((f) => /^(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?)*$/.test(f)), {
    message: "a five-field cron expression of numbers, ranges, lists, steps and '*', such as '17 3 * * *'",
  });

/** AWS region names such as `eu-central-1`. */
export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, "an AWS region name such as eu-central-1");

/** A whole number of GiB in [min, max]. */
export function gib(min: number, max: number) {
  return z.number().int(`a whole number of GiB from ${min} to ${max}`).min(min).max(max);
}

/** A percentage in [0, 100]. */
export const percent = z.number().int("a whole percentage from 0 to 100").min(0).max(100);
