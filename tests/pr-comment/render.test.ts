import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parsePlanDiff } from "../../tools/pr-comment/parse";
import { GITHUB_COMMENT_LIMIT, commentMarker, renderPlanComment } from "../../tools/pr-comment/render";
import type { PlanDiff, PreviewStep } from "../../tools/plan/types";

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
  return { steps: [], changeSummary: { same: 10 }, source: "offline-plan", before: stack, after: stack, colourSwitches: [], blocked: [], violations: [], outputs: [] };
}

test("a colour switch leads the comment as `<app>: live <from> → <to>`, the routing change folded below", () => {
  const body = renderPlanComment(fixture("colour-switch"));
  assert.deepEqual(leadingSections(body).slice(0, 1), ["Colour switches"]);
  const switchAt = body.indexOf("nmpi: live blue → green");
  assert.ok(switchAt > 0, "the switch is named");
  const details = body.indexOf("<details>");
  assert.ok(switchAt < details, "the switch comes before the folded diff");
  assert.ok(body.indexOf("dropletId", details) > details, "the reserved IP assignment change is in the fold");
  assert.doesNotMatch(body, /\[!CAUTION\]/, "a switch touches nothing stateful: no alarm");
});

test("a blocked replacement of a protected volume leads, then replacements (stateful first), then stateful updates, under a caution alert", () => {
  const diff = fixture("stateful-change");
  const body = renderPlanComment(diff);
  const caution = body.indexOf("> [!CAUTION]");
  assert.ok(caution > 0 && caution < body.indexOf("####"), "the alert precedes the first section");
  assert.match(body, /\*\*1 blocked change\*\* \(`pulumi up` would refuse\) and \*\*2 stateful resources touched\*\*/);
  assert.deepEqual(leadingSections(body), ["⛔ Blocked: `pulumi up` would refuse", "Replaced", "⚠️ Stateful resources touched"]);
  assert.match(body, /- `grand-central-production-couchdb` \(`aws:ebs\/volume:Volume`\) would be \*\*replaced\*\*: `+ ?replacing it: availabilityZone changed; it is protected/);
  assert.match(body, /- \*\*STATEFUL\*\* `grand-central-production-couchdb` .* is \*\*replaced\*\*: `availabilityZone changed`/);
  const stateful = body.slice(body.indexOf("Stateful resources touched\n"), body.indexOf("<details>"));
  assert.match(stateful, /`nmpi-production-db-data` \(`digitalocean:index\/volume:Volume`\) \*\*updated\*\*: `size`/);
  assert.match(stateful, /`grand-central-production-couchdb` .*\*\*replaced\*\* \(the new one starts empty\)/);
});

test("a cloud preview's JSON renders the same way: replacement named once, with its reason", () => {
  const diff = fixture("cloud-preview");
  assert.equal(diff.source, "cloud-preview");
  const body = renderPlanComment(diff, { stack: "production" });
  assert.match(body, /^### Cloud preview of stack `production`$/m);
  assert.match(body, /\*\*Summary:\*\* 1 to add · 0 to change · 1 to replace · 0 to delete · 0 blocked · 0 stateful touched · 0 policy violations/);
  assert.deepEqual(leadingSections(body), ["Replaced"]);
  assert.match(body, /- `nmpi-production-blue` \(`digitalocean:index\/droplet:Droplet`\) is \*\*replaced\*\*: `region` changed/);
  assert.equal(body.split("is **replaced**").length - 1, 1, "the create-replacement and delete-replaced steps are folded into the replace");
  assert.match(body, /Full diff \(2 resources\)/);
  assert.throws(() => renderPlanComment(diff), /a cloud preview does not name its stack/);
});

test("the diff reader takes a real preview's steps, ops and summary as they are", () => {
  const diff = fixture("cloud-preview");
  assert.deepEqual(diff.steps.map((s) => s.op), ["create-replacement", "replace", "delete-replaced", "create"]);
  assert.deepEqual(diff.changeSummary, { create: 1, replace: 1, same: 307 });
  assert.equal(diff.steps[3].stateful, true, "a volume is stateful, from its type");
  assert.deepEqual(diff.steps[1].replaceReasons, ["region"]);
});

test("policy violations are listed mandatory first, each with its fix, and a mandatory one raises the alert", () => {
  const diff0 = () => fixture("policy-violation");
  const body = renderPlanComment(diff0());
  assert.deepEqual(leadingSections(body), ["Policy violations"]);
  assert.match(body, /> \*\*3 mandatory policy violations\*\*/);
  assert.match(body, / Fix: /);
  assert.match(body, /\*\*mandatory\*\* `sensitive-ports-not-open-to-world` on `nmpi-production-blue-firewall` .* opens port 22 .* Fix: `allow SSH only from the admin networks/);
  const advised = diff0();
  advised.violations = [{ ...advised.violations[0], level: "advisory", policy: "advised-first" }, ...advised.violations];
  const text = renderPlanComment(advised);
  assert.ok(text.indexOf("**mandatory**") < text.indexOf("**advisory** `advised-first`"), "mandatory before advisory whatever the input order");
});

test("a version roll states that nothing loud happens and folds the image changes", () => {
  const body = renderPlanComment(fixture("version-roll"));
  assert.doesNotMatch(body, /\[!CAUTION\]/);
  assert.deepEqual(leadingSections(body), ["Replaced", "Stack outputs"]);
  assert.match(body, /`nmpi-staging-green-nmpi-green` \(`docker:index\/container:Container`\) is \*\*replaced\*\* \(deleted first: down until its replacement is up\): `image: depends on urn:pulumi:staging::platform::\S+::nmpi-staging-green-nmpi-green-image, replaced`/);
  const fold = body.slice(body.indexOf("<details>"));
  assert.match(fold, /Full diff \(\d+ resources\)/);
  assert.match(fold, /\+ name: "cnrsunic\/nmpi_queue_server:1\.5\.0"/);
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
    assert.ok(renderPlanComment(diff).startsWith(`${commentMarker(diff.after ?? "")}\n`), name);
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
  // Outside code spans (where nothing is live), only the renderer's own markup remains.
  const live = body.replace(/(`+)[^`]*?\1/g, "");
  assert.equal(live.split("</details>").length - 1, 1, "only the renderer's own </details>");
  assert.equal(live.split("<!--").length - 1, 1, "only the marker comment");
  assert.match(body, /`bad <\/details><!-- hidden`/);
});

test("a huge diff is truncated in the fold under GitHub's limit, with a note, and keeps what leads", () => {
  const diff = fixture("colour-switch");
  const bulky: PreviewStep[] = Array.from({ length: 2_000 }, (_, i) => ({
    op: "update",
    urn: `urn:pulumi:production::platform::docker:index/container:Container::bulk-${i}`,
    detailedDiff: { envs: { kind: "update", inputDiff: true } },
    changes: [{ path: "envs", before: ["A=" + "x".repeat(250)], after: ["A=" + "y".repeat(250)] }],
  }));
  diff.steps.push(...bulky);
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

test("hostile or oversized diff files are refused with the offending field", () => {
  const huge = JSON.stringify({ ...fixture("version-roll"), notes: ["x".repeat(5_000)] });
  assert.throws(() => parsePlanDiff(huge, "artifact"), /artifact: notes\[0\]: .*expected the PlanDiff shape/);
  assert.throws(() => parsePlanDiff(JSON.stringify({ steps: [{ op: "explode", urn: "u" }] }), "preview"), /preview: steps\[0\]\.op: /);
});

test("the CLI prints the rendered comment for a diff file and fails with the bad field for a malformed one", () => {
  const cli = join(root, "dist/tools/pr-comment/cli.js");
  const file = join(fixtures, "colour-switch.json");
  const out = execFileSync(process.execPath, [cli, file, "--stack", "production"], { encoding: "utf8" });
  assert.equal(out, renderPlanComment(fixture("colour-switch"), { stack: "production" }) + "\n");

  const bad = spawnSync(process.execPath, [cli, "-"], { input: JSON.stringify({ ...fixture("version-roll"), steps: [{ op: "update" }] }), encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /stdin: steps\[0\]\.urn: /);

  const usage = spawnSync(process.execPath, [cli, file, "--source", "cloud"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--source: "cloud" is not allowed; use offline-plan or cloud-preview/);
});

test("a pull request's sizes cannot make the comment too long or cut a code span open, and a lone CR cannot start a block", () => {
  const hostile = " @org/admins [approve](https://evil.example) ".repeat(90);
  const blocked = Array.from({ length: 50 }, (_, i) => ({ urn: `urn:pulumi:s::p::t::r${i}`, type: "t", name: `r${i}`, op: "replace" as const, reason: hostile }));
  const withSteps: PlanDiff = {
    ...fixture("colour-switch"),
    blocked,
    steps: [{ op: "update", urn: `urn:pulumi:s::p::t::${"n".repeat(4_000)}`, detailedDiff: null, changes: [{ path: "a", before: 1, after: 2 }] }],
  };
  for (const diff of [withSteps, { ...withSteps, steps: [] }]) {
    const body = renderPlanComment(diff);
    assert.ok(Buffer.byteLength(body, "utf8") <= 65_000, `size ${Buffer.byteLength(body, "utf8")}`);
    // Outside code spans nothing of the hostile text is live: every line's spans are closed.
    for (const line of body.split("\n")) {
      const live = line.replace(/(`+)[^`]*?\1/g, "");
      assert.doesNotMatch(live, /@org\/admins|\]\(https:\/\/evil/, line.slice(0, 120));
    }
  }
  const cr = renderPlanComment({ ...fixture("colour-switch"), blocked: [{ ...blocked[0], name: "x\r# PWNED\r> [!NOTE]\r> approve" }] });
  assert.doesNotMatch(cr, /\r/, "no carriage return reaches the comment");
});
