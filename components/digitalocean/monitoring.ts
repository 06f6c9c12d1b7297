import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  /** Who is told. */
  email: string;
  /** HTTPS URLs checked from several regions, by a short label. */
  uptimeTargets: Record<string, pulumi.Input<string>>;
  /** Droplets whose CPU, memory and disk are watched (need the metrics agent). */
  dropletIds: pulumi.Input<number>[];
  /** Alert above this CPU, memory and disk use in percent. Default: 85. */
  thresholdPercent?: number;
}

const RESOURCE_ALERTS = [
  { key: "cpu", type: "v1/insights/droplet/cpu", what: "CPU" },
  { key: "memory", type: "v1/insights/droplet/memory_utilization_percent", what: "memory" },
  { key: "disk", type: "v1/insights/droplet/disk_utilization_percent", what: "disk" },
] as const;

/** Uptime checks with down/TLS-expiry alerts, and CPU/memory/disk alerts, all by e-mail. */
export class Monitoring extends pulumi.ComponentResource {
  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:Monitoring", name, {}, opts);
    const threshold = args.thresholdPercent ?? 85;
    if (threshold <= 0 || threshold > 100) throw new Error(`Monitoring ${name}: thresholdPercent must be in (0, 100]`);
    const notifications = [{ emails: [args.email] }];
    for (const [label, target] of Object.entries(args.uptimeTargets)) {
      const check = new digitalocean.UptimeCheck(
        `${name}-${label}`,
        { name: `${name}-${label}`, target, type: "https", regions: ["eu_west", "us_east", "se_asia"], enabled: true },
        { parent: this },
      );
      new digitalocean.UptimeAlert(
        `${name}-${label}-down`,
        { name: `${name}-${label}-down`, checkId: check.id, type: "down", period: "2m", notifications },
        { parent: this },
      );
      new digitalocean.UptimeAlert(
        `${name}-${label}-tls`,
        { name: `${name}-${label}-tls`, checkId: check.id, type: "ssl_expiry", threshold: 14, notifications },
        { parent: this },
      );
    }
    for (const alert of RESOURCE_ALERTS) {
      new digitalocean.MonitorAlert(
        `${name}-${alert.key}`,
        {
          description: `${name}: ${alert.what} above ${threshold}% for 5 minutes`,
          type: alert.type,
          compare: "GreaterThan",
          value: threshold,
          window: "5m",
          entities: args.dropletIds.map((id) => pulumi.output(id).apply(String)),
          alerts: { emails: [args.email] },
          enabled: true,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
