/** Rotating the admin SSH keys: droplets stay, only the commands that write authorized_keys run again. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diffPlans } from "../../tools/plan/diff";
import { renderIsolatedOk } from "../../tools/render/isolated";

const NEW_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbG2oFv6lJ2b0Ck1x4ZtLz5m1W3n9QpR7sVu8XyZaBc new-admin@example.org";
const OLD_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz ops@example.org";

test("rotating admin SSH keys changes no droplet input and runs only the admin-keys commands", async () => {
  const apps = ["nmpi", "topobank", "ramascene"];
  const [before, after] = await Promise.all([
    renderIsolatedOk({ stack: "production" }),
    renderIsolatedOk({
      stack: "production",
      // The old key leaves and a new one takes its place, in every DigitalOcean app (values are YAML).
      overrides: apps.map((app) => `apps.${app}.adminSshKeys=${JSON.stringify([NEW_KEY])}`),
    }),
  ]);
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(diff.statefulTouched, []);
  const changed = diff.changed.map((c) => `${c.type}::${c.name}`).sort();
  assert.deepEqual(changed, [
    "command:remote:Command::nmpi-production-blue-admin-keys",
    "command:remote:Command::nmpi-production-db-admin-keys",
    "command:remote:Command::nmpi-production-green-admin-keys",
    "command:remote:Command::ramascene-production-admin-keys",
    "command:remote:Command::topobank-production-admin-keys",
  ]);
  for (const c of diff.changed) {
    // stdin only: an update, which re-runs `create`; `triggers` (which would replace) is unchanged.
    assert.deepEqual(c.changes.map((p) => p.path), ["inputs.stdin"], c.name);
    assert.ok(String(c.changes[0].after).includes(NEW_KEY), `${c.name} installs the new key`);
    assert.ok(!String(c.changes[0].after).includes(OLD_KEY), `${c.name} drops the old key`);
  }
  const droplet = (stack: typeof before, name: string) =>
    stack.resources.find((r) => r.type === "digitalocean:index/droplet:Droplet" && r.name === name);
  for (const name of ["nmpi-production-db", "nmpi-production-blue", "topobank-production"]) {
    assert.deepEqual(droplet(after, name)?.inputs, droplet(before, name)?.inputs, `${name}'s inputs are unchanged`);
  }
});
