/**
 * Renders a stack in a child process. Pulumi's mocks are global, so a test or the plan that needs
 * two renders (before and after an override) runs each in its own process through this.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RenderOptions, RenderResult } from "./harness";
import { projectRoot } from "./stack-config";

const run = promisify(execFile);

/** What the child reports: a render, or the program's failure. */
export type IsolatedOutcome =
  | { ok: true; result: RenderResult }
  | { ok: false; message: string; problems?: string[]; registered: number };

/**
 * How to start the child from here: beside this file when it runs as TypeScript (tsx, with the same
 * loader flags) or compiled (dist/); through the launcher when it runs bundled (.build/, where the
 * child is a bundle of its own).
 */
function childCommand(): string[] {
  if (__filename.endsWith(".ts")) return [...process.execArgv, join(__dirname, "child.ts")];
  const compiled = join(__dirname, "child.js");
  if (existsSync(compiled)) return [...process.execArgv, compiled];
  return [join(projectRoot(__dirname), "tools", "start", "launch.js"), join("tools", "render", "child.ts")];
}

/** Renders `options` in a fresh process. */
export async function renderIsolated(options: RenderOptions): Promise<IsolatedOutcome> {
  const { stdout } = await run(process.execPath, [...childCommand(), JSON.stringify(options)], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PULUMI_CONFIG: "", PULUMI_CONFIG_SECRET_KEYS: "" },
  });
  return JSON.parse(stdout) as IsolatedOutcome;
}

/** Renders and throws on failure: for callers that expect the config to be valid. */
export async function renderIsolatedOk(options: RenderOptions): Promise<RenderResult> {
  const outcome = await renderIsolated(options);
  if (!outcome.ok) throw new Error(`render of ${options.stack} failed: ${outcome.message}`);
  return outcome.result;
}
