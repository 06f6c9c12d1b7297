import assert from "node:assert/strict";
import { test } from "node:test";
import { validateAlarmsArgs } from "../../../components/aws/alarms";
import { colourWeights, validateColourLoadBalancerArgs, type ColourLoadBalancerArgs } from "../../../components/aws/colour-load-balancer";
import { type FleetArgs, validateFleetArgs } from "../../../components/aws/fleet";
import { planSubnets, validateNetworkArgs } from "../../../components/aws/network";
import { validateParameterSetArgs } from "../../../components/aws/parameter-set";
import { type PostgresArgs, validatePostgresArgs } from "../../../components/aws/postgres";

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

const PG: PostgresArgs = { vpcId: "v", subnetIds: ["a", "b"], engineVersion: "16", instanceClass: "db.t4g.medium", storageGiB: 100 };
test("Postgres: version, class, storage, retention and names are checked", () => {
  assert.doesNotThrow(() => validatePostgresArgs("p", PG));
  assert.throws(() => validatePostgresArgs("p", { ...PG, storageGiB: 10 }), /args\.storageGiB/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, maxStorageGiB: 100 }), /args\.maxStorageGiB/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, backupRetentionDays: 0 }), /args\.backupRetentionDays/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, username: "postgres" }), /args\.username/);
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
