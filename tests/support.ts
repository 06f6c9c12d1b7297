/** Small helpers shared by the tests: finding rendered resources and running the real tools. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RenderedResource, RenderedStack } from "../tools/render/harness";

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
