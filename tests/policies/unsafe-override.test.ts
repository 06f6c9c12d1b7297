/**
 * An override the config schema accepts but a policy catches: SSH admin networks that are the whole
 * internet in two halves (0.0.0.0/1 + 128.0.0.0/1). The schema refuses 0.0.0.0/0 itself, so that
 * spelling never reaches the policies; this one does, and the firewall policy names it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePolicies } from "../../policies/evaluate";
import { renderIsolated } from "../../tools/render/isolated";

test("admin networks covering the whole internet make sensitive-ports-not-open-to-world fail on the SSH rule", async () => {
  const outcome = await renderIsolated({ stack: "production", overrides: ['apps.nmpi.adminCidrs=["0.0.0.0/1","128.0.0.0/1"]'] });
  assert.ok(outcome.ok, `the schema accepts the override (${outcome.ok ? "" : outcome.message})`);
  const violations = evaluatePolicies(outcome.result).filter((v) => v.level === "mandatory");
  const ssh = violations.filter((v) => v.policy === "sensitive-ports-not-open-to-world");
  assert.ok(ssh.length > 0, "the firewall policy reports the SSH rule");
  for (const v of ssh) {
    assert.equal(v.resource?.type, "digitalocean:index/firewall:Firewall");
    assert.match(v.message, /port 22 .*0\.0\.0\.0\/1 and 128\.0\.0\.0\/1/);
    assert.match(v.fix, /adminCidrs/);
  }
});
