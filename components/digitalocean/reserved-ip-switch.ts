import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../../config";

/** Arguments of {@link ReservedIpSwitch}. */
export interface ReservedIpSwitchArgs {
  /** Region of the reserved IP; must match the droplets'. */
  region: string;
  /** Droplet ID for each colour. */
  droplets: Record<Colour, pulumi.Input<number>>;
  /** Colour that receives production traffic. */
  live: Colour;
  /**
   * What must be up on each colour's droplet before it takes traffic (its proxy container). The
   * assignment waits for the live colour's: a replaced droplet gets the IP only once it serves.
   */
  colourReady: Record<Colour, pulumi.Resource[]>;
  /** Protect the IP itself: DNS points at it, losing it means a DNS change (production). */
  protect: boolean;
}

/**
 * One public IP that follows the live colour. Switching replaces one assignment,
 * create-before-delete: DigitalOcean moves the IP to the new droplet in one action, and the old
 * assignment's delete is a no-op because the provider only unassigns an IP still on the old droplet.
 * Never deleteBeforeReplace: that would unassign first and cut traffic.
 */
export class ReservedIpSwitch extends pulumi.ComponentResource {
  public readonly ip: pulumi.Output<string>;

  constructor(name: string, args: ReservedIpSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:ReservedIpSwitch", name, {}, opts);
    const reserved = new digitalocean.ReservedIp(name, { region: args.region }, { parent: this, protect: args.protect });
    new digitalocean.ReservedIpAssignment(
      `${name}-live`,
      { ipAddress: reserved.ipAddress, dropletId: args.droplets[args.live] },
      // Without the wait, the assignment (droplet_id is ForceNew, resource_reserved_ip_assignment.go)
      // would move production traffic to a replaced droplet as soon as it exists, still empty.
      { parent: this, deleteBeforeReplace: false, dependsOn: args.colourReady[args.live] },
    );
    this.ip = reserved.ipAddress;
    this.registerOutputs({ ip: this.ip });
  }
}
