/**
 * Reads a PlanDiff from untrusted JSON (a file written by `npm run plan -- diff ... --json`, or an
 * artifact of a pull request's workflow run) and fails with the path of the first bad field.
 */
import { z } from "zod";
import type { PlanDiff } from "../plan/types";

const resourceRef = z.object({
  type: z.string(),
  name: z.string(),
  stateful: z.boolean(),
});

const propertyChange = z.object({
  path: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

const violation = z.object({
  policy: z.string(),
  level: z.enum(["advisory", "mandatory"]),
  resource: z.object({ urn: z.string(), type: z.string(), name: z.string() }).optional(),
  message: z.string(),
  fix: z.string(),
});

/** The schema is annotated with the shared type, so a change to tools/plan/types.ts fails `tsc` here. */
const planDiff: z.ZodType<PlanDiff> = z.object({
  before: z.string(),
  after: z.string(),
  added: z.array(resourceRef),
  removed: z.array(resourceRef),
  changed: z.array(resourceRef.extend({ changes: z.array(propertyChange) })),
  outputs: z.array(propertyChange),
  colourSwitches: z.array(z.object({ app: z.string(), from: z.string(), to: z.string() })),
  statefulTouched: z.array(resourceRef),
  violations: z.array(violation),
});

/** Parses JSON text into a PlanDiff; throws naming the offending field (e.g. `changed[0].changes`). */
export function parsePlanDiff(text: string, source = "plan diff"): PlanDiff {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const result = planDiff.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    throw new Error(`${source}: ${where || "(root)"}: ${issue.message}; expected the PlanDiff shape of tools/plan/types.ts`);
  }
  return result.data;
}
