/** Firewalls and security groups: admin and data ports are never open to the whole internet. */
import { asArray, asNumber, asRecord, asString, type Finding, type ResourcePolicy, type Subject } from "./model";

/** SSH, Postgres, CouchDB, RabbitMQ (AMQP and management), Redis, memcached, Flower. */
export const SENSITIVE_PORTS: readonly number[] = [22, 5432, 5984, 5672, 15672, 6379, 11211, 5555];

/**
 * True for 0.0.0.0/0 and ::/0, and for any network so wide it is the internet in all but name
 * (IPv4 shorter than /8, IPv6 shorter than /7): ["0.0.0.0/1", "128.0.0.0/1"] is the whole internet
 * too. Private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) are not.
 */
export function isInternetWide(cidr: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return false;
  const prefix = Number(m[2]);
  return m[1].includes(":") ? prefix < 7 : prefix < 8;
}

/** An inclusive port range; `all` is 0-65535. */
export interface PortRange {
  from: number;
  to: number;
}

const ALL_PORTS: PortRange = { from: 0, to: 65535 };

/** Protocols whose ports matter; ICMP has none. "-1"/"all" mean every protocol and port. */
function protocolCoversPorts(protocol: string | undefined): "all" | "ports" | "none" {
  const p = (protocol ?? "tcp").toLowerCase();
  if (p === "-1" || p === "all") return "all";
  if (p === "tcp" || p === "udp" || p === "6" || p === "17") return "ports";
  return "none";
}

/** DigitalOcean `portRange`: "22", "8000-9000", "1-65535", or "all"/"0" for every port. */
export function parsePortRange(text: string | undefined): PortRange | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === "all" || t === "0" || t === "") return ALL_PORTS;
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(t);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return { from: Math.min(from, to), to: Math.max(from, to) };
}

/** Sensitive ports inside `range`. */
export function coveredPorts(range: PortRange, ports: readonly number[] = SENSITIVE_PORTS): number[] {
  return ports.filter((p) => p >= range.from && p <= range.to);
}

function worldSources(values: unknown[]): string[] {
  return values.map(asString).filter((v): v is string => v !== undefined && isInternetWide(v));
}

function awsRange(protocol: string | undefined, from: unknown, to: unknown): PortRange | undefined {
  const kind = protocolCoversPorts(protocol);
  if (kind === "none") return undefined;
  if (kind === "all") return ALL_PORTS;
  const f = asNumber(from);
  const t = asNumber(to);
  if (f === undefined && t === undefined) return ALL_PORTS;
  // AWS treats from=0,to=0 with a port protocol as a literal port 0; -1 means all.
  if (f === -1 || t === -1) return ALL_PORTS;
  return { from: f ?? t ?? 0, to: t ?? f ?? 65535 };
}

interface OpenRule {
  /** Where in the resource, e.g. `ingress[0]`. */
  where: string;
  range: PortRange;
  sources: string[];
}

/** Every rule of a firewall-like resource that admits the whole internet, with its port range. */
export function worldOpenRules(resource: Pick<Subject, "type" | "inputs">): OpenRule[] {
  const inputs = resource.inputs;
  const rules: OpenRule[] = [];
  const add = (where: string, range: PortRange | undefined, sources: string[]): void => {
    if (range && sources.length > 0) rules.push({ where, range, sources });
  };
  switch (resource.type) {
    case "aws:ec2/securityGroup:SecurityGroup":
      asArray(inputs.ingress).forEach((raw, i) => {
        const rule = asRecord(raw);
        add(
          `ingress[${i}]`,
          awsRange(asString(rule.protocol), rule.fromPort, rule.toPort),
          worldSources([...asArray(rule.cidrBlocks), ...asArray(rule.ipv6CidrBlocks)]),
        );
      });
      break;
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      if (asString(inputs.type) === "ingress") {
        add(
          "rule",
          awsRange(asString(inputs.protocol), inputs.fromPort, inputs.toPort),
          worldSources([...asArray(inputs.cidrBlocks), ...asArray(inputs.ipv6CidrBlocks)]),
        );
      }
      break;
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      add("rule", awsRange(asString(inputs.ipProtocol), inputs.fromPort, inputs.toPort), worldSources([inputs.cidrIpv4, inputs.cidrIpv6]));
      break;
    case "digitalocean:index/firewall:Firewall":
      asArray(inputs.inboundRules).forEach((raw, i) => {
        const rule = asRecord(raw);
        const kind = protocolCoversPorts(asString(rule.protocol));
        const range = kind === "none" ? undefined : kind === "all" ? ALL_PORTS : (parsePortRange(asString(rule.portRange)) ?? ALL_PORTS);
        add(`inboundRules[${i}]`, range, worldSources(asArray(rule.sourceAddresses)));
      });
      break;
    default:
      break;
  }
  return rules;
}

export const FIREWALL_TYPES = [
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "digitalocean:index/firewall:Firewall",
] as const;

export function checkSensitivePortsClosed(resource: Pick<Subject, "type" | "inputs">, ports: readonly number[] = SENSITIVE_PORTS): Finding[] {
  const findings: Finding[] = [];
  for (const rule of worldOpenRules(resource)) {
    const exposed = coveredPorts(rule.range, ports);
    if (exposed.length === 0) continue;
    const range = rule.range.from === rule.range.to ? `port ${rule.range.from}` : `ports ${rule.range.from}-${rule.range.to}`;
    findings.push({
      message: `${rule.where} opens ${range} (covering ${exposed.join(", ")}) to ${rule.sources.join(" and ")}`,
      fix:
        exposed.includes(22)
          ? "allow SSH only from the admin networks (config apps.<app>.adminCidrs), never 0.0.0.0/0 or ::/0"
          : "admit these ports only from the app's own nodes or security groups (sourceTags / referencedSecurityGroupId), not from the internet",
    });
  }
  return findings;
}

export const sensitivePortsClosed: ResourcePolicy = {
  kind: "resource",
  name: "sensitive-ports-not-open-to-world",
  description: `Security groups and firewalls never open ${SENSITIVE_PORTS.join(", ")} to 0.0.0.0/0, ::/0 or another internet-wide network (a port range covering one counts).`,
  defaultLevel: "mandatory",
  types: FIREWALL_TYPES,
  check: (resource) => checkSensitivePortsClosed(resource),
};
