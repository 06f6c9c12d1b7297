import { test } from "node:test";
import assert from "node:assert/strict";
import { validateServiceArgs, type EcsEc2ServiceArgs } from "../../../components/aws/ecs-ec2-service";

const base: EcsEc2ServiceArgs = {
  cluster: "arn:aws:ecs:us-west-1:123456789012:cluster/c",
  capacityProviderName: "cp",
  containers: [{ name: "db", image: "couchdb:3.3.3", memoryReservationMiB: 256, secrets: ["DB_PASSWORD"] }],
  secrets: { DB_PASSWORD: "x" },
  hostVolumes: [{ name: "data", hostPath: "/data" }],
};

test("a valid service passes validation", () => {
  assert.doesNotThrow(() => validateServiceArgs("svc", base));
});

test("access keys are refused in a container's environment and secrets", () => {
  for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
    const env = { ...base, containers: [{ ...base.containers[0], environment: { [key]: "AKIAXXXXXXXXXXXXXXXX" } }] };
    assert.throws(() => validateServiceArgs("svc", env), new RegExp(`environment must not set ${key}`));
    const secret = { ...base, secrets: { [key]: "x" }, containers: [{ ...base.containers[0], secrets: [key] }] };
    assert.throws(() => validateServiceArgs("svc", secret), new RegExp(`must not set ${key}`));
  }
});

test("each bad argument is named in the error", () => {
  const cases: [Partial<EcsEc2ServiceArgs>, RegExp][] = [
    [{ containers: [] }, /containers must hold at least one/],
    [{ containers: [{ ...base.containers[0], secrets: ["NOPE"] }] }, /secrets names NOPE/],
    [{ containers: [{ ...base.containers[0], mounts: [{ volume: "other", containerPath: "/x" }] }] }, /mounts names volume other/],
    [{ containers: [{ ...base.containers[0], links: ["ghost"] }] }, /links or startAfter "ghost"/],
    [{ containers: [{ ...base.containers[0], ports: [70000] }] }, /ports must hold TCP ports/],
    [{ minimumHealthyPercent: 120 }, /minimumHealthyPercent must be 0-100/],
    [{ maximumPercent: 50 }, /maximumPercent must be a whole number >= 100/],
    [{ desiredCount: -1 }, /desiredCount/],
  ];
  for (const [change, message] of cases) assert.throws(() => validateServiceArgs("svc", { ...base, ...change }), message);
});

test("a container may wait for the success of a run-once container only", () => {
  const init = { name: "init", image: "busybox:1.36", memoryReservationMiB: 16, essential: false };
  const waits = { ...base.containers[0], startAfterSuccessOf: ["init"] };
  assert.doesNotThrow(() => validateServiceArgs("svc", { ...base, containers: [init, waits] }));
  assert.throws(() => validateServiceArgs("svc", { ...base, containers: [{ ...init, essential: true }, waits] }), /startAfterSuccessOf names "init", which must be a non-essential/);
  assert.throws(() => validateServiceArgs("svc", { ...base, containers: [{ ...base.containers[0], startAfterSuccessOf: ["ghost"] }] }), /startAfterSuccessOf names "ghost"|"ghost", which is not another container/);
});
