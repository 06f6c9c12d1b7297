/**
 * Renders a stack in a child process. Pulumi's mocks are global, so a test or the plan that needs
 * two renders (before and after an override) runs each in its own process through this.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RenderOptions, RenderResult } from "./harness";

const run = promisify(execFile);

/** What the child reports: a render, or the program's failure. */
export type IsolatedOutcome =
  | { ok: true; result: RenderResult }
  | { ok: false; message: string; problems?: string[]; registered: number };

/** Renders `options` in a fresh process; the same loader flags (tsx or none) as this one. */
export async function renderIsolated(options: RenderOptions): Promise<IsolatedOutcome> {
  const child = join(__dirname, `child${__filename.endsWith(".ts") ? ".ts" : ".js"}`);
  const { stdout } = await run(process.execPath, [...process.execArgv, child, JSON.stringify(options)], {
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
