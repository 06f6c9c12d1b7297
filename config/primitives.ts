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

/** A network as numbers: its first address, prefix length and family (IPv4 width 32, IPv6 128). */
export interface Network {
  family: 4 | 6;
  address: bigint;
  prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail4: bigint | undefined;
  // An embedded dotted IPv4 tail (::ffff:192.0.2.1) counts as the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail4 = parseIpv4(dotted[2]);
    if (tail4 === undefined) return undefined;
    head = `${dotted[1]}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  return tail4 === undefined ? value : (value & ~0xffffffffn) | tail4;
}

/**
 * Parses `address/prefix`. An IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) IPv6 network is
 * read as the IPv4 network it stands for, so `::ffff:0.0.0.0/96` is the IPv4 internet it is.
 */
export function parseNetwork(text: string): Network | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const prefix = Number(m[2]);
  if (!m[1].includes(":")) {
    const address = parseIpv4(m[1]);
    return address === undefined || prefix > 32 ? undefined : { family: 4, address, prefix };
  }
  const address = parseIpv6(m[1]);
  if (address === undefined || prefix > 128) return undefined;
  const upper96 = address >> 32n;
  if (prefix >= 96 && (upper96 === 0xffffn || upper96 === 0x64ff9b0000000000000000n)) {
    return { family: 4, address: address & 0xffffffffn, prefix: prefix - 96 };
  }
  return { family: 6, address, prefix };
}

/** True when `n` has bits set after its prefix (`198.51.100.7/8` means 198.0.0.0/8). */
export function hasHostBits(n: Network): boolean {
  const width = n.family === 4 ? 32 : 128;
  const hostBits = BigInt(width - n.prefix);
  return (n.address & ((1n << hostBits) - 1n)) !== 0n;
}

/**
 * Widest admin network accepted: an IPv4 /8 or an IPv6 /16. Anything wider (0.0.0.0/0, 1.2.3.4/0,
 * 0.0.0.0/1, ::/0, 2000::/3, ::ffff:0:0/96) is the internet, or a large part of it, in all but name.
 */
export const WIDEST_ADMIN_PREFIX = { 4: 8, 6: 16 } as const;

/**
 * Admin networks (SSH, database and management ports): parsed and compared as networks, each at
 * most a /8 of IPv4 or a /16 of IPv6, written with the host bits clear (so a typo'd prefix such as
 * 198.51.100.7/8 is caught, not silently widened to 198.0.0.0/8).
 */
export const adminCidrs = z.array(cidr).superRefine((list, ctx) => {
  list.forEach((text, i) => {
    const n = parseNetwork(text);
    if (n === undefined) return; // the cidr schema has reported it
    const widest = WIDEST_ADMIN_PREFIX[n.family];
    if (n.prefix < widest) {
      ctx.addIssue({
        code: "custom",
        path: [i],
        message: `${text} covers more than an IPv${n.family} /${widest}: admin networks must be narrow (the office or VPN egress, such as 198.51.100.0/24), never the internet or a large part of it`,
      });
    } else if (hasHostBits(n)) {
      ctx.addIssue({
        code: "custom",
        path: [i],
        message: `${text} has host bits set after the /${n.prefix} prefix: write the network itself, or check the prefix length`,
      });
    }
  });
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

/** A time of day, HH:MM (24 h): the form DLM's `times` and the volume-snapshot job take. */
export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** A time of day in UTC, with an example for the error message. */
export function timeOfDay(example: string) {
  return z.string().regex(TIME_OF_DAY, `a time of day HH:MM in UTC, such as ${example}`);
}

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
