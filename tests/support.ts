/**
 * Small helpers shared by the tests: one cached render per distinct stack config for the whole suite,
 * comparing two renders by URN, finding rendered resources, and running the real tools.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffPlans } from "../tools/plan/diff";
import type { PreviewStep } from "../tools/plan/types";
import type { RenderedResource, RenderedStack, RenderResult } from "../tools/render/harness";
import { renderIsolatedOk } from "../tools/render/isolated";
import { projectRoot } from "../tools/render/stack-config";

const ROOT = projectRoot();
const CACHE = join(ROOT, ".build", "test-renders");
/** How long a render may hold the lock before another process takes over (a crashed test). */
const LOCK_STALE_MS = 180_000;

/**
 * Everything a render depends on: the program's and the harness's sources, the stack files, and, when
 * the tests run compiled, the compiled files the child render actually runs (a test run without `tsc`
 * must not store an old build's render under the new sources' key).
 */
function renderInputsDigest(): string {
  const hash = createHash("sha256");
  const walk = (root: string, dir: string, ending: string): string[] =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(root, join(dir, e.name), ending) : e.name.endsWith(ending) ? [join(root, dir, e.name)] : [],
        )
      : [];
  const dirs = ["config", "components", "apps", join("tools", "render")];
  const compiled = __filename.endsWith(".js") ? join(__dirname, "..") : undefined;
  const files = [
    join(ROOT, "index.ts"),
    join(ROOT, "package-lock.json"),
    ...readdirSync(ROOT).filter((f) => /^Pulumi\..*\.yaml$/.test(f)).map((f) => join(ROOT, f)),
    ...dirs.flatMap((d) => walk(ROOT, d, ".ts")),
    ...(compiled ? [join(compiled, "index.js"), ...dirs.flatMap((d) => walk(compiled, d, ".js"))] : []),
  ].sort();
  for (const file of files) hash.update(file).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}
let digest: string | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The render of `stack` with `overrides`, made once for the whole suite: test files run in processes
 * of their own, so renders are cached on disk under .build/test-renders, keyed by the config and the
 * digest of every source a render reads (a changed source never reuses an old render). One process
 * renders a config while the others wait for its file.
 */
export async function renderOnce(stack: string, overrides: readonly string[] = []): Promise<RenderResult> {
  digest ??= renderInputsDigest();
  const key = createHash("sha256").update(JSON.stringify({ stack, overrides, digest, secrets: process.env.PLATFORM_PLAN_SECRET_KEY })).digest("hex").slice(0, 32);
  const file = join(CACHE, `${key}.json`);
  const lock = `${file}.lock`;
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as RenderResult;
    try {
      closeSync(openSync(lock, "wx"));
    } catch (err) {
      // Only "someone else holds the lock" is waited out; any other error is a real failure.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) {
        // Renamed first, so two waiters cannot both remove it and one delete the other's fresh lock.
        try {
          renameSync(lock, `${lock}.${process.pid}.stale`);
          rmSync(`${lock}.${process.pid}.stale`, { force: true });
        } catch {
          // Another waiter took it over first.
        }
      }
      await sleep(100);
      continue;
    }
    try {
      const result = await renderIsolatedOk({ stack, overrides: [...overrides] });
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(result));
      renameSync(`${file}.${process.pid}.tmp`, file);
      return result;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** What changes from `before` to `after`, by URN: the predicted primary operation of each changed resource. */
export interface ChangeSet {
  create: string[];
  update: Record<string, string[]>;
  replace: Record<string, string[]>;
  delete: string[];
}

/**
 * The one way tests compare whole resource sets: every resource by URN, inputs and options, through
 * the offline plan's prediction (so a test sees `replace` where the engine would replace). Updates list
 * the changed paths; replacements their causes.
 */
export function changeSet(before: RenderedStack, after: RenderedStack): ChangeSet {
  const set: ChangeSet = { create: [], update: {}, replace: {}, delete: [] };
  const paths = (s: PreviewStep) => (s.changes ?? []).map((c) => c.path);
  for (const step of diffPlans(before, after).steps) {
    if (step.op === "create" || step.op === "import") set.create.push(step.urn);
    else if (step.op === "delete") set.delete.push(step.urn);
    else if (step.op === "update") set.update[step.urn] = paths(step);
    else if (step.op === "replace") set.replace[step.urn] = step.replaceCauses ?? [];
  }
  return set;
}

/**
 * Every value a render hands to the engine, as text: each resource's inputs and options, and the stack
 * outputs. Not the keyed digests of secrets (random hex that a short secret may happen to occur in).
 */
export function renderedValues(stack: RenderedStack): string {
  return JSON.stringify({ resources: stack.resources.map(({ secretDigests: _digests, ...rest }) => rest), outputs: stack.outputs });
}

/** The URN of the one resource of `type` named `name`. */
export function urnOf(stack: RenderedStack, type: string, name: string): string {
  return named(stack, type, name).urn;
}

export function ofType(stack: RenderedStack, type: string): RenderedResource[] {
  return stack.resources.filter((r) => r.type === type);
}

export function named(stack: RenderedStack, type: string, name: string): RenderedResource {
  const found = stack.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}; have: ${ofType(stack, type).map((r) => r.name).join(", ")}`);
  return found;
}

/** Runs a real tool; returns its exit status and combined output. */
export function runTool(command: string, args: string[], options: { cwd?: string } = {}): { status: number; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", cwd: options.cwd });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** Writes `content` to a new temporary file named `name` and returns its path. */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-test-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
