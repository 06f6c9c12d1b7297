/**
 * SSH admin networks that are the whole internet in two halves (0.0.0.0/1 + 128.0.0.0/1): the config
 * schema compares networks now and refuses them (security review L5); were they to reach a firewall
 * by another path, the firewall policy still names them (defence in depth).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePolicies } from "../../policies/evaluate";
import { renderIsolated } from "../../tools/render/isolated";

const HALVES = ["0.0.0.0/1", "128.0.0.0/1"];

test("admin networks covering the whole internet are refused by the schema, naming the key, and registers nothing", async () => {
  const refused = await renderIsolated({ stack: "production", overrides: [`apps.nmpi.adminCidrs=${JSON.stringify(HALVES)}`] });
  assert.equal(refused.ok, false, "the schema refuses the override");
  if (refused.ok) return;
  assert.match(refused.message, /platform:apps\.nmpi\.adminCidrs\[0\]: got "0\.0\.0\.0\/1"; 0\.0\.0\.0\/1 covers more than an IPv4 \/8/);
  assert.match(refused.message, /platform:apps\.nmpi\.adminCidrs\[1\]: got "128\.0\.0\.0\/1"/);
  assert.equal(refused.registered, 0);
});

test("a firewall admitting SSH from both halves of the internet still fails sensitive-ports-not-open-to-world", async () => {
  const outcome = await renderIsolated({ stack: "production" });
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.message);
  const widened = outcome.result.resources.map((r) =>
    r.type === "digitalocean:index/firewall:Firewall"
      ? {
          ...r,
          inputs: {
            ...r.inputs,
            inboundRules: (r.inputs.inboundRules as Record<string, unknown>[]).map((rule) => (rule.portRange === "22" ? { ...rule, sourceAddresses: HALVES } : rule)),
          },
        }
      : r,
  );
  const ssh = evaluatePolicies({ ...outcome.result, resources: widened }).filter((v) => v.level === "mandatory" && v.policy === "sensitive-ports-not-open-to-world");
  assert.ok(ssh.length > 0, "the firewall policy reports the SSH rule");
  for (const v of ssh) {
    assert.equal(v.resource?.type, "digitalocean:index/firewall:Firewall");
    assert.match(v.message, /port 22 .*0\.0\.0\.0\/1 and 128\.0\.0\.0\/1/);
    assert.match(v.fix, /adminCidrs/);
  }
});
