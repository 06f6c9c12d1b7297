/**
 * `pulumi preview`'s start path without the CLI, for the benchmark and the start-path test. The parent
 * ({@link languageHostEnv}) does what pulumi-language-nodejs does before it starts Node: reads Pulumi.yaml's
 * `main` and `runtime.options` (`typescript` → PULUMI_NODEJS_TYPESCRIPT, `tsconfig` →
 * PULUMI_NODEJS_TSCONFIG_PATH, `nodeargs` → Node's arguments) and passes the stack's config as
 * PULUMI_CONFIG. This child then does what `@pulumi/pulumi/cmd/run` does (source-map-support, then
 * `run()` with the program path), with the harness's mocks standing in for the engine, and prints how
 * many resources the program registered and how it ended, as JSON on stdout.
 *
 *   node tools/start/launch.js tools/bench/language-host.ts <root> <stack> <program>
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeSync } from "node:fs";
import Module from "node:module";
import { dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { createMocks } from "../render/mocks";
import { readStackConfig, toProgramConfig } from "../render/stack-config";

/** What the child reports. */
export interface HostOutcome {
  registered: number;
  ok: boolean;
  error?: string;
  /** Peak resident set size of the child, in MiB. */
  maxRssMiB: number;
}

/** Pulumi.yaml's nodejs runtime options that decide the start path (pulumi-language-nodejs). */
export interface NodejsRuntime {
  /** Pulumi.yaml `main`: the program path, relative to the project; `.` when unset. */
  main: string;
  typescript: boolean;
  tsconfig?: string;
  nodeargs: string[];
}

/** Reads Pulumi.yaml as the language host does: `typescript` defaults to true. */
export function readNodejsRuntime(root: string): NodejsRuntime {
  const project = YAML.parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
    main?: string;
    runtime?: string | { name: string; options?: { typescript?: boolean; tsconfig?: string; nodeargs?: string } };
  };
  const options = typeof project.runtime === "object" ? (project.runtime.options ?? {}) : {};
  return {
    main: project.main ?? ".",
    typescript: options.typescript ?? true,
    ...(options.tsconfig !== undefined ? { tsconfig: options.tsconfig } : {}),
    nodeargs: options.nodeargs ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
  };
}

/** The environment pulumi-language-nodejs gives the program's Node process, for `stack`. */
export function languageHostEnv(root: string, stack: string, runtime: NodejsRuntime): NodeJS.ProcessEnv {
  const config = toProgramConfig(readStackConfig(root, stack));
  return {
    PULUMI_NODEJS_TYPESCRIPT: String(runtime.typescript),
    ...(runtime.tsconfig !== undefined ? { PULUMI_NODEJS_TSCONFIG_PATH: runtime.tsconfig } : {}),
    PULUMI_CONFIG: JSON.stringify(config.values),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
  };
}

/**
 * Starts the program as `pulumi preview` would, in a child process, and returns what it reported with
 * the wall time of the whole child (process start to exit).
 */
export function startAsPulumiWould(
  root: string,
  stack: string,
  runtime: NodejsRuntime = readNodejsRuntime(root),
  extraEnv: NodeJS.ProcessEnv = {},
): HostOutcome & { seconds: number } {
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [...runtime.nodeargs, join(root, "tools", "start", "launch.js"), join("tools", "bench", "language-host.ts"), root, stack, runtime.main],
    { cwd: root, encoding: "utf8", env: { ...process.env, ...languageHostEnv(root, stack, runtime), ...extraEnv }, maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0 && !child.stdout.includes('"ok":false')) throw new Error(`the emulated language host exited ${child.status}: ${child.stderr}`);
  const outcome = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as HostOutcome;
  // A start that failed (or registered nothing) is not a start to time.
  if (!outcome.ok || outcome.registered <= 1) throw new Error(`the program did not start: ${outcome.error ?? `${outcome.registered} resources registered`}`);
  return { ...outcome, seconds };
}

type Run = (argv: { _: string[]; pwd: string }, programStarted: () => void, reportLoggedError: (err: Error) => void, isErrorReported: (err: Error) => boolean) => Promise<unknown>;

async function main(root: string, stack: string, program: string): Promise<void> {
  // cmd/run/index.js registers source-map-support before anything else.
  const sdk = dirname(require.resolve("@pulumi/pulumi/package.json"));
  require(require.resolve("source-map-support/register", { paths: [sdk] }));
  const project = (YAML.parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  let registered = 0;
  const mocks = createMocks(async () => new Set<string>(), (v) => v);
  await pulumi.runtime.setMocks(
    {
      ...mocks,
      newResource: (args) => {
        registered++;
        return mocks.newResource(args);
      },
    },
    project,
    stack,
    true,
  );
  // run.js imports cmd/run/index.js, whose module body parses the CLI's flags and connects to the engine's
  // monitor; mocks stand in for that here, so the index module is stubbed with the one value run.js reads.
  const index = join(sdk, "cmd", "run", "index.js");
  const stub = new Module(index);
  stub.filename = index;
  stub.loaded = true;
  stub.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
  require.cache[index] = stub;
  const { run } = require(join(sdk, "cmd", "run", "run.js")) as { run: Run };
  let failure: string | undefined;
  // Reported when the event loop has drained, as the language host's process ends: every registration done.
  process.on("exit", () => {
    const result: HostOutcome = { registered, ok: failure === undefined, ...(failure !== undefined ? { error: failure } : {}), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
    writeSync(1, `${JSON.stringify(result)}\n`);
    // The runtime may have set a failing code while logging; the outcome says how it went.
    process.exitCode = failure === undefined ? 0 : 1;
  });
  try {
    await run({ _: [program], pwd: root }, () => {}, () => {}, () => false);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
}

if (process.argv[1]?.replace(/\.js$/, ".ts").endsWith(join("tools", "bench", "language-host.ts"))) {
  const [root, stack, program] = process.argv.slice(2);
  void main(root, stack, program);
}
