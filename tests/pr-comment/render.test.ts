import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parsePlanDiff } from "../../tools/pr-comment/parse";
import { GITHUB_COMMENT_LIMIT, commentMarker, renderPlanComment } from "../../tools/pr-comment/render";
import type { ChangedResource, PlanDiff } from "../../tools/plan/types";

const root = resolve(__dirname, "../../..");
const fixtures = join(root, "tests/fixtures/plan-diffs");

function fixture(name: string): PlanDiff {
  const file = join(fixtures, `${name}.json`);
  return parsePlanDiff(readFileSync(file, "utf8"), file);
}

/** The comment's headed sections (`#### ...`) in order, before the folded full diff. */
function leadingSections(body: string): string[] {
  const lead = body.split("<details>")[0];
  return [...lead.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
}

function emptyDiff(stack: string): PlanDiff {
  return {
    before: stack, after: stack, added: [], removed: [], changed: [], outputs: [],
    colourSwitches: [], statefulTouched: [], violations: [],
  };
}

test("a colour switch leads the comment as `<app>: live <from> → <to>`, the routing change folded below", () => {
  const body = renderPlanComment(fixture("colour-switch"));
  assert.deepEqual(leadingSections(body).slice(0, 1), ["Colour switches"]);
  const switchAt = body.indexOf("nmpi: live blue → green");
  assert.ok(switchAt > 0, "the switch is named");
  const details = body.indexOf("<details>");
  assert.ok(switchAt < details, "the switch comes before the folded diff");
  assert.ok(body.indexOf("inputs.dropletId", details) > details, "the reserved IP assignment change is in the fold");
  assert.doesNotMatch(body, /\[!CAUTION\]/, "a switch touches nothing stateful: no alarm");
});

test("a stateful change raises a caution alert before any section and lists every stateful resource with what happens to it", () => {
  const diff = fixture("stateful-change");
  const body = renderPlanComment(diff);
  const caution = body.indexOf("> [!CAUTION]");
  assert.ok(caution > 0 && caution < body.indexOf("####"), "the alert precedes the first section");
  assert.match(body, /\*\*3 stateful resources touched\*\*/);
  assert.deepEqual(leadingSections(body), ["Deleted or replaced", "⚠️ Stateful resources touched"]);
  const stateful = body.slice(body.indexOf("Stateful resources touched\n"), body.indexOf("<details>"));
  for (const r of diff.statefulTouched) assert.ok(stateful.includes(`\`${r.name}\``), `${r.name} is listed`);
  assert.match(stateful, /`nmpi-db-data` \(`digitalocean:index\/volume:Volume`\) \*\*deleted\*\*/);
  assert.match(stateful, /`aquamark-db` .*\*\*changed\*\*: `inputs.allocatedStorage`, `options.protect`/);
});

test("a deletion next to an addition of the same type is flagged as a possible replacement by rename", () => {
  const body = renderPlanComment(fixture("stateful-change"));
  assert.match(body, /\*\*STATEFUL\*\* `nmpi-db-data` .* is \*\*deleted\*\* — .*add `aliases` or it is \*\*replaced\*\*/);
});

test("policy violations are listed mandatory first, each with its fix, and a mandatory one raises the alert", () => {
  const body = renderPlanComment(fixture("policy-violation"));
  assert.deepEqual(leadingSections(body), ["Policy violations"]);
  assert.match(body, /> \*\*1 mandatory policy violation\*\*/);
  const mandatory = body.indexOf("**mandatory** `ssh-not-open-to-world`");
  const advisory = body.indexOf("**advisory** `tags-present`");
  assert.ok(mandatory > 0 && advisory > mandatory, "mandatory before advisory although the fixture lists it second");
  assert.match(body, /Fix: Set `platform:apps\.nmpi\.adminCidrs` to your admin networks\./);
});

test("a version roll states that nothing loud happens and folds the image changes", () => {
  const body = renderPlanComment(fixture("version-roll"));
  assert.match(body, /No colour switch, nothing deleted, no stateful resource touched, no policy violation\./);
  assert.doesNotMatch(body, /\[!CAUTION\]/);
  assert.deepEqual(leadingSections(body), ["Stack outputs"]);
  const fold = body.slice(body.indexOf("<details>"));
  assert.match(fold, /Full diff \(3 resources\)/);
  assert.match(fold, /\+ inputs\.image: "docker-registry\.ebrains\.eu\/neuromorphic\/nmpi_queue_server:1\.5\.0"/);
});

test("the offline plan's comment is labelled as the desired-state diff, not the cloud's", () => {
  const offline = renderPlanComment(fixture("version-roll"), { baseCommit: "a".repeat(40), headCommit: "b".repeat(40) });
  assert.match(offline, /^### Desired-state diff of stack `staging` \(offline plan\)$/m);
  assert.match(offline, /\*\*desired-state diff\*\*, not the cloud's/);
  assert.match(offline, /Base `aaaaaaa` → head `bbbbbbb`/);
  const cloud = renderPlanComment(fixture("version-roll"), { source: "cloud-preview" });
  assert.doesNotMatch(cloud, /desired-state/);
});

test("every comment starts with the hidden marker of its stack, which the workflow uses to update it", () => {
  for (const name of ["colour-switch", "version-roll", "stateful-change", "policy-violation"]) {
    const diff = fixture(name);
    assert.ok(renderPlanComment(diff).startsWith(`${commentMarker(diff.after)}\n`), name);
  }
  assert.ok(renderPlanComment(emptyDiff("staging"), { stack: "production" }).startsWith("<!-- platform:plan-comment stack=production -->"));
  assert.throws(() => commentMarker("prod --><script>"), /stack: .* is not a stack name/);
});

test("an empty diff says so and has no fold", () => {
  const body = renderPlanComment(emptyDiff("production"));
  assert.match(body, /No change to the desired state of this stack\./);
  assert.doesNotMatch(body, /<details>/);
});

test("text from policies cannot inject HTML that would close the fold or hide content", () => {
  const diff = fixture("policy-violation");
  diff.violations[0] = { ...diff.violations[0], message: "bad </details><!-- hidden" };
  const body = renderPlanComment(diff);
  assert.equal(body.split("</details>").length - 1, 1, "only the renderer's own </details>");
  assert.equal(body.split("<!--").length - 1, 1, "only the marker comment");
  assert.match(body, /bad &lt;\/details&gt;&lt;!-- hidden/);
});

test("a huge diff is truncated in the fold under GitHub's limit, with a note, and keeps what leads", () => {
  const diff = fixture("colour-switch");
  const bulky: ChangedResource[] = Array.from({ length: 2_000 }, (_, i) => ({
    type: "docker:index/container:Container",
    name: `bulk-${i}`,
    stateful: false,
    changes: [{ path: "inputs.envs", before: ["A=" + "x".repeat(250)], after: ["A=" + "y".repeat(250)] }],
  }));
  diff.changed.push(...bulky);
  const body = renderPlanComment(diff);
  assert.ok(Buffer.byteLength(body, "utf8") <= 65_000, `size ${Buffer.byteLength(body, "utf8")}`);
  assert.ok(Buffer.byteLength(body, "utf8") > 60_000, "the budget is used, not wasted");
  assert.match(body, /nmpi: live blue → green/);
  assert.match(body, /_Truncated to fit GitHub's comment limit: \d+ of 2001 resource diffs not shown\./);
  assert.ok(body.trimEnd().endsWith("</details>"), "the fold is closed");
  assert.match(body, /bulk-0/);
  assert.doesNotMatch(body, /bulk-1999`/);
  assert.throws(() => renderPlanComment(diff, { maxBytes: GITHUB_COMMENT_LIMIT + 1 }), /maxBytes/);
});

test("the CLI prints the rendered comment for a diff file and fails with the bad field for a malformed one", () => {
  const cli = join(root, "dist/tools/pr-comment/cli.js");
  const file = join(fixtures, "colour-switch.json");
  const out = execFileSync(process.execPath, [cli, file, "--stack", "production"], { encoding: "utf8" });
  assert.equal(out, renderPlanComment(fixture("colour-switch"), { stack: "production" }) + "\n");

  const bad = spawnSync(process.execPath, [cli, "-"], { input: JSON.stringify({ ...fixture("version-roll"), changed: [{ type: "t" }] }), encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /stdin: changed\[0\]\.name: /);

  const usage = spawnSync(process.execPath, [cli, file, "--source", "cloud"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--source: "cloud" is not allowed; use offline-plan or cloud-preview/);
});
