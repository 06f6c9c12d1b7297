/** Child-process entry of {@link renderIsolated}: renders the stack named in argv[2] and prints JSON. */
import { renderOutcome, type RenderOptions } from "./harness";

async function main(): Promise<void> {
  const outcome = await renderOutcome(JSON.parse(process.argv[2] ?? "{}") as RenderOptions);
  // Exit 0 whatever the program did: the outcome says how it went, and Pulumi's runtime may have
  // set a failing exit code while logging the error it threw.
  process.stdout.write(JSON.stringify(outcome), () => process.exit(0));
}

void main();
