/**
 * Prints the pull-request comment (Markdown) for a plan diff:
 *
 *   tsx tools/pr-comment/cli.ts <diff.json|-> [--stack <name>] [--source offline-plan|cloud-preview]
 *                                [--base <sha>] [--head <sha>] [--max-bytes <n>]
 *
 * `<diff.json>` is what `npm run plan -- diff base.json head.json --json` prints; `-` reads stdin.
 * Exit status 2 on a usage error or a malformed diff, with the reason on stderr.
 */
import { readFileSync } from "node:fs";
import { parsePlanDiff } from "./parse";
import { renderPlanComment, type DiffSource, type RenderOptions } from "./render";

export interface CliArgs {
  file: string;
  options: RenderOptions;
}

const USAGE =
  "usage: pr-comment <diff.json|-> [--stack <name>] [--source offline-plan|cloud-preview] [--base <sha>] [--head <sha>] [--max-bytes <n>]";

/** Parses the command line; throws a message naming the bad argument. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const options: RenderOptions = {};
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${arg}: needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case "--stack":
        options.stack = value();
        break;
      case "--source": {
        const v = value();
        if (v !== "offline-plan" && v !== "cloud-preview") {
          throw new Error(`--source: "${v}" is not allowed; use offline-plan or cloud-preview`);
        }
        options.source = v satisfies DiffSource;
        break;
      }
      case "--base":
        options.baseCommit = value();
        break;
      case "--head":
        options.headCommit = value();
        break;
      case "--max-bytes": {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0) throw new Error(`--max-bytes: "${v}" is not a positive integer`);
        options.maxBytes = n;
        break;
      }
      default:
        if (arg.startsWith("--") || file !== undefined) throw new Error(`${arg}: unexpected argument\n${USAGE}`);
        file = arg;
    }
  }
  if (file === undefined) throw new Error(`missing the diff file\n${USAGE}`);
  return { file, options };
}

function main(argv: readonly string[]): number {
  try {
    const { file, options } = parseCliArgs(argv);
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    const diff = parsePlanDiff(text, file === "-" ? "stdin" : file);
    process.stdout.write(renderPlanComment(diff, options) + "\n");
    return 0;
  } catch (err) {
    process.stderr.write(`pr-comment: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
