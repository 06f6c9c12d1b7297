/** Rotating the admin SSH keys: droplets stay, only the commands that write authorized_keys run again. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diffPlans } from "../../tools/plan/diff";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { renderOnce } from "../support";

const NEW_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbG2oFv6lJ2b0Ck1x4ZtLz5m1W3n9QpR7sVu8XyZaBc new-admin@example.org";
const OLD_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz ops@example.org";

test("rotating admin SSH keys changes no droplet input and runs only the admin-keys commands", async () => {
  const apps = ["nmpi", "topobank", "ramascene"];
  const [before, after] = await Promise.all([
    renderOnce("production"),
    renderIsolatedOk({
      stack: "production",
      // The old key leaves and a new one takes its place, in every DigitalOcean app (values are YAML).
      overrides: apps.map((app) => `apps.${app}.adminSshKeys=${JSON.stringify([NEW_KEY])}`),
    }),
  ]);
  // The offline plan's prediction: updates only, of the five commands that write authorized_keys.
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.blocked, []);
  assert.deepEqual(
    diff.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort(),
    [
      "update nmpi-production-blue-admin-keys",
      "update nmpi-production-db-admin-keys",
      "update nmpi-production-green-admin-keys",
      "update ramascene-production-admin-keys",
      "update topobank-production-admin-keys",
    ],
  );
  for (const step of diff.steps) {
    // stdin only: an update, which re-runs `create`; `triggers` (which would replace) is unchanged.
    assert.deepEqual(step.changes?.map((p) => p.path), ["stdin"], step.urn);
    assert.ok(String(step.changes?.[0].after).includes(NEW_KEY), `${step.urn} installs the new key`);
    assert.ok(!String(step.changes?.[0].after).includes(OLD_KEY), `${step.urn} drops the old key`);
  }
  const droplet = (stack: typeof before, name: string) =>
    stack.resources.find((r) => r.type === "digitalocean:index/droplet:Droplet" && r.name === name);
  for (const name of ["nmpi-production-db", "nmpi-production-blue", "topobank-production"]) {
    assert.deepEqual(droplet(after, name)?.inputs, droplet(before, name)?.inputs, `${name}'s inputs are unchanged`);
  }
});
