// @ts-check
/**
 * The program's entry point for `pulumi preview/up` (Pulumi.yaml `main`, with `typescript: false`): the
 * bundled index.ts, rebuilt first whenever a source differs from what it was built from
 * (tools/start/launch.js). The Node language host `require`s this file and calls what it exports when
 * that is a function; it does not look inside a module's `default`, so the program's default export is
 * what this module exports.
 */
"use strict";
module.exports = require("./launch").program("index.ts");
