import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { adoptionOptions } from "../adoption";

/** A record name relative to its zone: "@" at the apex, else the host without `.<zone>`. */
export function relativeName(host: string, zone: string): string {
  if (host !== zone && !host.endsWith(`.${zone}`)) throw new Error(`${host} is not in the zone ${zone}`);
  return host === zone ? "@" : host.slice(0, -(zone.length + 1));
}

/** One A record; `name` is relative to the zone ("@" for the apex). */
export interface ARecord {
  name: string;
  ip: pulumi.Input<string>;
}

/**
 * One CNAME record; `name` is relative to the zone, `target` fully qualified with its trailing dot:
 * the provider reads CNAME data back with a dot appended (terraform-provider-digitalocean
 * digitalocean/domain/resource_record.go, resourceDigitalOceanRecordRead), so a target without one
 * would differ from the state on every refresh.
 */
export interface CnameRecord {
  name: string;
  target: string;
}

/**
 * Who owns the DigitalOcean domain: `create` it here, `adopt` an existing one (import; it is kept
 * when the stack is destroyed), or `records`: the domain belongs to another stack (or to no stack)
 * and this one only manages its own records in it, so destroying this stack touches nothing else.
 * DigitalOcean has one domain per name and account: two stacks must never both create or adopt it.
 */
export const DNS_ZONE_OWNERSHIP = ["create", "adopt", "records"] as const;
export type DnsZoneOwnership = (typeof DNS_ZONE_OWNERSHIP)[number];

/** Arguments of {@link DnsZone}. */
export interface DnsZoneArgs {
  /** Zone name, e.g. example.org. */
  zone: string;
  /** Who owns the domain (see {@link DnsZoneOwnership}). */
  ownership: DnsZoneOwnership;
  /** Protect the zone when this stack owns it: deleting it takes every record with it (production). */
  protect: boolean;
  /** A records to manage. Default: none. */
  records?: ARecord[];
  /** CNAME records to manage. Default: none. */
  cnames?: CnameRecord[];
  /** TTL of the records in seconds. Default: 300. */
  ttl?: number;
}

/** A DigitalOcean domain (or only records in one, see {@link DnsZoneOwnership}) and the A records this program owns in it. */
export class DnsZone extends pulumi.ComponentResource {
  public readonly zone: pulumi.Output<string>;

  constructor(name: string, args: DnsZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:DnsZone", name, {}, opts);
    if (args.ownership === "records" && (args.records ?? []).some((r) => r.name === "@")) {
      throw new Error(`DnsZone ${name}: ownership "records" must not manage the apex of ${args.zone}, which belongs to the zone's owner`);
    }
    let zone: pulumi.Output<string>;
    if (args.ownership === "records") {
      zone = pulumi.output(args.zone);
    } else {
      const adopted = args.ownership === "adopt";
      const domain = new digitalocean.Domain(
        name,
        { name: args.zone },
        // The ID of a DigitalOcean domain is its name, so adopting needs no lookup. An adopted zone
        // existed before this stack and outlives it.
        { parent: this, ...adoptionOptions({ protect: args.protect, retainOnDelete: false }, adopted ? args.zone : undefined) },
      );
      zone = domain.id;
    }
    const label = (recordName: string) => (recordName === "@" ? "apex" : recordName.replace(/\./g, "-"));
    for (const record of args.records ?? []) {
      new digitalocean.DnsRecord(
        `${name}-${label(record.name)}`,
        { domain: zone, type: "A", name: record.name, value: record.ip, ttl: args.ttl ?? 300 },
        { parent: this },
      );
    }
    for (const cname of args.cnames ?? []) {
      if (!cname.target.endsWith(".")) throw new Error(`DnsZone ${name}: CNAME target "${cname.target}" must be fully qualified with a trailing dot`);
      if ((args.records ?? []).some((r) => r.name === cname.name)) throw new Error(`DnsZone ${name}: "${cname.name}" cannot be both a CNAME and an A record`);
      new digitalocean.DnsRecord(
        `${name}-${label(cname.name)}`,
        { domain: zone, type: "CNAME", name: cname.name, value: cname.target, ttl: args.ttl ?? 300 },
        { parent: this },
      );
    }
    this.zone = zone;
    this.registerOutputs({ zone: this.zone });
  }
}
