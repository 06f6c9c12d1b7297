/** The render harness stops at a config error before any resource is registered. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderIsolated } from "../../tools/render/isolated";

test("a config error registers no resource and reports every problem with its full key", async () => {
  const outcome = await renderIsolated({ stack: "production", overrides: ["apps.nmpi.live=purple", "apps.nmpi.backup.retentionDays=0"] });
  assert.equal(outcome.ok, false);
  if (outcome.ok) return;
  assert.equal(outcome.registered, 0, "nothing was registered");
  assert.ok(outcome.problems?.some((p) => p.startsWith("platform:apps.nmpi.live: got \"purple\"")), outcome.message);
  assert.ok(outcome.problems?.some((p) => p.startsWith("platform:apps.nmpi.backup.retentionDays: got 0")), outcome.message);
});
