/** What a colour switch and a version roll change, by diffing two renders of the same stack. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { diffPlans } from "../../tools/plan/diff";

const ASSIGNMENT = "digitalocean:index/reservedIpAssignment:ReservedIpAssignment";

test("switching live blue→green (reserved IP) changes only the reserved IP assignment, nothing stateful", async () => {
  const [before, after] = await Promise.all([
    renderIsolatedOk({ stack: "production" }),
    renderIsolatedOk({ stack: "production", overrides: ["apps.nmpi.live=green"] }),
  ]);
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.changed.map((c) => `${c.type}::${c.name}`), [`${ASSIGNMENT}::nmpi-production-live-live`]);
  assert.deepEqual(diff.changed[0].changes.map((c) => c.path), ["inputs.dropletId"]);
  assert.deepEqual(diff.statefulTouched, []);
  assert.deepEqual(diff.colourSwitches, [{ app: "nmpi", from: "blue", to: "green" }]);
  const assignment = after.resources.find((r) => r.type === ASSIGNMENT);
  assert.equal(assignment?.options.deleteBeforeReplace, false, "the IP moves before the old assignment goes");
  const green = after.resources.find((r) => r.type === "digitalocean:index/droplet:Droplet" && r.name === "nmpi-production-green");
  assert.ok(green, "green droplet rendered");
});

test("switching live blue→green (load balancer) changes only the load balancer's droplets", async () => {
  const [before, after] = await Promise.all([
    renderIsolatedOk({ stack: "staging" }),
    renderIsolatedOk({ stack: "staging", overrides: ["apps.nmpi.live=green"] }),
  ]);
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.changed.map((c) => c.name), ["nmpi-staging-live"]);
  assert.deepEqual(diff.changed[0].changes.map((c) => c.path), ["inputs.dropletIds[0]"]);
  assert.deepEqual(diff.statefulTouched, []);
});

test("a new version on the idle colour rebuilds and changes only that colour's images and containers", async () => {
  const [before, after] = await Promise.all([
    renderIsolatedOk({ stack: "production" }),
    renderIsolatedOk({ stack: "production", overrides: ["apps.nmpi.versions.green=c349d6e579070a0d7f254a01d76473a7412b8508"] }),
  ]);
  const diff = diffPlans(before, after);
  for (const r of [...diff.changed, ...diff.added, ...diff.removed]) {
    assert.match(r.name, /^nmpi-production-green-/, `${r.name} changed but is not green's`);
  }
  const builds = diff.changed.filter((c) => c.type === "command:remote:Command").map((c) => c.name).sort();
  assert.deepEqual(builds, ["nmpi-production-green-image-nmpi", "nmpi-production-green-image-quotas"], "both green images are rebuilt, nothing else runs");
  const images = diff.changed.filter((c) => c.type === "docker:index/remoteImage:RemoteImage").map((c) => String(c.changes[0].after)).sort();
  assert.equal(images.length, 2);
  assert.match(images[0], /^platform\/nmpi-nmpi:c349d6e57907-/);
  assert.match(images[1], /^platform\/nmpi-quotas:c349d6e57907-/);
  assert.deepEqual(diff.statefulTouched, []);
  assert.deepEqual(diff.colourSwitches, []);
});

test("two renders of the same config are byte-identical", async () => {
  const [a, b] = await Promise.all([renderIsolatedOk({ stack: "production" }), renderIsolatedOk({ stack: "production" })]);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});
