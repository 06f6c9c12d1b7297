// @ts-check
/**
 * The deploy job's summary of a stack after `pulumi up`: per app, the live colour, the live URL and
 * the version each colour runs, and nothing else. The job summary is readable by everyone who can read
 * the repository, so addresses, host keys, account IDs and ARNs, which `pulumi stack output` also
 * holds, stay out of it (security review L9).
 *
 *   pulumi stack output --stack <stack> --json | node tools/deploy/summary.js <stack> <commit>
 *
 * Plain JavaScript: the deploy jobs install with --ignore-scripts and run no build step.
 */
"use strict";

/** Output keys an app may publish in the summary; every other key is left out. */
const SHOWN = ["liveColour", "canaryPercent", "liveUrl", "versions"];

/**
 * A Markdown value: inline code with any backtick removed, so an output cannot add markup.
 * @param {unknown} value
 */
function code(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return "`" + String(text).replace(/[`\r\n|]/g, "") + "`";
}

/**
 * @param {unknown} outputs `pulumi stack output --json`: app name → that app's outputs
 * @param {string} stack
 * @param {string} commit
 * @returns {string}
 */
function summarise(outputs, stack, commit) {
  const lines = [`### Stack ${code(stack)} after \`pulumi up\` of ${code(commit.slice(0, 7))}`, "", "| app | " + SHOWN.join(" | ") + " |", "|---|" + SHOWN.map(() => "---|").join("")];
  const apps = outputs !== null && typeof outputs === "object" ? Object.entries(outputs) : [];
  for (const [app, value] of apps.sort(([a], [b]) => a.localeCompare(b))) {
    /** @type {Record<string, unknown>} */
    const fields = value !== null && typeof value === "object" ? /** @type {Record<string, unknown>} */ (value) : {};
    lines.push(`| ${code(app)} | ` + SHOWN.map((key) => (fields[key] === undefined ? "" : code(fields[key]))).join(" | ") + " |");
  }
  lines.push("", "Full outputs: `pulumi stack output --stack <stack>` with access to the stack.");
  return lines.join("\n") + "\n";
}

module.exports = { summarise, SHOWN };

if (require.main === module) {
  const [stack, commit] = process.argv.slice(2);
  if (!stack || !commit) {
    process.stderr.write("usage: pulumi stack output --json | node tools/deploy/summary.js <stack> <commit>\n");
    process.exit(64);
  }
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (input += chunk));
  process.stdin.on("end", () => process.stdout.write(summarise(JSON.parse(input), stack, commit)));
}
