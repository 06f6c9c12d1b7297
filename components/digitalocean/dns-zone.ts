import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

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

/** Arguments of {@link DnsZone}. */
export interface DnsZoneArgs {
  /** Zone name, e.g. example.org. */
  zone: string;
  /** Adopt an existing DigitalOcean domain (import) instead of creating it. Default: false. */
  adopt?: boolean;
  /** Protect the zone: deleting it takes every record with it (production). */
  protect: boolean;
  /** A records to manage. Default: none. */
  records?: ARecord[];
  /** TTL of the records in seconds. Default: 300. */
  ttl?: number;
}

/** A DigitalOcean domain and the A records this program owns in it. */
export class DnsZone extends pulumi.ComponentResource {
  public readonly zone: pulumi.Output<string>;

  constructor(name: string, args: DnsZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:DnsZone", name, {}, opts);
    const domain = new digitalocean.Domain(
      name,
      { name: args.zone },
      // The ID of a DigitalOcean domain is its name, so adopting needs no lookup.
      // An adopted zone was made outside the program: removing it from the program never deletes it.
      { parent: this, protect: args.protect, retainOnDelete: args.adopt === true, import: args.adopt ? args.zone : undefined },
    );
    for (const record of args.records ?? []) {
      const label = record.name === "@" ? "apex" : record.name.replace(/\./g, "-");
      new digitalocean.DnsRecord(
        `${name}-${label}`,
        { domain: domain.id, type: "A", name: record.name, value: record.ip, ttl: args.ttl ?? 300 },
        { parent: this },
      );
    }
    this.zone = domain.name;
    this.registerOutputs({ zone: this.zone });
  }
}
