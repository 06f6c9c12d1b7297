/**
 * Each policy on a compliant baseline, then one changed property per failing case: pure, no mocks.
 * Runs through evaluatePolicies, the same entry the offline plan uses.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePolicies, type RenderedResourceLike, type RenderedStackLike } from "../../policies/evaluate";
import { POLICIES } from "../../policies/rules";
import { floatingTag, hasUrlCredentials, looksSecret, imageTag } from "../../policies/rules/containers";
import { actionMatches } from "../../policies/rules/iam";
import { isInternetWide, parsePortRange } from "../../policies/rules/network";

type Inputs = Record<string, unknown>;

function res(type: string, name: string, inputs: Inputs, options: Partial<RenderedResourceLike["options"]> = {}): RenderedResourceLike {
  return { urn: `urn:pulumi:production::platform::${type}::${name}`, type, name, inputs, options: { protect: false, retainOnDelete: false, ...options } };
}

function stackOf(resources: RenderedResourceLike[], outputs: Record<string, unknown> = {}, stack = "production"): RenderedStackLike {
  return { stack, resources, outputs };
}

/** Violations of one policy only. */
function violationsOf(policy: string, stack: RenderedStackLike) {
  return evaluatePolicies(stack).filter((v) => v.policy === policy);
}

const TAGS = { app: "aquamark", stack: "production" };

interface Case {
  policy: string;
  /** Resources of the compliant stack; the first one is the subject the cases change. */
  baseline: () => RenderedResourceLike[];
  outputs?: Record<string, unknown>;
  failing: Record<string, (subject: RenderedResourceLike) => void>;
}

const CASES: Case[] = [
  {
    policy: "rds-not-public",
    baseline: () => [res("aws:rds/instance:Instance", "db", { publiclyAccessible: false, tags: TAGS })],
    failing: { "publiclyAccessible true": (r) => void (r.inputs.publiclyAccessible = true) },
  },
  {
    policy: "rds-storage-encrypted",
    baseline: () => [res("aws:rds/instance:Instance", "db", { storageEncrypted: true, tags: TAGS })],
    failing: {
      "storageEncrypted false": (r) => void (r.inputs.storageEncrypted = false),
      "storageEncrypted unset": (r) => void delete r.inputs.storageEncrypted,
    },
  },
  {
    policy: "rds-backup-retention",
    baseline: () => [res("aws:rds/instance:Instance", "db", { backupRetentionPeriod: 7, tags: TAGS })],
    failing: {
      "6 days": (r) => void (r.inputs.backupRetentionPeriod = 6),
      "unset (AWS default 1 day)": (r) => void delete r.inputs.backupRetentionPeriod,
    },
  },
  {
    policy: "rds-deletion-protection",
    baseline: () => [res("aws:rds/instance:Instance", "db", { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final", tags: TAGS })],
    failing: {
      "deletionProtection false": (r) => void (r.inputs.deletionProtection = false),
      "skipFinalSnapshot true": (r) => void (r.inputs.skipFinalSnapshot = true),
      "no finalSnapshotIdentifier": (r) => void delete r.inputs.finalSnapshotIdentifier,
    },
  },
  {
    policy: "ebs-encrypted",
    baseline: () => [
      res("aws:ebs/volume:Volume", "data", { encrypted: true, tags: TAGS }, { protect: true, retainOnDelete: true }),
      res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }], tags: TAGS }),
    ],
    failing: {
      "volume encrypted false": (r) => void (r.inputs.encrypted = false),
      "volume encrypted unset": (r) => void delete r.inputs.encrypted,
      "launch template device unencrypted": (r) => {
        r.type = "aws:ec2/launchTemplate:LaunchTemplate";
        r.inputs = { blockDeviceMappings: [{ ebs: { encrypted: "false" } }], tags: TAGS };
      },
    },
  },
  {
    policy: "stateful-protected-in-production",
    baseline: () => [res("digitalocean:index/volume:Volume", "db-data", { size: 10 }, { protect: true, retainOnDelete: true })],
    failing: {
      "protect false": (r) => void (r.options.protect = false),
      "retainOnDelete false": (r) => void (r.options.retainOnDelete = false),
      "a docker volume unprotected": (r) => {
        r.type = "docker:index/volume:Volume";
        r.options.protect = false;
      },
    },
  },
  {
    policy: "sensitive-ports-not-open-to-world",
    baseline: () => [
      res("digitalocean:index/firewall:Firewall", "fw", {
        inboundRules: [
          { protocol: "tcp", portRange: "22", sourceAddresses: ["198.51.100.0/24"] },
          { protocol: "tcp", portRange: "443", sourceAddresses: ["0.0.0.0/0", "::/0"] },
          { protocol: "tcp", portRange: "5432", sourceTags: ["app"] },
          { protocol: "icmp", sourceAddresses: ["0.0.0.0/0"] },
        ],
      }),
      res("aws:ec2/securityGroup:SecurityGroup", "sg", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }], tags: TAGS }),
    ],
    failing: {
      "DO ssh from anywhere": (r) => void (asRules(r)[0].sourceAddresses = ["0.0.0.0/0"]),
      "DO ssh from ::/0": (r) => void (asRules(r)[0].sourceAddresses = ["::/0"]),
      "DO ssh from two /1 halves of the internet": (r) => void (asRules(r)[0].sourceAddresses = ["0.0.0.0/1", "128.0.0.0/1"]),
      "DO all tcp ports 1-65535 to the world": (r) => void (asRules(r)[1].portRange = "1-65535"),
      "DO range covering 6379 to the world": (r) => void (asRules(r)[1].portRange = "6000-7000"),
      "SG ingress postgres from the world": (r) => {
        r.type = "aws:ec2/securityGroup:SecurityGroup";
        r.inputs = { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }], tags: TAGS };
      },
      "SG ingress all protocols from ::/0": (r) => {
        r.type = "aws:ec2/securityGroup:SecurityGroup";
        r.inputs = { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }], tags: TAGS };
      },
      "SecurityGroupRule ingress 5984": (r) => {
        r.type = "aws:ec2/securityGroupRule:SecurityGroupRule";
        r.inputs = { type: "ingress", protocol: "tcp", fromPort: 5984, toPort: 5984, cidrBlocks: ["0.0.0.0/0"] };
      },
      "vpc SecurityGroupIngressRule 15672": (r) => {
        r.type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
        r.inputs = { ipProtocol: "tcp", fromPort: 15672, toPort: 15672, cidrIpv4: "0.0.0.0/0", tags: TAGS };
      },
    },
  },
  {
    policy: "lb-http-redirects-to-https",
    baseline: () => [
      res("aws:lb/listener:Listener", "http", {
        protocol: "HTTP",
        port: 80,
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        tags: TAGS,
      }),
      res("digitalocean:index/loadBalancer:LoadBalancer", "lb", {
        redirectHttpToHttps: true,
        forwardingRules: [
          { entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 80 },
          { entryProtocol: "https", entryPort: 443, targetProtocol: "http", targetPort: 80, certificateName: "c" },
        ],
      }),
    ],
    failing: {
      "HTTP listener forwards": (r) => void (r.inputs.defaultActions = [{ type: "forward", targetGroupArn: "arn:tg" }]),
      "HTTP listener redirects to HTTP": (r) => void (r.inputs.defaultActions = [{ type: "redirect", redirect: { protocol: "HTTP", statusCode: "HTTP_301" } }]),
      "protocol unset (AWS default HTTP) and forwards": (r) => {
        delete r.inputs.protocol;
        r.inputs.defaultActions = [{ type: "forward", targetGroupArn: "arn:tg" }];
      },
      "DO load balancer without redirectHttpToHttps": (r) => {
        r.type = "digitalocean:index/loadBalancer:LoadBalancer";
        r.inputs = { forwardingRules: [{ entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 80 }] };
      },
    },
  },
  {
    policy: "lb-https-tls12",
    baseline: () => [
      res("aws:lb/listener:Listener", "https", {
        protocol: "HTTPS",
        port: 443,
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:cert",
        defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
        tags: TAGS,
      }),
    ],
    failing: {
      "sslPolicy 2016-08": (r) => void (r.inputs.sslPolicy = "ELBSecurityPolicy-2016-08"),
      "sslPolicy unset (provider default 2016-08)": (r) => void delete r.inputs.sslPolicy,
      "sslPolicy TLS-1-1": (r) => void (r.inputs.sslPolicy = "ELBSecurityPolicy-TLS-1-1-2017-01"),
    },
  },
  {
    policy: "bucket-public-access-blocked",
    baseline: () => [
      res("aws:s3/bucket:Bucket", "media", { tags: TAGS }, { protect: true, retainOnDelete: true }),
      res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "media-public-access", {
        bucket: "media-0123abcd",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      res("digitalocean:index/spacesBucket:SpacesBucket", "dumps", { acl: "private", region: "ams3" }, { protect: true, retainOnDelete: true }),
    ],
    failing: {
      "S3 bucket without a public access block": (r) => void (r.name = "other"),
      "S3 bucket with a public-read acl": (r) => void (r.inputs.acl = "public-read"),
      "Spaces bucket public-read": (r) => {
        r.type = "digitalocean:index/spacesBucket:SpacesBucket";
        r.inputs = { acl: "public-read" };
      },
    },
  },
  {
    policy: "backup-bucket-retention",
    baseline: () => [
      res(
        "digitalocean:index/spacesBucket:SpacesBucket",
        "nmpi-backups",
        { acl: "private", lifecycleRules: [{ enabled: true, prefix: "backup/", expiration: { days: 30 } }] },
        { protect: true, retainOnDelete: true },
      ),
    ],
    failing: {
      "no lifecycle rule": (r) => void delete r.inputs.lifecycleRules,
      "rule disabled": (r) => void (r.inputs.lifecycleRules = [{ enabled: false, expiration: { days: 30 } }]),
      "rule without expiration": (r) => void (r.inputs.lifecycleRules = [{ enabled: true, abortIncompleteMultipartUploadDays: 1 }]),
      "S3 backup bucket without lifecycle configuration": (r) => {
        r.type = "aws:s3/bucket:Bucket";
        r.inputs = { bucket: "topobank-backup", tags: TAGS };
      },
    },
  },
  {
    policy: "container-image-pinned",
    baseline: () => [
      res("docker:index/remoteImage:RemoteImage", "web-image", { name: "ghcr.io/org/web:1.4.2" }),
      res("docker:index/container:Container", "web", { image: "sha256:0123", envs: [] }),
      res("aws:ecs/taskDefinition:TaskDefinition", "td", { containerDefinitions: JSON.stringify([{ name: "app", image: "registry:5000/app@sha256:abc" }]), tags: TAGS }),
    ],
    failing: {
      "latest tag": (r) => void (r.inputs.name = "ghcr.io/org/web:latest"),
      "no tag": (r) => void (r.inputs.name = "ghcr.io/org/web"),
      "no tag behind a registry port": (r) => void (r.inputs.name = "registry:5000/org/web"),
      "floating major tag (security review L2)": (r) => void (r.inputs.name = "eeshugerman/postgres-backup-s3:16"),
      "major tag with a variant": (r) => void (r.inputs.name = "postgres:16-bookworm"),
      "release channel": (r) => void (r.inputs.name = "nginx:stable"),
      "latest with a variant": (r) => void (r.inputs.name = "node:latest-alpine"),
      "ECS container on latest": (r) => {
        r.type = "aws:ecs/taskDefinition:TaskDefinition";
        r.inputs = { containerDefinitions: JSON.stringify([{ name: "app", image: "couchdb:latest" }]), tags: TAGS };
      },
    },
  },
  {
    policy: "container-env-no-plaintext-secrets",
    baseline: () => [
      res("docker:index/container:Container", "web", { image: "web:1", envs: ["DEBUG=0", "DB_PASSWORD=[secret]", "[secret]", "SECRETS_S3_BUCKET=my-bucket"] }),
      res("aws:ecs/taskDefinition:TaskDefinition", "td", {
        containerDefinitions: JSON.stringify([{ name: "app", image: "app:1", environment: [{ name: "API_TOKEN", value: "[secret]" }, { name: "PORT", value: "80" }] }]),
        tags: TAGS,
      }),
    ],
    failing: {
      "plaintext password": (r) => void (r.inputs.envs = ["DB_PASSWORD=hunter2"]),
      "plaintext DJANGO_SECRET_KEY": (r) => void (r.inputs.envs = ["DJANGO_SECRET_KEY=abc"]),
      "plaintext *_KEY": (r) => void (r.inputs.envs = ["STRIPE_KEY=sk_live"]),
      "ECS plaintext token": (r) => {
        r.type = "aws:ecs/taskDefinition:TaskDefinition";
        r.inputs = { containerDefinitions: JSON.stringify([{ name: "app", image: "app:1", environment: [{ name: "API_TOKEN", value: "t0k3n" }] }]), tags: TAGS };
      },
      "plaintext RABBITMQ_DEFAULT_PASS": (r) => void (r.inputs.envs = ["RABBITMQ_DEFAULT_PASS=guest2"]),
      "plaintext PASSPHRASE": (r) => void (r.inputs.envs = ["PASSPHRASE=correct horse"]),
      "DATABASE_URL with a password": (r) => void (r.inputs.envs = ["DATABASE_URL=postgres://app:hunter2@db:5432/app"]),
      "CELERY_BROKER_URL with a password": (r) => void (r.inputs.envs = ["CELERY_BROKER_URL=amqp://u:p@rabbitmq:5672//"]),
      "ECS DJANGO_EMAIL_URL with a password": (r) => {
        r.type = "aws:ecs/taskDefinition:TaskDefinition";
        r.inputs = { containerDefinitions: JSON.stringify([{ name: "app", image: "app:1", environment: [{ name: "DJANGO_EMAIL_URL", value: "smtp+tls://me:pw@mail:587" }] }]), tags: TAGS };
      },
    },
  },
  {
    policy: "container-not-privileged",
    baseline: () => [
      res("docker:index/container:Container", "web", {
        image: "web:1",
        volumes: [{ hostPath: "/srv/letsencrypt", containerPath: "/etc/letsencrypt" }],
        capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] },
        networkMode: "bridge",
      }),
      res("aws:ecs/taskDefinition:TaskDefinition", "td", {
        containerDefinitions: JSON.stringify([{ name: "couchdb", image: "couchdb:3", mountPoints: [{ sourceVolume: "data", containerPath: "/opt/couchdb/data" }] }]),
        volumes: [{ name: "data", hostPath: "/mnt/data/couchdb" }],
        tags: TAGS,
      }),
    ],
    failing: {
      "privileged": (r) => void (r.inputs.privileged = true),
      "Docker socket mounted": (r) => void (r.inputs.volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }]),
      "/run mounted (holds the socket)": (r) => void (r.inputs.volumes = [{ hostPath: "/run/", containerPath: "/host-run" }]),
      "socket as a bind mount": (r) => void (r.inputs.mounts = [{ type: "bind", source: "/run/docker.sock", target: "/docker.sock" }]),
      "host network": (r) => void (r.inputs.networkMode = "host"),
      "host PID namespace": (r) => void (r.inputs.pidMode = "host"),
      "SYS_ADMIN added": (r) => void (r.inputs.capabilities = { adds: ["CAP_SYS_ADMIN"] }),
      "ECS privileged container": (r) => {
        r.type = "aws:ecs/taskDefinition:TaskDefinition";
        r.inputs = { containerDefinitions: JSON.stringify([{ name: "app", image: "app:1", privileged: true }]), tags: TAGS };
      },
      "ECS task mounting the socket": (r) => {
        r.type = "aws:ecs/taskDefinition:TaskDefinition";
        r.inputs = { containerDefinitions: JSON.stringify([{ name: "app", image: "app:1" }]), volumes: [{ name: "docker", hostPath: "/var/run/docker.sock" }], tags: TAGS };
      },
    },
  },
  {
    policy: "iam-no-wildcard-on-sensitive-actions",
    baseline: () => [
      res("aws:iam/rolePolicy:RolePolicy", "fleet", {
        role: "fleet",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["ssm:UpdateInstanceInformation", "ssmmessages:OpenDataChannel"], Resource: "*" },
            { Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: ["arn:aws:ssm:eu-central-1:111122223333:parameter/aquamark/production/env"] },
            { Effect: "Allow", Action: ["ec2:DescribeVolumes"], Resource: "*" },
            { Effect: "Deny", Action: "*", Resource: "*" },
          ],
        }),
      }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ecs", { role: "host", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role" }),
      res("aws:iam/role:Role", "task", { assumeRolePolicy: "{}", inlinePolicies: [], managedPolicyArns: [] }),
    ],
    failing: {
      "AmazonSSMManagedInstanceCore attached (M7)": (r) => {
        r.type = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
        r.inputs = { role: "fleet", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" };
      },
      "ssm:GetParameter on *": (r) => void (r.inputs.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: "*" }] })),
      "ssm:Get* on the own path (wildcard action)": (r) =>
        void (r.inputs.policy = JSON.stringify({ Statement: { Effect: "Allow", Action: "ssm:Get*", Resource: "arn:aws:ssm:eu-central-1:1:parameter/aquamark/*" } })),
      "Action *": (r) => void (r.inputs.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b/*" }] })),
      "iam:PassRole on *": (r) => void (r.inputs.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] }] })),
      "Allow with NotAction": (r) => void (r.inputs.policy = JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] })),
      "role with an inline secretsmanager:* policy": (r) => {
        r.type = "aws:iam/role:Role";
        r.inputs = { inlinePolicies: [{ name: "x", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "secretsmanager:*", Resource: "arn:aws:secretsmanager:*:*:secret:*" }] }) }] };
      },
      "role with AdministratorAccess": (r) => {
        r.type = "aws:iam/role:Role";
        r.inputs = { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] };
      },
    },
  },
  {
    policy: "ec2-imdsv2-required",
    baseline: () => [
      res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }, tags: TAGS }),
      res("aws:ec2/instance:Instance", "off", { metadataOptions: { httpEndpoint: "disabled" }, tags: TAGS }),
    ],
    failing: {
      "httpTokens optional (IMDSv1)": (r) => void (r.inputs.metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional" }),
      "no metadataOptions (the AMI default may allow IMDSv1)": (r) => void delete r.inputs.metadataOptions,
      "instance without IMDSv2": (r) => {
        r.type = "aws:ec2/instance:Instance";
        r.inputs = { tags: TAGS };
      },
    },
  },
  {
    policy: "aws-required-tags",
    baseline: () => [
      res("aws:autoscaling/group:Group", "aquamark-blue-asg", { minSize: 1, maxSize: 2, tags: [{ key: "app", value: "aquamark", propagateAtLaunch: true }, { key: "stack", value: "production", propagateAtLaunch: true }, { key: "colour", value: "blue", propagateAtLaunch: true }] }),
      res("aws:sns/topic:Topic", "aquamark-alerts", {}, { provider: "urn:pulumi:production::platform::pulumi:providers:aws::aws-eu" }),
      res("pulumi:providers:aws", "aws-eu", { region: "eu-central-1", defaultTags: { tags: TAGS } }),
    ],
    failing: {
      "no tags at all": (r) => {
        r.type = "aws:sns/topic:Topic";
        r.inputs = {};
      },
      "stack tag missing": (r) => {
        r.type = "aws:sns/topic:Topic";
        r.inputs = { tags: { app: "aquamark" } };
      },
      "stack tag names another stack": (r) => {
        r.type = "aws:sns/topic:Topic";
        r.inputs = { tags: { app: "aquamark", stack: "staging" } };
      },
      "colour resource without colour tag": (r) => void (r.inputs.tags = [{ key: "app", value: "aquamark" }, { key: "stack", value: "production" }]),
    },
  },
  {
    policy: "live-colour-has-capacity",
    baseline: () => [
      res("aws:autoscaling/group:Group", "aquamark-blue-asg", { minSize: 1, desiredCapacity: 2, tags: [{ key: "app", value: "aquamark" }, { key: "stack", value: "production" }, { key: "colour", value: "blue" }] }),
      res("aws:autoscaling/group:Group", "aquamark-green-asg", { minSize: 0, desiredCapacity: 0, tags: [{ key: "app", value: "aquamark" }, { key: "stack", value: "production" }, { key: "colour", value: "green" }] }),
      res("digitalocean:index/droplet:Droplet", "nmpi-green", { size: "s-1vcpu-2gb" }),
    ],
    outputs: { aquamark: { liveColour: "blue" }, nmpi: { liveColour: "green" } },
    failing: {
      "live ASG scaled to zero": (r) => void (r.inputs.desiredCapacity = 0),
      "live colour has no compute": (r) => void (r.inputs.tags = [{ key: "app", value: "aquamark" }, { key: "colour", value: "green" }]),
    },
  },
];

function asRules(r: RenderedResourceLike): Record<string, unknown>[] {
  return r.inputs.inboundRules as Record<string, unknown>[];
}

test("every policy of the pack has a table of cases here", () => {
  assert.deepEqual(new Set(CASES.map((c) => c.policy)), new Set(POLICIES.map((p) => p.name)));
});

for (const c of CASES) {
  test(`${c.policy}: the compliant baseline has no violation`, () => {
    assert.deepEqual(violationsOf(c.policy, stackOf(c.baseline(), c.outputs)), []);
  });
  for (const [label, change] of Object.entries(c.failing)) {
    test(`${c.policy}: ${label} is a mandatory violation naming the resource`, () => {
      const resources = c.baseline();
      change(resources[0]);
      const violations = violationsOf(c.policy, stackOf(resources, c.outputs));
      assert.ok(violations.length > 0, `expected a ${c.policy} violation`);
      for (const v of violations) {
        assert.equal(v.level, "mandatory");
        assert.ok(v.message.length > 0 && v.fix.length > 0);
      }
      if (c.policy !== "live-colour-has-capacity" || label !== "live colour has no compute") {
        assert.ok(violations.some((v) => v.resource?.name === resources[0].name), `names ${resources[0].name}`);
      }
    });
  }
}

test("production-only policies do not apply to a staging stack", () => {
  const db = res("aws:rds/instance:Instance", "db", { storageEncrypted: true, backupRetentionPeriod: 7, tags: { app: "a", stack: "staging" } });
  const vol = res("docker:index/volume:Volume", "v", {});
  const img = res("docker:index/remoteImage:RemoteImage", "i", { name: "web:latest" });
  assert.deepEqual(evaluatePolicies(stackOf([db, vol, img], {}, "staging")), []);
  assert.deepEqual(
    new Set(evaluatePolicies(stackOf([db, vol, img], {}, "staging"), undefined, { production: true }).map((v) => v.policy)),
    new Set(["rds-deletion-protection", "stateful-protected-in-production", "container-image-pinned"]),
  );
});

test("levels override a policy's default: advisory is reported as advisory, disabled is not reported", () => {
  const sg = res("digitalocean:index/firewall:Firewall", "fw", { inboundRules: [{ protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"] }] });
  assert.equal(evaluatePolicies(stackOf([sg]), { "sensitive-ports-not-open-to-world": "advisory" })[0]?.level, "advisory");
  assert.deepEqual(evaluatePolicies(stackOf([sg]), { "sensitive-ports-not-open-to-world": "disabled" }), []);
  assert.throws(() => evaluatePolicies(stackOf([sg]), { "no-such-policy": "advisory" }), /unknown policy name/);
});

test("port ranges and internet-wide networks are read as the providers mean them", () => {
  assert.deepEqual(parsePortRange("22"), { from: 22, to: 22 });
  assert.deepEqual(parsePortRange("1-65535"), { from: 1, to: 65535 });
  assert.deepEqual(parsePortRange("all"), { from: 0, to: 65535 });
  assert.equal(isInternetWide("0.0.0.0/0"), true);
  assert.equal(isInternetWide("128.0.0.0/1"), true);
  assert.equal(isInternetWide("10.0.0.0/8"), false);
  assert.equal(isInternetWide("fc00::/7"), false);
  assert.equal(isInternetWide("198.51.100.0/24"), false);
});

test("image tags and secret-looking names follow the stated patterns", () => {
  assert.equal(imageTag("registry:5000/org/web"), "");
  assert.equal(imageTag("org/web:1.2"), "1.2");
  assert.equal(imageTag("org/web@sha256:abc"), undefined);
  for (const tag of ["16", "v3", "3-alpine", "16-bookworm", "stable", "alpine", "latest-alpine", "3.13-latest"]) assert.notEqual(floatingTag(tag), undefined, tag);
  // One release each: every tag the production stack runs today has this shape (postgres 16.6, certbot v3.0.1,
  // a built image's <ref>-<content hash>, an ECR commit tag).
  for (const tag of ["16.6-bookworm", "v3.0.1", "1.27.3-alpine", "3.13.7-management-alpine", "b5da88dd32d0-8875f7585b1c", "f08acef3484ca11fe6062dbd5c380d6df7c04ccd", "0.16.2-22e58b52f9c2", "3.19"]) {
    assert.equal(floatingTag(tag), undefined, tag);
  }
  for (const name of ["DB_PASSWORD", "DJANGO_SECRET_KEY", "API_TOKEN", "STRIPE_KEY", "secret", "RABBITMQ_DEFAULT_PASS", "PASSPHRASE", "BACKUP_PASSPHRASE", "DB_PASSWD", "DB_PWD", "GOOGLE_CREDENTIALS"]) {
    assert.equal(looksSecret(name), true, name);
  }
  for (const name of ["SECRETS_S3_BUCKET", "SECRETS_S3_KEY", "TOKEN_URL", "DEBUG", "KEYCLOAK_HOST", "PASSENGER_COUNT", "PASSWORD_FILE", "DATABASE_URL", "BYPASS"]) {
    assert.equal(looksSecret(name), false, name);
  }
  for (const v of ["postgres://u:p@db/x", "amqp://guest:guest@rabbitmq:5672//", "smtp+tls://me%40x.org:pw@mail:587", "redis://:pw@redis:6379/0"]) assert.equal(hasUrlCredentials(v), true, v);
  for (const v of ["postgres://db/x", "https://example.org/a:b@c", "http://couchdb:5984", "redis://redis:6379/0", "u:p@host"]) assert.equal(hasUrlCredentials(v), false, v);
});

test("IAM action wildcards match as IAM does: case-insensitive, * and ?", () => {
  assert.equal(actionMatches("ssm:Get*", "ssm:GetParameter"), true);
  assert.equal(actionMatches("SSM:getparameter?", "ssm:GetParameters"), true);
  assert.equal(actionMatches("*", "kms:Decrypt"), true);
  assert.equal(actionMatches("ssm:Describe*", "ssm:GetParameter"), false);
  assert.equal(actionMatches("s3:Get*", "s3:PutObject"), false);
});
