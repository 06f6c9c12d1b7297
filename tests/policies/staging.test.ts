/** The committed staging stack, rendered through the harness, passes every mandatory policy. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePolicies, formatViolation } from "../../policies/evaluate";
import { renderOnce } from "../support";

test("staging renders with zero mandatory policy violations, and scaling its live colour to zero is caught", async () => {
  const rendered = await renderOnce("staging");
  assert.deepEqual(evaluatePolicies(rendered).filter((v) => v.level === "mandatory").map(formatViolation), []);

  // Every app with a live colour: remove the live colour's compute capacity and the stack policy names the app.
  const liveApps = Object.entries(rendered.outputs).filter(
    ([, out]) => out !== null && typeof out === "object" && typeof (out as Record<string, unknown>).liveColour === "string",
  );
  assert.ok(liveApps.length > 0, "staging has apps with a live colour");
  const drained = rendered.resources.map((r) =>
    r.type === "aws:autoscaling/group:Group" || r.type === "aws:ecs/service:Service"
      ? { ...r, inputs: { ...r.inputs, desiredCapacity: 0, minSize: 0, desiredCount: 0 } }
      : r.type === "digitalocean:index/droplet:Droplet" || r.type === "docker:index/container:Container" || r.type === "aws:ec2/instance:Instance"
        ? { ...r, type: `${r.type}-removed` }
        : r,
  );
  const flagged = evaluatePolicies({ ...rendered, resources: drained })
    .filter((v) => v.policy === "live-colour-has-capacity")
    .map((v) => v.message.split(":")[0]);
  assert.deepEqual(new Set(flagged), new Set(liveApps.map(([app]) => app)));
});
