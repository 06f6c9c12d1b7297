import assert from "node:assert/strict";
import { test } from "node:test";
import { validateAlarmsArgs } from "../../../components/aws/alarms";
import { colourWeights, validateColourLoadBalancerArgs, type ColourLoadBalancerArgs } from "../../../components/aws/colour-load-balancer";
import { type FleetArgs, validateFleetArgs } from "../../../components/aws/fleet";
import { planSubnets, validateNetworkArgs } from "../../../components/aws/network";
import { validateParameterSetArgs } from "../../../components/aws/parameter-set";
import { validateGitImageBuildArgs } from "../../../components/aws/git-image-build";
import { parameterGroupFamily, type PostgresArgs, validatePostgresArgs } from "../../../components/aws/postgres";

test("Network: subnets of a /16 do not overlap, public /24s and private /20s; bad arguments are named", () => {
  assert.deepEqual(planSubnets("10.20.0.0/16", 2), { publicCidrs: ["10.20.0.0/24", "10.20.1.0/24"], privateCidrs: ["10.20.16.0/20", "10.20.32.0/20"] });
  assert.doesNotThrow(() => validateNetworkArgs("n", {}));
  assert.throws(() => validateNetworkArgs("n", { cidr: "10.20.0.0/24" }), /n: args\.cidr/);
  assert.throws(() => validateNetworkArgs("n", { zoneCount: 1 }), /args\.zoneCount/);
});

const FLEET: FleetArgs = { vpcId: "vpc", subnetIds: ["s"], instanceType: "t3.small", imageId: "ami-0123456789abcdef0", userData: "", minSize: 0, maxSize: 2, desiredCapacity: 1, logGroupName: "/x/y" };
test("Fleet: sizes must be ordered, the image an AMI or SSM reference, subnets given", () => {
  assert.doesNotThrow(() => validateFleetArgs("f", FLEET));
  assert.doesNotThrow(() => validateFleetArgs("f", { ...FLEET, imageId: "resolve:ssm:/aws/service/x" }));
  const cases: [Partial<FleetArgs>, string][] = [
    [{ desiredCapacity: 3 }, "desiredCapacity"],
    [{ minSize: 3 }, "maxSize"],
    [{ subnetIds: [] }, "subnetIds"],
    [{ imageId: "ubuntu" }, "imageId"],
    [{ targetCpuPercent: 0 }, "targetCpuPercent"],
    [{ ingress: [{ port: 0, fromSecurityGroupId: "sg", description: "x" }] }, "ingress[0].port"],
  ];
  for (const [bad, arg] of cases) {
    assert.throws(() => validateFleetArgs("f", { ...FLEET, ...bad }), new RegExp(`f: .*args\\.${arg.replace(/[[\]]/g, "\\$&")}`));
  }
});

const PG: PostgresArgs = { vpcId: "v", subnetIds: ["a", "b"], engineVersion: "16", instanceClass: "db.t4g.medium", storageGiB: 100, appRole: { name: "app_role" } };
test("Postgres: version, class, storage, retention and names are checked", () => {
  assert.doesNotThrow(() => validatePostgresArgs("p", PG));
  assert.throws(() => validatePostgresArgs("p", { ...PG, storageGiB: 10 }), /args\.storageGiB/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, maxStorageGiB: 100 }), /args\.maxStorageGiB/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, backupRetentionDays: 0 }), /args\.backupRetentionDays/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, username: "rdsadmin" }), /args\.username/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, instanceClass: "t3.small" }), /args\.instanceClass/);
});

const LB: ColourLoadBalancerArgs = { vpcId: "v", vpcCidr: "10.0.0.0/16", subnetIds: ["a", "b"], domain: "app.example.org", zoneId: "Z1", live: "blue" };
test("ColourLoadBalancer: the live colour gets what the canary leaves; bad canary, TLS policy and subnets are refused", () => {
  assert.deepEqual(colourWeights("blue", 0), { blue: 100, green: 0 });
  assert.deepEqual(colourWeights("green", 25), { green: 75, blue: 25 });
  assert.doesNotThrow(() => validateColourLoadBalancerArgs("lb", { ...LB, canaryPercent: 100 }));
  assert.throws(() => validateColourLoadBalancerArgs("lb", { ...LB, canaryPercent: 101 }), /args\.canaryPercent/);
  assert.throws(() => validateColourLoadBalancerArgs("lb", { ...LB, canaryPercent: 2.5 }), /args\.canaryPercent/);
  assert.throws(() => validateColourLoadBalancerArgs("lb", { ...LB, sslPolicy: "ELBSecurityPolicy-2016-08" }), /args\.sslPolicy/);
  assert.throws(() => validateColourLoadBalancerArgs("lb", { ...LB, subnetIds: ["a"] }), /args\.subnetIds/);
});

test("Alarms and ParameterSet: bad e-mail, thresholds, paths and names are refused", () => {
  assert.doesNotThrow(() => validateAlarmsArgs("a", { email: "ops@example.org" }));
  assert.throws(() => validateAlarmsArgs("a", { email: "ops" }), /args\.email/);
  assert.throws(() => validateAlarmsArgs("a", { email: "o@e.org", autoScalingGroups: { web: { name: "g", minInService: 0 } } }), /args\.autoScalingGroups\.web\.minInService/);
  assert.doesNotThrow(() => validateParameterSetArgs("s", { path: "/app/prod/env", values: { DATABASE_URL: "x" } }));
  assert.throws(() => validateParameterSetArgs("s", { path: "app/prod/", values: { A: "x" } }), /args\.path/);
  assert.throws(() => validateParameterSetArgs("s", { path: "/app", values: { "bad-name": "x" } }), /args\.values/);
});

test("Postgres: parameter names must be PostgreSQL names; the group family follows the engine's major", () => {
  assert.doesNotThrow(() => validatePostgresArgs("p", { ...PG, parameters: { password_encryption: "md5", "rds.force_ssl": "1" } }));
  assert.throws(() => validatePostgresArgs("p", { ...PG, parameters: { "Password Encryption": "md5" } }), /args\.parameters key/);
  assert.equal(parameterGroupFamily("16"), "postgres16");
  assert.equal(parameterGroupFamily("13.15"), "postgres13");
});

test("ParameterSet: files take file names, environments take variable names", () => {
  assert.doesNotThrow(() => validateParameterSetArgs("s", { path: "/app/prod/files", kind: "files", values: { "recalculate.yaml": "x" } }));
  assert.throws(() => validateParameterSetArgs("s", { path: "/app/prod/files", kind: "files", values: { "../etc/passwd": "x" } }), /file names/);
  assert.throws(() => validateParameterSetArgs("s", { path: "/app/prod/env", values: { "recalculate.yaml": "x" } }), /environment variable names/);
});

test("Alarms: queue age below a minute and an empty log pattern are refused", () => {
  assert.doesNotThrow(() => validateAlarmsArgs("a", { email: "o@e.org", sqsQueues: { q: { queueName: "q", maxAgeSeconds: 60 } }, logErrors: { app: { logGroupName: "g", pattern: '"[ERROR]"' } } }));
  assert.throws(() => validateAlarmsArgs("a", { email: "o@e.org", sqsQueues: { q: { queueName: "q", maxAgeSeconds: 30 } } }), /args\.sqsQueues\.q\.maxAgeSeconds/);
  assert.throws(() => validateAlarmsArgs("a", { email: "o@e.org", logErrors: { app: { logGroupName: "g", pattern: " " } } }), /args\.logErrors\.app\.pattern/);
});

test("GitImageBuild: an https source without a fragment, a ref that is also a Docker tag and a relative context", () => {
  const ok = { repositoryUrl: "r", source: "https://github.com/o/r.git", ref: "v1.4.7", contextPath: "src/app" };
  assert.doesNotThrow(() => validateGitImageBuildArgs("b", ok));
  assert.doesNotThrow(() => validateGitImageBuildArgs("b", { ...ok, ref: "f08acef3484ca11fe6062dbd5c380d6df7c04ccd" }));
  assert.throws(() => validateGitImageBuildArgs("b", { ...ok, source: "git@github.com:o/r.git" }), /args\.source/);
  assert.throws(() => validateGitImageBuildArgs("b", { ...ok, source: "https://github.com/o/r.git#main" }), /args\.source/);
  assert.throws(() => validateGitImageBuildArgs("b", { ...ok, ref: "feature/x" }), /args\.ref/);
  assert.throws(() => validateGitImageBuildArgs("b", { ...ok, contextPath: "/src" }), /args\.contextPath/);
});
