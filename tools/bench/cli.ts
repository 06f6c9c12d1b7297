/**
 * `npm run bench`: how long `pulumi preview/up` takes to start our program, and the offline plan, against
 * the floor (the same custom resources registered by one plain JavaScript file). Runs alternate, so load
 * from elsewhere on the machine falls on every kind alike; medians are printed with their ratio to the
 * floor, then a scaling run (the apps deployed 1…N times) with time and peak memory per size.
 *
 *   npm run bench -- [--stack production] [--runs 5] [--copies 5] [--json]
 *
 * Not a test: figures depend on the machine. Its latest figures are in the README ("Runtime").
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, renderStack } from "../render/harness";
import { floorProgram } from "./floor";
import { readNodejsRuntime, startAsPulumiWould } from "./language-host";

interface Options {
  stack: string;
  runs: number;
  copies: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { stack: "production", runs: 5, copies: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--stack") options.stack = value();
    else if (flag === "--runs") options.runs = Number(value());
    else if (flag === "--copies") options.copies = Number(value());
    else if (flag === "--json") options.json = true;
    else throw new Error(`unknown option ${flag}; usage: npm run bench -- [--stack s] [--runs n] [--copies n] [--json]`);
  }
  for (const key of ["runs", "copies"] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`--${key} must be a whole number ≥ 1`);
  }
  return options;
}

interface Sample {
  seconds: number;
  maxRssMiB: number;
  registered?: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${child.status}: ${child.stderr.slice(-2000)}`);
  const last = child.stdout.trim().split("\n").pop() ?? "";
  const reported = last.startsWith("{") ? (JSON.parse(last) as { registered?: number; maxRssMiB?: number }) : {};
  return { seconds, maxRssMiB: reported.maxRssMiB ?? 0, ...(reported.registered !== undefined ? { registered: reported.registered } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Least-squares line through (x, y) and its R². */
function fit(points: [number, number][]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const ssRes = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0);
  return { slope, intercept, r2: ssTot ? 1 - ssRes / ssTot : 1 };
}

const ROOT = projectRoot();
const BENCH_DIR = join(ROOT, ".build", "bench");
const LAUNCH = join(ROOT, "tools", "start", "launch.js");

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const plan = await renderStack({ stack: options.stack });
  mkdirSync(BENCH_DIR, { recursive: true });
  const floorFile = (copies: number) => join(BENCH_DIR, `floor-${options.stack}-${copies}.js`);
  for (let copies = 1; copies <= options.copies; copies++) writeFileSync(floorFile(copies), floorProgram(plan, copies));
  const scaledMain = join(BENCH_DIR, "scaled-main.js");
  writeFileSync(scaledMain, `"use strict";\nmodule.exports = require(${JSON.stringify(LAUNCH)}).program("tools/bench/scaled.ts");\n`);
  const runtime = readNodejsRuntime(ROOT);
  /** A cold start: no bundle, as on a fresh clone or after any source change. */
  const removeBuild = () => rmSync(join(ROOT, ".build", "index.js"), { force: true });

  const kinds: Record<string, () => Sample> = {
    floor: () => timed(process.execPath, [floorFile(1)]),
    "pulumi start, cold build": () => {
      removeBuild();
      return startAsPulumiWould(ROOT, options.stack, runtime);
    },
    "pulumi start, warm": () => startAsPulumiWould(ROOT, options.stack, runtime),
    [`plan -- ${options.stack}`]: () => timed(process.execPath, [LAUNCH, "tools/plan/cli.ts", options.stack]),
  };
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  kinds["pulumi start, warm"](); // builds what the warm runs load
  for (let run = 0; run < options.runs; run++) {
    const order = Object.keys(kinds);
    // Rotate the order every run, so no kind always follows the same one.
    for (const kind of [...order.slice(run % order.length), ...order.slice(0, run % order.length)]) samples[kind].push(kinds[kind]());
  }
  const floor = median(samples.floor.map((s) => s.seconds));
  const rows = Object.entries(samples).map(([kind, list]) => ({
    kind,
    medianSeconds: Number(median(list.map((s) => s.seconds)).toFixed(3)),
    ratioToFloor: Number((median(list.map((s) => s.seconds)) / floor).toFixed(2)),
    maxRssMiB: Math.max(...list.map((s) => s.maxRssMiB)),
    registered: list[0].registered,
  }));

  const scaling: { copies: number; resources: number; floorSeconds: number; seconds: number; maxRssMiB: number }[] = [];
  for (let copies = 1; copies <= options.copies; copies++) {
    const floorSample = timed(process.execPath, [floorFile(copies)]);
    const ours = startAsPulumiWould(ROOT, options.stack, { ...runtime, main: scaledMain }, { PLATFORM_BENCH_COPIES: String(copies) });
    scaling.push({ copies, resources: ours.registered, floorSeconds: Number(floorSample.seconds.toFixed(3)), seconds: Number(ours.seconds.toFixed(3)), maxRssMiB: ours.maxRssMiB });
  }
  const timeFit = fit(scaling.map((s) => [s.resources, s.seconds]));
  const memoryFit = fit(scaling.map((s) => [s.resources, s.maxRssMiB]));
  const report = {
    machine: { cores: (await import("node:os")).cpus().length, node: process.version },
    stack: options.stack,
    runs: options.runs,
    startPath: { main: runtime.main, typescript: runtime.typescript },
    rows,
    scaling,
    linear: {
      msPerResource: Number((timeFit.slope * 1000).toFixed(2)),
      timeR2: Number(timeFit.r2.toFixed(4)),
      kibPerResource: Number((memoryFit.slope * 1024).toFixed(0)),
      memoryR2: Number(memoryFit.r2.toFixed(4)),
    },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out: string[] = [`${options.stack}, ${options.runs} alternating runs, medians (${report.machine.cores} cores, Node ${report.machine.node})`, ""];
  out.push("| what | median | vs. floor | peak RSS |", "|---|---|---|---|");
  for (const r of rows) out.push(`| ${r.kind}${r.registered ? ` (${r.registered} resources)` : ""} | ${r.medianSeconds.toFixed(2)} s | ${r.ratioToFloor.toFixed(2)}× | ${r.maxRssMiB || "–"} MiB |`);
  out.push("", "| copies | resources | floor | ours | peak RSS |", "|---|---|---|---|---|");
  for (const s of scaling) out.push(`| ${s.copies} | ${s.resources} | ${s.floorSeconds.toFixed(2)} s | ${s.seconds.toFixed(2)} s | ${s.maxRssMiB} MiB |`);
  out.push("", `linear fit: ${report.linear.msPerResource} ms and ${report.linear.kibPerResource} KiB per resource (R² ${report.linear.timeR2} time, ${report.linear.memoryR2} memory)`);
  process.stdout.write(`${out.join("\n")}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
