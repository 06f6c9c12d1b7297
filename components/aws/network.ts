import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** How private subnets reach the internet. */
export type NatGateways = "single" | "per-az";

/** Arguments of {@link Network}. */
export interface NetworkArgs {
  /** Address range of the VPC, an IPv4 /16 ending in .0.0/16. Default: "10.20.0.0/16". */
  cidr?: string;
  /** Availability zones to span (the first `zoneCount` available ones). Default: 2. */
  zoneCount?: number;
  /** One NAT gateway shared by all zones, or one per zone. Default: "single". */
  natGateways?: NatGateways;
}

const SIXTEEN = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.0\.0\/16$/;

/** Address plan of a /16: public /24s at the bottom, private /20s from .16.0 upwards. */
export interface SubnetPlan {
  publicCidrs: string[];
  privateCidrs: string[];
}

/** Checks {@link NetworkArgs}; throws naming the argument. */
export function validateNetworkArgs(name: string, args: NetworkArgs): void {
  const cidr = args.cidr ?? "10.20.0.0/16";
  if (!SIXTEEN.test(cidr)) throw new Error(`${name}: args.cidr must be an IPv4 /16 such as 10.20.0.0/16, got ${JSON.stringify(cidr)}`);
  const zones = args.zoneCount ?? 2;
  if (!Number.isInteger(zones) || zones < 2 || zones > 6) throw new Error(`${name}: args.zoneCount must be a whole number from 2 to 6, got ${zones}`);
  if (args.natGateways !== undefined && args.natGateways !== "single" && args.natGateways !== "per-az") {
    throw new Error(`${name}: args.natGateways must be "single" or "per-az", got ${JSON.stringify(args.natGateways)}`);
  }
}

/** Subnet ranges for `zones` zones inside the /16 `cidr`. */
export function planSubnets(cidr: string, zones: number): SubnetPlan {
  const [a, b] = cidr.split(".");
  const indexes = [...Array(zones).keys()];
  return {
    publicCidrs: indexes.map((i) => `${a}.${b}.${i}.0/24`),
    privateCidrs: indexes.map((i) => `${a}.${b}.${16 * (i + 1)}.0/20`),
  };
}

/**
 * A VPC across availability zones: public subnets (internet gateway) for load balancers, private
 * subnets for instances and databases, reaching out through NAT. No subnet assigns public IPs, the
 * default security group allows nothing, and S3 traffic takes a free gateway endpoint.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly cidr: string;
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly privateSubnetIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Network", name, {}, opts);
    validateNetworkArgs(name, args);
    this.cidr = args.cidr ?? "10.20.0.0/16";
    const zoneCount = args.zoneCount ?? 2;
    const natGateways = args.natGateways ?? "single";
    const plan = planSubnets(this.cidr, zoneCount);

    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });

    const vpc = new aws.ec2.Vpc(name, { cidrBlock: this.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } }, { parent: this });
    this.vpcId = vpc.id;

    // Nothing may use the default group by accident: it keeps no rules at all.
    new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id, tags: { Name: `${name}-default-closed` } }, { parent: this });

    const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: { Name: name } }, { parent: this });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${name}-public` } },
      { parent: this },
    );

    const publicSubnets = plan.publicCidrs.map((cidrBlock, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: zones.names[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-public-${i}`, tier: "public" },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, { parent: this });
      return subnet;
    });
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    const natCount = natGateways === "per-az" ? zoneCount : 1;
    const nats = [...Array(natCount).keys()].map((i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } }, { parent: this });
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: { Name: `${name}-nat-${i}` } },
        { parent: this, dependsOn: [igw] },
      );
    });

    const privateRouteTables: aws.ec2.RouteTable[] = [];
    const privateSubnets = plan.privateCidrs.map((cidrBlock, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: zones.names[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${i}`, tier: "private" },
        },
        { parent: this },
      );
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[natCount === 1 ? 0 : i].id }],
          tags: { Name: `${name}-private-${i}` },
        },
        { parent: this },
      );
      privateRouteTables.push(routes);
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, { parent: this });
      return subnet;
    });
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    // Package repositories of Amazon Linux live in S3: a gateway endpoint costs nothing and skips NAT data charges.
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRouteTables.map((t) => t.id),
        tags: { Name: `${name}-s3` },
      },
      { parent: this },
    );

    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
  }
}
