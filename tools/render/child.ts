/** Child-process entry of {@link renderIsolated}: renders the stack named in argv[2] and prints JSON. */
import { ConfigError } from "../../config";
import { renderStack, RenderFailure, type RenderOptions } from "./harness";
import type { IsolatedOutcome } from "./isolated";

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as RenderOptions;
  let outcome: IsolatedOutcome;
  try {
    outcome = { ok: true, result: await renderStack(options) };
  } catch (err) {
    const reason = err instanceof RenderFailure ? err.reason : err;
    outcome = {
      ok: false,
      message: reason instanceof Error ? reason.message : String(reason),
      problems: reason instanceof ConfigError ? [...reason.problems] : undefined,
      registered: err instanceof RenderFailure ? err.registered : 0,
    };
  }
  // Exit 0 whatever the program did: the outcome says how it went, and Pulumi's runtime may have
  // set a failing exit code while logging the error it threw.
  process.stdout.write(JSON.stringify(outcome), () => process.exit(0));
}

void main();
