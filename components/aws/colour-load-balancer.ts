import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COLOURS, type Colour, otherColour } from "../../config/primitives";

/** Arguments of {@link ColourLoadBalancer}. */
export interface ColourLoadBalancerArgs {
  /** VPC of the load balancer and its targets. */
  vpcId: pulumi.Input<string>;
  /** IPv4 range of the VPC: the only destination of the load balancer's outbound traffic. */
  vpcCidr: string;
  /** Public subnets in at least two availability zones. */
  subnetIds: pulumi.Input<string>[];
  /** Production host name; `blue.<domain>` and `green.<domain>` reach each colour. */
  domain: string;
  /** Route 53 hosted zone holding `domain`: certificate validation and alias records go there. */
  zoneId: pulumi.Input<string>;
  /** Colour that takes production traffic. */
  live: Colour;
  /** Share (whole percent, 0-100) of production traffic forwarded to the idle colour. Default: 0. */
  canaryPercent?: number;
  /** Port the targets listen on. Default: 80. */
  targetPort?: number;
  /** HTTP path the targets answer with 200 when healthy. Default: "/". */
  healthCheckPath?: string;
  /** TLS policy of the HTTPS listener (TLS 1.2 or newer). Default: "ELBSecurityPolicy-TLS13-1-2-2021-06". */
  sslPolicy?: string;
  /** Refuse to delete the load balancer through the API. Default: false. */
  deletionProtection?: boolean;
}

/** Policies that refuse TLS 1.0 and 1.1. */
const TLS12_POLICIES = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;

/** Checks {@link ColourLoadBalancerArgs}; throws naming every bad argument. */
export function validateColourLoadBalancerArgs(name: string, args: ColourLoadBalancerArgs): void {
  const problems: string[] = [];
  const canary = args.canaryPercent ?? 0;
  if (!Number.isInteger(canary) || canary < 0 || canary > 100) problems.push(`args.canaryPercent must be a whole number from 0 to 100, got ${canary}`);
  if (!(COLOURS as readonly string[]).includes(args.live)) problems.push(`args.live must be one of ${COLOURS.join(", ")}, got ${JSON.stringify(args.live)}`);
  if (args.subnetIds.length < 2) problems.push("args.subnetIds must name subnets in at least two availability zones");
  const port = args.targetPort ?? 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`args.targetPort must be a TCP port, got ${port}`);
  if (!(args.healthCheckPath ?? "/").startsWith("/")) problems.push(`args.healthCheckPath must start with '/', got ${JSON.stringify(args.healthCheckPath)}`);
  if (!TLS12_POLICIES.test(args.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06")) problems.push(`args.sslPolicy must be a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06, got ${JSON.stringify(args.sslPolicy)}`);
  if (!/^[a-z0-9.-]+$/.test(args.domain)) problems.push(`args.domain must be a lower-case host name, got ${JSON.stringify(args.domain)}`);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/** Weights of the HTTPS listener's default forward: the live colour gets what the canary leaves. */
export function colourWeights(live: Colour, canaryPercent: number): Record<Colour, number> {
  return { [live]: 100 - canaryPercent, [otherColour(live)]: canaryPercent } as Record<Colour, number>;
}

/**
 * An internet-facing application load balancer for two colours: HTTP redirects to HTTPS; HTTPS
 * (ACM certificate validated in Route 53, TLS 1.2+) forwards to the live colour's target group, or
 * splits by weight for a canary; `<colour>.<domain>` reaches each colour through a host-header rule.
 * A switch of the live colour or the canary share changes only the HTTPS listener's default action.
 */
export class ColourLoadBalancer extends pulumi.ComponentResource {
  public readonly dnsName: pulumi.Output<string>;
  public readonly zoneId: pulumi.Output<string>;
  /** `app/<name>/<id>`, the CloudWatch dimension. */
  public readonly arnSuffix: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly targetGroupArns: Record<Colour, pulumi.Output<string>>;
  /** `targetgroup/<name>/<id>` per colour, the CloudWatch dimension. */
  public readonly targetGroupArnSuffixes: Record<Colour, pulumi.Output<string>>;
  public readonly httpsListenerArn: pulumi.Output<string>;
  /** Production URL and per-colour URLs. */
  public readonly urls: { live: string } & Record<Colour, string>;

  constructor(name: string, args: ColourLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:ColourLoadBalancer", name, {}, opts);
    validateColourLoadBalancerArgs(name, args);
    const targetPort = args.targetPort ?? 80;
    const colourHost = (c: Colour) => `${c}.${args.domain}`;

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-lb`,
      {
        vpcId: args.vpcId,
        description: `Load balancer ${name}: HTTP and HTTPS from anywhere, out to the targets only`,
        ingress: [80, 443].map((port) => ({
          description: port === 80 ? "http (redirected)" : "https",
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        })),
        egress: [{ description: "targets", protocol: "tcp", fromPort: targetPort, toPort: targetPort, cidrBlocks: [args.vpcCidr] }],
      },
      { parent: this },
    );
    this.securityGroupId = securityGroup.id;

    const lb = new aws.lb.LoadBalancer(
      autonameBase(name),
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.subnetIds,
        securityGroups: [securityGroup.id],
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection ?? false,
      },
      { parent: this },
    );
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.arnSuffix = lb.arnSuffix;

    const groups = Object.fromEntries(
      COLOURS.map((c) => [
        c,
        new aws.lb.TargetGroup(
          autonameBase(name, c),
          {
            vpcId: args.vpcId,
            port: targetPort,
            protocol: "HTTP",
            targetType: "instance",
            deregistrationDelay: 30,
            healthCheck: { path: args.healthCheckPath ?? "/", port: String(targetPort), protocol: "HTTP", matcher: "200", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
            tags: { colour: c },
          },
          { parent: this },
        ),
      ]),
    ) as Record<Colour, aws.lb.TargetGroup>;
    this.targetGroupArns = { blue: groups.blue.arn, green: groups.green.arn };
    this.targetGroupArnSuffixes = { blue: groups.blue.arnSuffix, green: groups.green.arnSuffix };

    const certificate = new aws.acm.Certificate(
      name,
      { domainName: args.domain, subjectAlternativeNames: COLOURS.map(colourHost), validationMethod: "DNS" },
      { parent: this },
    );
    const validationRecords = [args.domain, ...COLOURS.map(colourHost)].map((host, i) => {
      // ACM returns the options as a set: pick by name, not by position.
      const option = certificate.domainValidationOptions.apply((options) => options.find((o) => o.domainName === host) ?? options[i]);
      return new aws.route53.Record(
        `${name}-validation-${i}`,
        {
          zoneId: args.zoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: 300,
          allowOverwrite: true,
        },
        { parent: this },
      );
    });
    const validation = new aws.acm.CertificateValidation(
      name,
      { certificateArn: certificate.arn, validationRecordFqdns: validationRecords.map((r) => r.fqdn) },
      { parent: this },
    );

    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      },
      { parent: this },
    );

    const weights = colourWeights(args.live, args.canaryPercent ?? 0);
    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: args.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: validation.certificateArn,
        defaultActions: [
          {
            type: "forward",
            forward: {
              // Both colours always listed: a switch or a canary only moves weights.
              targetGroups: COLOURS.map((c) => ({ arn: groups[c].arn, weight: weights[c] })),
              // A canary visitor stays on the colour first drawn for an hour.
              stickiness: { enabled: (args.canaryPercent ?? 0) > 0, duration: 3600 },
            },
          },
        ],
      },
      { parent: this },
    );
    this.httpsListenerArn = https.arn;

    COLOURS.forEach((c, i) => {
      new aws.lb.ListenerRule(
        `${name}-${c}`,
        {
          listenerArn: https.arn,
          priority: 10 * (i + 1),
          conditions: [{ hostHeader: { values: [colourHost(c)] } }],
          actions: [{ type: "forward", targetGroupArn: groups[c].arn }],
          tags: { colour: c },
        },
        { parent: this },
      );
    });

    for (const [i, host] of [args.domain, ...COLOURS.map(colourHost)].entries()) {
      new aws.route53.Record(
        `${name}-alias-${i}`,
        { zoneId: args.zoneId, name: host, type: "A", aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }] },
        { parent: this },
      );
    }

    this.urls = { live: `https://${args.domain}`, blue: `https://${colourHost("blue")}`, green: `https://${colourHost("green")}` };
    this.registerOutputs({ dnsName: this.dnsName, httpsListenerArn: this.httpsListenerArn, urls: this.urls });
  }
}

/**
 * A child name whose generated physical name fits AWS: Pulumi names a load balancer or target group
 * `<name>-<7 random characters>` and refuses one longer than 32 (pulumi/pulumi-aws provider/resources.go:
 * `tfbridge.AutoName("name", 32, "-")` for aws_lb_target_group; AWS CreateTargetGroup and
 * CreateLoadBalancer allow 32), so the name may have 24 characters. A longer base is shortened, keeping
 * the suffix (the colour) whole: `aquamark-production-green` becomes `aquamark-productio-green`.
 */
export function autonameBase(name: string, suffix?: string): string {
  const limit = 32 - 8;
  const full = suffix ? `${name}-${suffix}` : name;
  if (full.length <= limit) return full;
  const room = suffix ? limit - suffix.length - 1 : limit;
  const base = name.slice(0, room).replace(/-+$/, "");
  return suffix ? `${base}-${suffix}` : base;
}
