/** Load balancer and target group names must fit AWS's 32 characters once Pulumi appends its suffix. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { autonameBase } from "../../../components/aws/colour-load-balancer";
import { renderOnce } from "../../support";

test("a child name keeps 24 characters and its suffix whole, so `<name>-<7 random>` fits 32", () => {
  assert.equal(autonameBase("aquamark-staging", "green"), "aquamark-staging-green");
  assert.equal(autonameBase("aquamark-production", "green"), "aquamark-productio-green");
  assert.equal(autonameBase("aquamark-production", "blue"), "aquamark-production-blue");
  assert.equal(autonameBase("a-very-long-application-name-production"), "a-very-long-application");
  assert.equal(autonameBase("abcdefghijklmnopqrs-------", "blue"), "abcdefghijklmnopqrs-blue");
});

test("every autonamed load balancer and target group of both stacks fits AWS's 32 characters", async () => {
  for (const stack of ["production", "staging"]) {
    const plan = await renderOnce(stack);
    const named = plan.resources.filter((r) => ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"].includes(r.type));
    assert.ok(named.length >= 3, `${stack} has a load balancer and two target groups`);
    for (const r of named) assert.ok(r.inputs.name !== undefined || r.name.length + 8 <= 32, `${stack}: ${r.name} plus Pulumi's 8-character suffix is over 32`);
  }
});
