/** The committed production stack, rendered through the harness, passes every mandatory policy. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePolicies, formatViolation } from "../../policies/evaluate";
import { renderOnce } from "../support";

test("production renders with zero mandatory policy violations", async () => {
  const rendered = await renderOnce("production");
  assert.ok(rendered.resources.length > 0, "the production stack registers resources");
  const mandatory = evaluatePolicies(rendered).filter((v) => v.level === "mandatory");
  assert.deepEqual(mandatory.map(formatViolation), []);

  // The same stack with one stateful resource unprotected fails: the check above is not vacuous.
  const stateful = rendered.resources.find((r) => r.options.protect && r.type === "digitalocean:index/volume:Volume");
  assert.ok(stateful, "production has a protected DigitalOcean volume");
  const unprotected = rendered.resources.map((r) => (r === stateful ? { ...r, options: { ...r.options, protect: false } } : r));
  const violations = evaluatePolicies({ ...rendered, resources: unprotected });
  assert.ok(violations.some((v) => v.policy === "stateful-protected-in-production" && v.resource?.name === stateful.name));
});
