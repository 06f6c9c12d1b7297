/**
 * The offline plan: the desired state of a stack with no credentials, no network and no Pulumi CLI.
 *
 *   npm run plan -- <stack> [--set <key.path>=<value>]... [--json]
 *   npm run plan -- <stack> --diff [--set ...]... [--json]
 *   npm run plan -- diff <before.json> <after.json> [--json]
 *
 * Exit status: 0 ok; 1 a mandatory policy violation, or (with --diff) a change `pulumi up` would refuse
 * (replacing or deleting a protected resource); 2 config error (messages on stderr);
 * 64 bad usage.
 */
import { readFileSync } from "node:fs";
import { evaluatePolicies } from "../../policies/evaluate";
import type { Violation } from "../../policies/types";
import { renderOutcome, type RenderedStack, type RenderOptions } from "../render/harness";
import { renderIsolated, type IsolatedOutcome } from "../render/isolated";
import { diffPlans } from "./diff";
import type { PlanDiff } from "./types";
import { formatDiff, formatTree, formatViolations } from "./format";

const USAGE = `usage:
  npm run plan -- <stack> [--set <key.path>=<value>]... [--json]
  npm run plan -- <stack> --diff [--set <key.path>=<value>]... [--json]
  npm run plan -- diff <before.json> <after.json> [--json]`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  sets: string[];
  json: boolean;
  diff: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { positional: [], sets: [], json: false, diff: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") args.json = true;
    else if (a === "--diff") args.diff = true;
    else if (a === "--set") {
      const value = argv[++i];
      if (value === undefined) throw new UsageError("--set needs <key.path>=<value>");
      args.sets.push(value);
    } else if (a.startsWith("--set=")) args.sets.push(a.slice("--set=".length));
    else if (a === "-h" || a === "--help") throw new UsageError("");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else args.positional.push(a);
  }
  return args;
}

/** A plan as printed by `--json`: exactly the rendered stack, no test-only fields. */
function publicPlan(outcome: Extract<IsolatedOutcome, { ok: true }>): RenderedStack {
  const { secretValues: _testOnly, ...plan } = outcome.result;
  return plan;
}

function readPlan(file: string): RenderedStack {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as { resources?: unknown }).resources)) {
    throw new UsageError(`${file} is not a plan written by npm run plan -- <stack> --json`);
  }
  return parsed as RenderedStack;
}

/**
 * Renders or reports the config error; `undefined` means exit 2 was already decided. The first render
 * runs in this process; Pulumi's mocks are global, so any further one runs in a child process.
 */
async function render(stack: string, overrides: string[]): Promise<RenderedStack | undefined> {
  const outcome = renderedHere ? await renderIsolated({ stack, overrides }) : await renderInProcess({ stack, overrides });
  if (!outcome.ok) {
    if (outcome.problems) {
      process.stderr.write(`${outcome.message}\n`);
      return undefined;
    }
    throw new Error(outcome.message);
  }
  return publicPlan(outcome);
}

let renderedHere = false;

function renderInProcess(options: RenderOptions): Promise<IsolatedOutcome> {
  renderedHere = true;
  return renderOutcome(options);
}

/** What `pulumi up` (or the policy pack) would refuse: a blocked change or a mandatory violation. */
function refused(diff: PlanDiff): boolean {
  return diff.blocked.length > 0 || hasMandatory(diff.violations);
}

function hasMandatory(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.level === "mandatory");
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const out = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);

  if (args.positional[0] === "diff") {
    if (args.positional.length !== 3 || args.sets.length || args.diff) throw new UsageError("diff takes exactly two plan files");
    const after = readPlan(args.positional[2]);
    const violations = evaluatePolicies(after);
    const diff = diffPlans(readPlan(args.positional[1]), after, violations);
    out(args.json ? JSON.stringify(diff, null, 2) : formatDiff(diff));
    return refused(diff) ? 1 : 0;
  }
  if (args.positional.length !== 1) throw new UsageError("name exactly one stack");
  const stack = args.positional[0];

  if (args.diff) {
    const [before, after] = await Promise.all([render(stack, []), render(stack, args.sets)]);
    if (!before || !after) return 2;
    const violations = evaluatePolicies(after);
    const diff = diffPlans(before, after, violations);
    out(args.json ? JSON.stringify(diff, null, 2) : formatDiff(diff));
    return refused(diff) ? 1 : 0;
  }

  const plan = await render(stack, args.sets);
  if (!plan) return 2;
  const violations = evaluatePolicies(plan);
  if (args.json) out(JSON.stringify(plan, null, 2));
  else out(formatTree(plan));
  if (violations.length) process.stderr.write(formatViolations(violations));
  return hasMandatory(violations) ? 1 : 0;
}

/**
 * Exits with `code` once stdout has drained. Explicitly: after a config error the Pulumi runtime has
 * logged the program's failure and set its own exit code, which would otherwise win.
 */
function exit(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `${err.message}\n` : ""}${USAGE}\n`);
    exit(64);
    return;
  }
  process.stderr.write(`plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exit(70);
});
