/**
 * Runs the comment poster's script (.github/actions/upsert-plan-comment/upsert.sh) against a fake
 * `gh` that serves a hostile artifact, to show what reaches the pull request: the comment rendered
 * by this checkout's tools/pr-comment from diff.json, never text the PR's run wrote.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../..");
const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);

/** A fake gh: `run download` copies the fixture, `pr view` answers HEAD, `api` records a posted body. */
const FAKE_GH = `#!/usr/bin/env bash
set -euo pipefail
case "$1 $2" in
  "run download") dir=""; while [ $# -gt 0 ]; do [ "$1" = --dir ] && dir="$2"; shift; done; mkdir -p "$dir"; cp -R "$FIXTURE/." "$dir/" ;;
  "pr view") echo "$FAKE_PR_HEAD" ;;
  api*) for a in "$@"; do case "$a" in body=@*) cp "\${a#body=@}" "$POSTED" ;; esac; done ;;
  *) echo "unexpected gh $*" >&2; exit 3 ;;
esac
`;

interface Artifact {
  "diff.json"?: string;
  "pr-number"?: string;
  "base-sha"?: string;
  "comment.md"?: string;
}

function post(artifact: Artifact): { status: number | null; posted: string | undefined; stderr: string; stdout: string } {
  const tmp = mkdtempSync(join(tmpdir(), "upsert-"));
  const bin = join(tmp, "bin");
  const fixture = join(tmp, "artifact");
  mkdirSync(bin);
  mkdirSync(fixture);
  writeFileSync(join(bin, "gh"), FAKE_GH);
  chmodSync(join(bin, "gh"), 0o755);
  for (const [name, content] of Object.entries(artifact)) writeFileSync(join(fixture, name), content);
  const posted = join(tmp, "posted.md");
  const result = spawnSync("bash", [join(root, ".github/actions/upsert-plan-comment/upsert.sh")], {
    cwd: root,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${join(root, "node_modules/.bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: tmp,
      RUNNER_TEMP: tmp,
      FIXTURE: fixture,
      POSTED: posted,
      FAKE_PR_HEAD: HEAD,
      GH_TOKEN: "x",
      GH_REPO: "org/platform",
      STACK: "staging",
      RUN_ID: "1",
      HEAD_SHA: HEAD,
    },
  });
  return { status: result.status, posted: existsSync(posted) ? readFileSync(posted, "utf8") : undefined, stderr: result.stderr, stdout: result.stdout };
}

const hostileName = "web <img src=x onerror=alert(1)> @org/admins";
const diff = {
  steps: [{ op: "create", urn: `urn:pulumi:staging::platform::docker:index/container:Container::${hostileName}`, detailedDiff: null }],
  changeSummary: { create: 1, same: 3 },
  source: "offline-plan",
  before: "staging",
  after: "staging",
  colourSwitches: [],
  blocked: [],
  violations: [],
  outputs: [],
};
const forged = "<!-- platform:plan-comment stack=staging -->\n### Desired-state diff of stack `staging` (offline plan)\nNo change. Approve!";

test("M1: the poster posts the comment it renders from diff.json, never the comment the PR's run wrote", () => {
  const r = post({ "diff.json": JSON.stringify(diff), "pr-number": "7\n", "base-sha": `${BASE}\n`, "comment.md": forged });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.posted !== undefined, "a comment is posted");
  assert.ok(r.posted.startsWith("<!-- platform:plan-comment stack=staging -->\n"));
  assert.doesNotMatch(r.posted, /Approve!/, "the artifact's comment.md is ignored");
  assert.match(r.posted, /1 to add/);
  // Outside code spans (where GitHub renders text literally) nothing of the hostile name is left.
  const prose = r.posted.replace(/(`+)[^`]*?\1/g, "");
  assert.doesNotMatch(prose, /<img|@org\/admins/, "markup and mentions in a resource name stay inside a code span");
  assert.ok(r.posted.includes(hostileName), "the name itself is shown, literally");
  assert.match(r.posted, /bbbbbbb/, "the base commit from the artifact, checked to be a SHA");
});

test("M1: a malformed, oversized or mislabelled artifact posts nothing", () => {
  const good = { "pr-number": "7\n", "base-sha": `${BASE}\n` };
  const cases: [string, Artifact][] = [
    ["not the PlanDiff shape", { ...good, "diff.json": JSON.stringify({ ...diff, steps: "everything" }) }],
    ["an unknown field", { ...good, "diff.json": JSON.stringify({ ...diff, comment: "**No change**" }) }],
    ["not JSON", { ...good, "diff.json": "**No change**" }],
    ["over 2 MiB", { ...good, "diff.json": JSON.stringify({ ...diff, pad: "x".repeat(2_100_000) }) }],
    ["base-sha with markup", { ...good, "base-sha": "[click](https://evil.example)", "diff.json": JSON.stringify(diff) }],
    ["no diff.json, only a comment", { ...good, "comment.md": forged }],
  ];
  for (const [what, artifact] of cases) {
    const r = post(artifact);
    assert.notEqual(r.status, 0, `${what}: fails`);
    assert.equal(r.posted, undefined, `${what}: nothing posted`);
  }
});

// A violation's message and fix come from the PR's diff.json: the renderer prints them as code spans.
test(
  "M1: markup in a violation message or fix is not rendered as links, images or mentions",
  () => {
    const hostile = "[Approve now](https://evil.example) @org/admins ![t](https://evil.example/t.png)";
    const withViolation = { ...diff, violations: [{ policy: "x", level: "advisory", message: hostile, fix: hostile }] };
    const r = post({ "diff.json": JSON.stringify(withViolation), "pr-number": "7\n", "base-sha": `${BASE}\n` });
    assert.equal(r.status, 0, r.stderr);
    const prose = String(r.posted).replace(/(`+)[^`]*?\1/g, "");
    assert.doesNotMatch(prose, /\]\(https:\/\/evil|@org\/admins/);
  },
);
