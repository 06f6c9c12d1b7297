import { createHash } from "node:crypto";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../../config";

/** Arguments of {@link ColourLoadBalancer}. */
export interface ColourLoadBalancerArgs {
  /** Region slug; must match the droplets'. */
  region: string;
  /** Droplet ID for each colour. */
  droplets: Record<Colour, pulumi.Input<number>>;
  /** Colour whose droplet receives traffic. */
  live: Colour;
  /**
   * What must be up on each colour's droplet before it takes traffic (its proxy container). The
   * load balancer waits for the live colour's: a replaced droplet joins only once it serves.
   */
  colourReady: Record<Colour, pulumi.Resource[]>;
  /** Host names on the load balancer's Let's Encrypt certificate (in a DigitalOcean domain). */
  hostnames: string[];
  /** Path the health check requests over HTTPS on the droplets. Default: "/". */
  healthPath?: string;
  /** Load balancer size units (1–100). Default: 1. */
  sizeUnit?: number;
}

/**
 * The certificate's name, which is also its ID (terraform-provider-digitalocean
 * digitalocean/certificate/resource_certificate.go `d.SetId(cert.Name)`): it follows the host names,
 * because `domains` is ForceNew and the replacement is created before the old one is deleted, so a
 * fixed name would collide with the certificate it replaces.
 */
export function certificateName(name: string, hostnames: readonly string[]): string {
  const digest = createHash("sha256").update([...hostnames].sort().join(",")).digest("hex").slice(0, 8);
  return `${name}-cert-${digest}`;
}

/**
 * A DigitalOcean load balancer with a managed Let's Encrypt certificate, HTTP→HTTPS redirect and
 * a health check; it forwards to the live colour's droplet (which terminates TLS again with its
 * own DNS-01 certificate). A switch changes only `dropletIds`.
 */
export class ColourLoadBalancer extends pulumi.ComponentResource {
  public readonly ip: pulumi.Output<string>;

  constructor(name: string, args: ColourLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:ColourLoadBalancer", name, {}, opts);
    if (args.hostnames.length === 0) throw new Error(`ColourLoadBalancer ${name}: hostnames must not be empty`);
    const certificate = new digitalocean.Certificate(
      `${name}-cert`,
      { name: certificateName(name, args.hostnames), type: "lets_encrypt", domains: args.hostnames },
      // A new certificate must exist before the load balancer lets go of the old one.
      { parent: this },
    );
    const lb = new digitalocean.LoadBalancer(
      name,
      {
        name,
        region: args.region,
        sizeUnit: args.sizeUnit ?? 1,
        redirectHttpToHttps: true,
        // DNS stays ours (DnsZone); otherwise DigitalOcean adds its own A records for the certificate names.
        disableLetsEncryptDnsRecords: true,
        forwardingRules: [
          { entryProtocol: "https", entryPort: 443, targetProtocol: "https", targetPort: 443, certificateName: certificate.name },
          { entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 80 },
        ],
        healthcheck: { protocol: "https", port: 443, path: args.healthPath ?? "/", checkIntervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 },
        dropletIds: [args.droplets[args.live]],
      },
      { parent: this, dependsOn: args.colourReady[args.live] },
    );
    this.ip = lb.ip;
    this.registerOutputs({ ip: this.ip });
  }
}
