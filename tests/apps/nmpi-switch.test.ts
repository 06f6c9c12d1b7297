/** What a colour switch and a version roll change, by comparing two renders of the same stack by URN. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { changeSet, named, renderOnce, urnOf } from "../support";

const ASSIGNMENT = "digitalocean:index/reservedIpAssignment:ReservedIpAssignment";

test("switching live blue→green (reserved IP) changes only the reserved IP assignment, nothing stateful", async () => {
  const [before, after] = await Promise.all([renderOnce("production"), renderOnce("production", ["apps.nmpi.live=green"])]);
  const assignment = urnOf(after, ASSIGNMENT, "nmpi-production-live-live");
  // The provider's droplet_id is ForceNew: the assignment is replaced, create-before-delete, so the IP moves at once.
  assert.deepEqual(changeSet(before, after), { create: [], update: {}, replace: { [assignment]: ["dropletId changed"] }, delete: [] });
  assert.equal(named(after, ASSIGNMENT, "nmpi-production-live-live").options.deleteBeforeReplace, false, "the IP moves before the old assignment goes");
});

test("switching live blue→green (load balancer) changes only the load balancer's droplets", async () => {
  const [before, after] = await Promise.all([renderOnce("staging"), renderOnce("staging", ["apps.nmpi.live=green"])]);
  const balancer = urnOf(after, "digitalocean:index/loadBalancer:LoadBalancer", "nmpi-staging-live");
  // dependsOn follows the live colour's proxy (routing waits for it); it orders steps and replaces nothing.
  assert.deepEqual(changeSet(before, after), { create: [], update: { [balancer]: ["dropletIds[0]", "options.dependsOn[0]"] }, replace: {}, delete: [] });
});

test("a new version on the idle colour rebuilds and changes only that colour's images and containers", async () => {
  const [before, after] = await Promise.all([
    renderOnce("production"),
    renderOnce("production", ["apps.nmpi.versions.green=c349d6e579070a0d7f254a01d76473a7412b8508"]),
  ]);
  const changes = changeSet(before, after);
  const touched = [...changes.create, ...changes.delete, ...Object.keys(changes.update), ...Object.keys(changes.replace)];
  for (const urn of touched) assert.match(urn, /::nmpi-production-green-[^:]*$/, `${urn} changed but is not green's`);
  const builds = touched.filter((u) => u.includes("$command:remote:Command::")).map((u) => u.split("::").pop()).sort();
  assert.deepEqual(builds, ["nmpi-production-green-image-nmpi", "nmpi-production-green-image-quotas"], "both green images are rebuilt, nothing else runs");
  const images = after.resources
    .filter((r) => r.type === "docker:index/remoteImage:RemoteImage" && touched.includes(r.urn))
    .map((r) => String(r.inputs.name))
    .sort();
  assert.equal(images.length, 2);
  assert.match(images[0], /^platform\/nmpi-nmpi:c349d6e57907-/);
  assert.match(images[1], /^platform\/nmpi-quotas:c349d6e57907-/);
});

test("two renders of the same config are byte-identical", async () => {
  const [a, b] = await Promise.all([renderOnce("production"), renderOnce("production")]);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});
