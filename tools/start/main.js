// @ts-check
/**
 * The program's entry point for `pulumi preview/up` (Pulumi.yaml `main`, with `typescript: false`): the
 * bundled index.ts, rebuilt first whenever a source differs from what it was built from
 * (tools/start/launch.js). The Node language host `require`s this file and calls what it exports when
 * that is a function; it does not look inside a module's `default`, so the program's default export is
 * what this module exports.
 */
"use strict";
// The language host registers source-map-support before it loads the program (@pulumi/pulumi
// cmd/run/index.js), and the SDK reads `new Error().stack` at unlimited depth for every resource it
// registers, to record its source position (resource.js Resource.callsites). Mapping every frame of
// those stacks through the SDK's own source maps took ~2.5 s of a ~5 s start for production's ~390
// resources (npm run bench). The bundle has no source map, so V8's own stack format is restored: what
// changes is that stack traces and the recorded source positions name compiled JavaScript
// (.build/index.js, node_modules/@pulumi/*/*.js) instead of the SDK's TypeScript sources.
Error.prepareStackTrace = undefined;
const program = /** @type {{ default: () => Promise<Record<string, unknown>> }} */ (require("./launch").load("index.ts"));
module.exports = program.default;
