// @ts-check
/**
 * The start path of `pulumi preview/up` and of the offline tools: each TypeScript entry point is bundled
 * once with esbuild into `.build/<entry>.js` and loaded as plain JavaScript, so no TypeScript loader,
 * type check or source map costs anything at start-up (type checking is `npm test`'s job).
 *
 * A build can never be stale: beside each bundle, `.build/<entry>.json` lists every source file the
 * bundle was made of with its SHA-256; before loading, every one is hashed again, and any difference (a
 * file edited, reverted, renamed or deleted, or another esbuild) rebuilds the bundle first. Hashing the
 * ~70 sources costs a few milliseconds; a rebuild ~0.1 s.
 *
 * Plain JavaScript on purpose: it must run before anything can compile TypeScript.
 */
"use strict";
const { createHash, randomUUID } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const MANIFEST_VERSION = 2;
/** Read by esbuild besides the sources (target, module, interop settings), so a change to it rebuilds too. */
const ALSO_READ = ["tsconfig.json"];

/**
 * @typedef {{ version: number, esbuild: string, bundle: string, inputs: Record<string, string> }} Manifest
 * @typedef {{ root?: string, outDir?: string }} LaunchOptions
 */

/** @param {string} file */
function sha256(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** @param {string} entry @param {LaunchOptions} options */
function paths(entry, options) {
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? path.join(root, ".build");
  const base = entry.replace(/\.ts$/, "").replace(/[\\/]/g, "__");
  return { root, bundle: path.join(outDir, `${base}.js`), manifest: path.join(outDir, `${base}.json`) };
}

/**
 * Why the bundle of `entry` must be rebuilt, or undefined when it is current.
 * @param {string} entry path of the TypeScript entry, relative to the root
 * @param {LaunchOptions} [options]
 * @returns {string | undefined}
 */
function staleReason(entry, options = {}) {
  const { root, bundle, manifest } = paths(entry, options);
  if (!fs.existsSync(bundle) || !fs.existsSync(manifest)) return "no build yet";
  /** @type {Manifest} */
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch {
    return "unreadable manifest";
  }
  if (recorded.version !== MANIFEST_VERSION) return "manifest from another launcher";
  if (recorded.esbuild !== esbuildVersion(root)) return "another esbuild";
  // The bundle beside the manifest is the one the manifest was written for (not a concurrent build's).
  if (sha256(bundle) !== recorded.bundle) return "the bundle is not the one recorded";
  for (const [file, digest] of Object.entries(recorded.inputs)) {
    const absolute = path.join(root, file);
    if (!fs.existsSync(absolute)) return `${file} is gone`;
    if (sha256(absolute) !== digest) return `${file} changed`;
  }
  return undefined;
}

/** @param {string} root */
function esbuildVersion(root) {
  return JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json", { paths: [root] }), "utf8")).version;
}

/**
 * Bundles `entry` (and every project file it imports; packages stay external) into `.build/`.
 * Written to temporary files and renamed, so a concurrent run never loads half a bundle.
 * @param {string} entry
 * @param {LaunchOptions} [options]
 * @returns {string} the bundle's path
 */
function build(entry, options = {}) {
  const { root, bundle, manifest } = paths(entry, options);
  /** @type {typeof import("esbuild")} */
  const esbuild = require(require.resolve("esbuild", { paths: [root] }));
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  const temporary = `${bundle}.${randomUUID()}.tmp`;
  const started = Date.now();
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The Node the project declares (package.json engines).
    target: "node24",
    // Packages are loaded from node_modules as they are: only the project's own files are bundled.
    packages: "external",
    // No source map: the SDK captures a stack trace for every resource, and mapping each costs
    // milliseconds (issue 11's profile: ~1 s of a 4 s plan).
    sourcemap: false,
    metafile: true,
    logLevel: "error",
  });
  /** @type {Manifest} */
  const recorded = { version: MANIFEST_VERSION, esbuild: esbuildVersion(root), bundle: sha256(temporary), inputs: {} };
  const inputs = [...Object.keys(result.metafile.inputs), ...ALSO_READ.filter((f) => fs.existsSync(path.join(root, f)))].sort();
  // A source saved while esbuild read it: the bundle may hold the old text, so no manifest is written
  // for it and the next start builds again.
  const changedDuringBuild = inputs.some((input) => fs.statSync(path.join(root, input)).mtimeMs >= started);
  for (const input of inputs) recorded.inputs[input] = sha256(path.join(root, input));
  fs.renameSync(temporary, bundle);
  if (changedDuringBuild) {
    fs.rmSync(manifest, { force: true });
    return bundle;
  }
  const temporaryManifest = `${manifest}.${randomUUID()}.tmp`;
  fs.writeFileSync(temporaryManifest, `${JSON.stringify(recorded, null, 1)}\n`);
  fs.renameSync(temporaryManifest, manifest);
  return bundle;
}

/**
 * The module exports of `entry`, built first when its bundle is missing or stale.
 * @param {string} entry
 * @param {LaunchOptions} [options]
 * @returns {unknown}
 */
function load(entry, options = {}) {
  const reason = staleReason(entry, options);
  const bundle = reason === undefined ? paths(entry, options).bundle : build(entry, options);
  if (reason !== undefined && process.env.PLATFORM_LAUNCH_VERBOSE) process.stderr.write(`rebuilt ${entry}: ${reason}\n`);
  return require(bundle);
}

/**
 * The program function a Pulumi entry exports: the `default` export of `entry`'s bundle.
 *
 * The language host registers source-map-support before it loads the program (@pulumi/pulumi
 * cmd/run/index.js), and the SDK reads `new Error().stack` at unlimited depth for every resource it
 * registers, to record its source position (resource.js Resource.callsites). Mapping every frame of
 * those stacks through the SDK's own source maps took ~2.5 s of a ~5 s start for production's ~390
 * resources (npm run bench). The bundle has no source map, so V8's own stack format is restored: what
 * changes is that stack traces and the recorded source positions name compiled JavaScript
 * (the bundles in .build, the SDK's .js files) instead of the SDK's TypeScript sources.
 * @param {string} entry
 * @returns {() => Promise<Record<string, unknown>>}
 */
function program(entry) {
  Reflect.deleteProperty(Error, "prepareStackTrace");
  const loaded = /** @type {{ default?: unknown }} */ (load(entry));
  if (typeof loaded.default !== "function") throw new Error(`${entry} must export its program as the default export`);
  return /** @type {() => Promise<Record<string, unknown>>} */ (loaded.default);
}

module.exports = { load, build, staleReason, program };

// `node tools/start/launch.js <entry.ts> [args...]`: run an offline tool (the plan, the PR comment, the bench).
if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write("usage: node tools/start/launch.js <entry.ts> [args...]\n");
    process.exit(64);
  }
  process.argv = [process.argv[0], path.join(ROOT, entry), ...args];
  load(entry);
}
