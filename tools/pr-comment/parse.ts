/**
 * Reads a diff from untrusted JSON: a file written by `npm run plan -- ... --diff --json` (an artifact of
 * a pull request's workflow run, so written by the PR's code), or a real `pulumi preview --json`
 * (pulumi/pulumi `sdk/go/common/display/json.go` PreviewDigest). Fails with the path of the first bad
 * field; bounds every list and string so a hostile artifact cannot make the renderer's work or the
 * comment unbounded (the renderer escapes all text it prints).
 */
import { z } from "zod";
import { isStateful } from "../render/stateful";
import { DIFF_KINDS, type PlanDiff, STEP_OPS, type StepOp } from "../plan/types";

/** Bounds on untrusted input: generous for a real plan (a 2,000-resource diff is far below them). */
const MAX_STEPS = 20_000;
const MAX_ITEMS = 5_000;
const MAX_TEXT = 4_096;
const MAX_URN = 1_024;

const text = z.string().max(MAX_TEXT);
const urn = z.string().max(MAX_URN);
const stepOp = z.enum(STEP_OPS);
const diffKind = z.enum(DIFF_KINDS);

const propertyChange = z.object({ path: text, before: z.unknown(), after: z.unknown() });

const resourceState = z.object({
  urn,
  custom: z.boolean(),
  type: text,
  inputs: z.record(z.string(), z.unknown()).optional().default({}),
  parent: urn.optional(),
  protect: z.boolean().optional(),
  retainOnDelete: z.boolean().optional(),
  dependencies: z.array(urn).max(MAX_ITEMS).optional(),
  provider: z.string().max(MAX_URN * 2).optional(),
  propertyDependencies: z.record(z.string(), z.array(urn).max(MAX_ITEMS)).optional(),
  importID: text.optional(),
});

const step = z.object({
  op: stepOp,
  urn,
  provider: z.string().max(MAX_URN * 2).optional(),
  oldState: resourceState.optional(),
  newState: resourceState.optional(),
  diffReasons: z.array(text).max(MAX_ITEMS).optional(),
  replaceReasons: z.array(text).max(MAX_ITEMS).optional(),
  detailedDiff: z.record(z.string().max(MAX_TEXT), z.object({ kind: diffKind, inputDiff: z.boolean() })).nullable().optional().default(null),
  stateful: z.boolean().optional(),
  changes: z.array(propertyChange).max(MAX_ITEMS).optional(),
  replaceCauses: z.array(text).max(MAX_ITEMS).optional(),
  deleteBeforeReplace: z.boolean().optional(),
  mayReplace: z.array(text).max(MAX_ITEMS).optional(),
  uncertain: text.optional(),
});

const changeSummary = z.partialRecord(stepOp, z.number().int().nonnegative());

const violation = z.object({
  policy: text,
  level: z.enum(["advisory", "mandatory"]),
  resource: z.object({ urn, type: text, name: text }).optional(),
  message: text,
  fix: text,
});

/** The schema is annotated with the shared type, so a change to tools/plan/types.ts fails `tsc` here. */
const planDiff: z.ZodType<PlanDiff, unknown> = z.strictObject({
  steps: z.array(step).max(MAX_STEPS),
  changeSummary,
  source: z.enum(["offline-plan", "cloud-preview"]),
  before: text.optional(),
  after: text.optional(),
  colourSwitches: z.array(z.object({ app: text, from: text, to: text })).max(MAX_ITEMS),
  blocked: z.array(z.object({ urn, type: text, name: text, op: z.enum(["replace", "delete"]), reason: text })).max(MAX_ITEMS),
  violations: z.array(violation).max(MAX_ITEMS),
  outputs: z.array(propertyChange).max(MAX_ITEMS),
  notes: z.array(text).max(MAX_ITEMS).optional(),
});

/** What `pulumi preview --json` prints: steps and a change summary, none of our additions. */
const previewDigest = z.object({
  steps: z.array(step).max(MAX_STEPS).optional().default([]),
  changeSummary: changeSummary.optional().default({}),
});

function failure(source: string, error: z.ZodError, shape: string): Error {
  const issue = error.issues[0];
  const where = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  return new Error(`${source}: ${where || "(root)"}: ${issue.message}; expected ${shape}`);
}

/**
 * Parses JSON text into a PlanDiff: ours as it is, or a cloud preview's digest (steps and summary kept,
 * stateful steps marked from their type). Throws naming the offending field (e.g. `steps[0].op`).
 */
export function parsePlanDiff(text: string, source = "plan diff"): PlanDiff {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (json !== null && typeof json === "object" && "source" in json) {
    const ours = planDiff.safeParse(json);
    if (!ours.success) throw failure(source, ours.error, "the PlanDiff shape of tools/plan/types.ts");
    return ours.data;
  }
  const preview = previewDigest.safeParse(json);
  if (!preview.success) throw failure(source, preview.error, "a `pulumi preview --json` document (PreviewDigest)");
  return {
    steps: preview.data.steps.map((s) => {
      const type = s.newState?.type ?? s.oldState?.type;
      return type !== undefined && isStateful(type) ? { ...s, stateful: true } : s;
    }),
    changeSummary: preview.data.changeSummary as Partial<Record<StepOp, number>>,
    source: "cloud-preview",
    colourSwitches: [],
    blocked: [],
    violations: [],
    outputs: [],
  };
}
