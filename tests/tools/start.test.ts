/**
 * The start path `pulumi preview/up` takes, as Pulumi.yaml configures it: the bundled program, rebuilt
 * whenever a source differs from what it was built from, on the Node the project declares.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readNodejsRuntime, startAsPulumiWould } from "../../tools/bench/language-host";
import { projectRoot } from "../../tools/render/stack-config";
import { renderOnce } from "../support";

const ROOT = projectRoot();
const LAUNCH = join(ROOT, "tools", "start", "launch.js");

test("Pulumi.yaml starts the bundled program with no TypeScript loader", () => {
  const runtime = readNodejsRuntime(ROOT);
  assert.equal(runtime.typescript, false, "no ts-node registration at start-up");
  assert.equal(runtime.main, "tools/start/main.js");
});

test("the entry Pulumi.yaml names runs the whole program when the language host starts it", async () => {
  // The language host requires `main` and calls what it exports only when that is a function: a
  // module whose program is its `default` export would register nothing at all.
  const started = startAsPulumiWould(ROOT, "staging");
  assert.equal(started.ok, true, started.error);
  const plan = await renderOnce("staging");
  // The host also registers the root stack resource, which the harness does not list.
  assert.equal(started.registered, plan.resources.length + 1);
});

/** A throwaway project: package.json, node_modules (the real one, for esbuild) and TypeScript sources. */
function scratchProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "platform-start-"));
  writeFileSync(join(root, "package.json"), "{}\n");
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  return root;
}

/** Loads `entry` through the launcher in a fresh process and returns its `value` export. */
function loadValue(root: string, entry: string): string {
  return execFileSync(process.execPath, ["-e", `process.stdout.write(String(require(${JSON.stringify(LAUNCH)}).load(${JSON.stringify(entry)}, { root: ${JSON.stringify(root)} }).value))`], {
    encoding: "utf8",
  });
}

test("a bundle is rebuilt whenever a source it was built from changes, even to older content and time", () => {
  const launch = require(LAUNCH) as { staleReason(entry: string, options: { root: string }): string | undefined };
  const root = scratchProject({ "entry.ts": 'import { part } from "./part";\nexport const value: string = `one-${part}`;\n', "part.ts": 'export const part = "a";\n' });
  try {
    assert.equal(launch.staleReason("entry.ts", { root }), "no build yet");
    assert.equal(loadValue(root, "entry.ts"), "one-a");
    assert.equal(launch.staleReason("entry.ts", { root }), undefined);

    // An imported file changes, and its modification time is set back to before the build: still caught.
    writeFileSync(join(root, "part.ts"), 'export const part = "b";\n');
    utimesSync(join(root, "part.ts"), new Date(2000, 0, 1), new Date(2000, 0, 1));
    assert.equal(launch.staleReason("entry.ts", { root }), "part.ts changed");
    assert.equal(loadValue(root, "entry.ts"), "one-b");

    rmSync(join(root, "part.ts"));
    assert.equal(launch.staleReason("entry.ts", { root }), "part.ts is gone");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the tests run on the Node the project declares in package.json engines", () => {
  const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
  const minimum = /^>=(\d+)$/.exec(engines);
  assert.ok(minimum, `engines.node is ${engines}; this test reads the form >=N`);
  const major = Number(process.versions.node.split(".")[0]);
  assert.ok(major >= Number(minimum[1]), `Node ${process.versions.node} runs the tests, but package.json requires ${engines}`);
});
