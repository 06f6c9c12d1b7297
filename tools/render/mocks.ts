/**
 * What the providers would compute, invented deterministically so two renders of one config are
 * byte-identical: IDs and IPs derive from the resource's type and name only. Addresses come from
 * the documentation ranges (RFC 5737 / RFC 3849), so a rendered value can never reach a real host.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_AWS_REGION = "eu-central-1";

function digest(...parts: string[]): Buffer {
  return createHash("sha256").update(parts.join("\0")).digest();
}

function hex(n: number, ...parts: string[]): string {
  return digest(...parts).toString("hex").slice(0, n);
}

/** `n` hex digits from the letters a-f only. */
function letterHex(n: number, ...parts: string[]): string {
  return hex(n, ...parts).replace(/[0-9]/g, (d) => "abcdef"[Number(d) % 6]);
}

/** A public IPv4 address in 203.0.113.0/24 (TEST-NET-3). */
export function mockPublicIp(...parts: string[]): string {
  return `203.0.113.${(digest(...parts)[0] % 254) + 1}`;
}

function mockPrivateIp(...parts: string[]): string {
  const d = digest("private", ...parts);
  return `10.${d[0] % 250}.${d[1]}.${(d[2] % 254) + 1}`;
}

/** A well-formed OpenSSH public key line whose body is derived from `parts`. */
function mockOpensshPublicKey(algorithm: string, ...parts: string[]): string {
  if (algorithm === "ED25519") {
    const keyType = Buffer.from("ssh-ed25519");
    const body = Buffer.concat([u32(keyType.length), keyType, u32(32), digest("ed25519", ...parts)]);
    return `ssh-ed25519 ${body.toString("base64")}\n`;
  }
  const keyType = Buffer.from("ecdsa-sha2-nistp256");
  const curve = Buffer.from("nistp256");
  const point = Buffer.concat([Buffer.from([4]), digest("x", ...parts), digest("y", ...parts)]);
  const body = Buffer.concat([u32(keyType.length), keyType, u32(curve.length), curve, u32(point.length), point]);
  return `ecdsa-sha2-nistp256 ${body.toString("base64")}\n`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sha256Fingerprint(publicKeyLine: string): string {
  const body = Buffer.from(publicKeyLine.trim().split(" ")[1], "base64");
  return `SHA256:${createHash("sha256").update(body).digest("base64").replace(/=+$/, "")}`;
}

type State = Record<string, unknown>;

/** Arn for an AWS resource type token such as `aws:rds/instance:Instance`. */
function mockArn(type: string, name: string): string {
  const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
  return `arn:aws:${service}:${MOCK_AWS_REGION}:${MOCK_ACCOUNT_ID}:${type.split(":").pop()?.toLowerCase()}/${name}`;
}

/** Provider-computed attributes per resource type, beyond echoing the inputs back. */
const COMPUTED: Record<string, (name: string, inputs: State) => State> = {
  "digitalocean:index/droplet:Droplet": (name) => ({
    ipv4Address: mockPublicIp("droplet", name),
    ipv4AddressPrivate: mockPrivateIp("droplet", name),
    urn: `do:droplet:${mockNumericId(name)}`,
    status: "active",
  }),
  "digitalocean:index/reservedIp:ReservedIp": (name) => ({ ipAddress: mockPublicIp("reserved-ip", name), urn: `do:reservedip:${name}` }),
  "digitalocean:index/volume:Volume": (name) => ({ urn: `do:volume:${mockUuid(name)}` }),
  "digitalocean:index/loadBalancer:LoadBalancer": (name) => ({ ip: mockPublicIp("lb", name), urn: `do:loadbalancer:${mockUuid(name)}` }),
  "digitalocean:index/domain:Domain": (name, inputs) => ({ urn: `do:domain:${String(inputs.name ?? name)}` }),
  "digitalocean:index/dnsRecord:DnsRecord": (_name, inputs) => ({ fqdn: `${String(inputs.name)}.${String(inputs.domain)}` }),
  "digitalocean:index/spacesBucket:SpacesBucket": (name, inputs) => ({
    bucketDomainName: `${String(inputs.name ?? name)}.${String(inputs.region)}.digitaloceanspaces.com`,
    endpoint: `${String(inputs.region)}.digitaloceanspaces.com`,
    urn: `do:space:${String(inputs.name ?? name)}`,
  }),
  "digitalocean:index/spacesKey:SpacesKey": (name) => ({ accessKey: `DO00${hex(16, "access", name).toUpperCase()}`, secretKey: `mock-spaces-secret-${hex(24, name)}` }),
  "digitalocean:index/certificate:Certificate": (name) => ({ uuid: mockUuid(name) }),
  "digitalocean:index/sshKey:SshKey": (name, inputs) => ({ fingerprint: sha256Fingerprint(String(inputs.publicKey ?? `ssh-ed25519 ${name}`)) }),
  "digitalocean:index/vpc:Vpc": (name) => ({ urn: `do:vpc:${mockUuid(name)}` }),
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({ result: `mock-password-${hex(Number(inputs.length ?? 32), name)}` }),
  "random:index/randomString:RandomString": (name, inputs) => ({ result: `mockstring${hex(Number(inputs.length ?? 16), name)}` }),
  "random:index/randomId:RandomId": (name) => ({ hex: hex(16, name), b64Url: hex(16, name) }),
  "tls:index/privateKey:PrivateKey": (name, inputs) => {
    const algorithm = String(inputs.algorithm ?? "RSA");
    const publicKeyOpenssh = mockOpensshPublicKey(algorithm, name);
    return {
      publicKeyOpenssh,
      privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nmock-private-key-${hex(32, name)}\n-----END OPENSSH PRIVATE KEY-----\n`,
      privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-private-key-pem-${hex(32, name)}\n-----END PRIVATE KEY-----\n`,
      publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${hex(32, "pub", name)}\n-----END PUBLIC KEY-----\n`,
      publicKeyFingerprintSha256: sha256Fingerprint(publicKeyOpenssh),
      publicKeyFingerprintMd5: hex(32, "md5", name).replace(/(..)(?!$)/g, "$1:"),
    };
  },
  // Once pulled, `imageId` is the image's `sha256:` ID and `repoDigest` its registry digest
  // (kreuzwerker/terraform-provider-docker resource_docker_remote_image_funcs.go: `d.Set("image_id", foundImage.ID)`).
  // Written with the letters a-f only: still well-formed hex, and no short numeric secret (a port kept
  // as a SecureString) can turn up inside one by chance and fail the tests' leak checks.
  "docker:index/remoteImage:RemoteImage": (name, inputs) => ({
    imageId: `sha256:${letterHex(64, "image", name)}`,
    repoDigest: `${String(inputs.name ?? "").split(":")[0]}@sha256:${letterHex(64, "digest", name)}`,
  }),
  "docker:index/container:Container": () => ({}),
  "docker:index/network:Network": () => ({}),
  "docker:index/volume:Volume": () => ({}),
  "command:remote:Command": () => ({ stdout: "", stderr: "" }),
  "command:local:Command": () => ({ stdout: "", stderr: "" }),
};

/** Attributes most AWS resources compute: an ARN, and the name when the program left it to the provider. */
function awsComputed(type: string, name: string, inputs: State): State {
  const state: State = { arn: mockArn(type, name) };
  if (inputs.name === undefined && inputs.namePrefix === undefined) state.name = `${name}-${hex(7, type, name)}`;
  return state;
}

export function mockNumericId(name: string): string {
  return String(100000000 + (digest("id", name).readUInt32BE(0) % 800000000));
}

function mockUuid(name: string): string {
  const h = hex(32, "uuid", name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Extra computed attributes for AWS resources tests rely on. Keyed by type token. */
const AWS_COMPUTED: Record<string, (name: string, inputs: State) => State> = {
  "aws:lb/loadBalancer:LoadBalancer": (name) => ({ arnSuffix: `app/${name}/${hex(16, name)}`, dnsName: `${name}-${hex(8, name)}.${MOCK_AWS_REGION}.elb.amazonaws.com`, zoneId: "Z215JYRZR1TBD5" }),
  "aws:rds/instance:Instance": (name) => ({
    identifier: name,
    address: `${name}.${hex(12, name)}.${MOCK_AWS_REGION}.rds.amazonaws.com`,
    endpoint: `${name}.${hex(12, name)}.${MOCK_AWS_REGION}.rds.amazonaws.com:5432`,
    port: 5432,
  }),
  "aws:ecr/repository:Repository": (name, inputs) => ({
    repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${MOCK_AWS_REGION}.amazonaws.com/${String(inputs.name ?? name)}`,
  }),
  "aws:ec2/vpc:Vpc": () => ({ defaultSecurityGroupId: "sg-default" }),
  "aws:acm/certificate:Certificate": (_name, inputs) => ({
    domainValidationOptions: [inputs.domainName, ...(Array.isArray(inputs.subjectAlternativeNames) ? inputs.subjectAlternativeNames : [])].map(
      (domainName) => ({
        domainName,
        resourceRecordName: `_${hex(16, String(domainName))}.${String(domainName)}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${hex(16, "v", String(domainName))}.acm-validations.aws.`,
      }),
    ),
  }),
  "aws:route53/zone:Zone": (name) => ({ zoneId: `Z${hex(12, name).toUpperCase()}`, nameServers: ["ns-1.awsdns-00.org"] }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
  "aws:sns/topic:Topic": () => ({}),
  "aws:ebs/volume:Volume": () => ({}),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: String(inputs.name) }),
  "aws:lb/targetGroup:TargetGroup": (name) => ({ arnSuffix: `targetgroup/${name}/${hex(16, "tg", name)}` }),
  "aws:ec2/eip:Eip": (name) => ({ publicIp: mockPublicIp("eip", name), allocationId: `eipalloc-${hex(17, "eip", name)}` }),
  "aws:autoscaling/group:Group": (name) => ({
    arn: `arn:aws:autoscaling:${MOCK_AWS_REGION}:${MOCK_ACCOUNT_ID}:autoScalingGroup:${mockUuid(name)}:autoScalingGroupName/${name}`,
  }),
};

/** Answers to provider functions (data sources), keyed by token. */
const CALLS: Record<string, (inputs: State) => State> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: [`${MOCK_AWS_REGION}a`, `${MOCK_AWS_REGION}b`, `${MOCK_AWS_REGION}c`],
    zoneIds: ["euc1-az2", "euc1-az3", "euc1-az1"],
    state: "available",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`, userId: "AIDAMOCK" }),
  "aws:index/getRegion:getRegion": () => ({ name: MOCK_AWS_REGION, region: MOCK_AWS_REGION, id: MOCK_AWS_REGION }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "aws:ec2/getAmi:getAmi": (inputs) => ({ id: `ami-${hex(17, JSON.stringify(inputs))}`, imageId: `ami-${hex(17, JSON.stringify(inputs))}` }),
  "aws:ssm/getParameter:getParameter": (inputs) => ({
    name: inputs.name,
    type: "String",
    value: `ami-${hex(17, String(inputs.name))}`,
    insecureValue: `ami-${hex(17, String(inputs.name))}`,
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => ({ json: JSON.stringify(policyDocument(inputs)) }),
  "aws:elb/getServiceAccount:getServiceAccount": () => ({ arn: "arn:aws:iam::054676820928:root", id: "054676820928" }),
  "aws:ec2/getVpc:getVpc": () => ({ id: "vpc-0default0000000", cidrBlock: "172.31.0.0/16", default: true }),
  "aws:ec2/getSubnet:getSubnet": (inputs) => ({
    id: `subnet-${hex(17, "subnet", String(inputs.availabilityZone))}`,
    availabilityZone: inputs.availabilityZone,
    vpcId: inputs.vpcId,
    defaultForAz: true,
  }),
  "aws:route53/getZone:getZone": (inputs) => ({ zoneId: `Z${hex(12, String(inputs.name)).toUpperCase()}`, name: inputs.name }),
  "digitalocean:index/getDomain:getDomain": (inputs) => ({ name: inputs.name, urn: `do:domain:${String(inputs.name)}`, ttl: 1800 }),
};

/** Renders `aws.iam.getPolicyDocument` arguments as IAM JSON, so tests can read policies as AWS would. */
function policyDocument(inputs: State): unknown {
  const statements = Array.isArray(inputs.statements) ? (inputs.statements as State[]) : [];
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => {
      const out: State = { Effect: s.effect ?? "Allow" };
      if (s.sid) out.Sid = s.sid;
      if (s.actions) out.Action = s.actions;
      if (s.resources) out.Resource = s.resources;
      if (Array.isArray(s.principals)) {
        out.Principal = Object.fromEntries((s.principals as State[]).map((p) => [p.type, p.identifiers]));
      }
      if (Array.isArray(s.conditions)) {
        const condition: Record<string, State> = {};
        for (const c of s.conditions as State[]) {
          const test = String(c.test);
          condition[test] = { ...(condition[test] ?? {}), [String(c.variable)]: c.values };
        }
        out.Condition = condition;
      }
      return out;
    }),
  };
}

/** Resources whose ID the provider issues as a number (DigitalOcean droplets). */
const NUMERIC_IDS = new Set(["digitalocean:index/droplet:Droplet", "digitalocean:index/sshKey:SshKey"]);

/**
 * Builds the mocks. `secretOutputs(type, name)` names the output properties the engine would mark
 * secret (the resource's `additionalSecretOutputs` plus outputs of secret inputs): mocks do not do
 * this themselves, so without it a generated password would render unmasked.
 */
export function createMocks(
  secretOutputs: (type: string, name: string) => Promise<ReadonlySet<string>>,
  wrapSecret: (value: unknown) => unknown,
): pulumi.runtime.Mocks {
  return {
    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: State }> {
      const inputs: State = args.inputs ?? {};
      const computed = COMPUTED[args.type]?.(args.name, inputs) ?? {};
      const aws = args.type.startsWith("aws:") ? { ...awsComputed(args.type, args.name, inputs), ...(AWS_COMPUTED[args.type]?.(args.name, inputs) ?? {}) } : {};
      const state: State = { ...inputs, ...aws, ...computed };
      for (const key of await secretOutputs(args.type, args.name)) {
        if (key in state) state[key] = wrapSecret(state[key]);
      }
      const id = NUMERIC_IDS.has(args.type) ? mockNumericId(args.name) : `${args.name}-${hex(8, args.type, args.name)}`;
      return { id, state: { ...state, id } };
    },
    call(args: pulumi.runtime.MockCallArgs): State {
      const answer = CALLS[args.token];
      if (!answer) {
        throw new Error(`the render harness has no mock for provider function ${args.token}: add one to tools/render/mocks.ts`);
      }
      return answer(args.inputs ?? {});
    },
  };
}
