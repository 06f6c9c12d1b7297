/** Human-readable forms of a plan, a plan diff and policy violations. */
import type { Violation } from "../../policies/types";
import type { RenderedResource, RenderedStack } from "../render/harness";
import { parseUrn, stackUrn } from "../render/urn";
import { PRIMARY_OPS, type PlanDiff, type PreviewStep, type StepOp } from "./types";

const MAX_SETTINGS = 6;

/** The settings worth a glance: short scalar inputs, and the options that protect or adopt. */
function settings(r: RenderedResource): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(r.inputs)) {
    if (parts.length >= MAX_SETTINGS) break;
    if (["string", "number", "boolean"].includes(typeof value) && String(value).length <= 60 && !String(value).includes("\n")) {
      parts.push(`${key}=${String(value)}`);
    }
  }
  const flags = [
    r.options.protect ? "protect" : "",
    r.options.retainOnDelete ? "retainOnDelete" : "",
    r.options.deleteBeforeReplace ? "deleteBeforeReplace" : "",
    r.options.import ? `import=${r.options.import}` : "",
  ].filter(Boolean);
  return [...parts, ...(flags.length ? [`[${flags.join(", ")}]`] : [])].join(" ");
}

/** app → component → resource, indented by parentage. */
export function formatTree(plan: RenderedStack): string {
  const children = new Map<string, RenderedResource[]>();
  for (const r of plan.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const root = stackUrn(plan.stack, plan.project);
  const lines = [`stack ${plan.stack}: ${plan.resources.length} resources`];
  const seen = new Set<RenderedResource>();
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      if (seen.has(r)) continue;
      seen.add(r);
      const detail = settings(r);
      lines.push(`${"  ".repeat(depth)}${r.type.startsWith("platform:") ? "▸" : "-"} ${r.name} (${r.type})${detail ? `  ${detail}` : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(root, 1);
  lines.push("outputs:", ...JSON.stringify(plan.outputs, null, 2).split("\n").map((l) => `  ${l}`));
  return `${lines.join("\n")}\n`;
}

/** `name (type)` of a URN. */
function refOf(urn: string): string {
  const { type, name } = parseUrn(urn);
  return `${name} (${type})`;
}

const OP_MARK: Partial<Record<StepOp, string>> = { create: "+", import: "=", update: "~", replace: "+-", delete: "-" };

/** One primary step: its mark, what it is, and why (secondary replacement steps are folded into `replace`). */
function stepLines(step: PreviewStep): string[] {
  const flags = [
    step.stateful ? "⚠ STATEFUL" : "",
    step.op === "replace" ? (step.deleteBeforeReplace ? "delete first: down until the new one is up" : "new one created first") : "",
    step.uncertain ? "? replacement rule unknown" : "",
  ].filter(Boolean);
  const lines = [`  ${OP_MARK[step.op] ?? step.op} ${step.op} ${refOf(step.urn)}${flags.length ? `  [${flags.join("; ")}]` : ""}`];
  for (const cause of step.replaceCauses ?? []) lines.push(`      because ${cause}`);
  for (const maybe of step.mayReplace ?? []) lines.push(`      may replace: ${maybe}`);
  for (const c of step.changes ?? []) lines.push(`      ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
  return lines;
}

export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [`desired-state diff ${diff.before ?? "?"} → ${diff.after ?? "?"} (offline plan, not the cloud's)`];
  for (const s of diff.colourSwitches) lines.push(`colour switch: ${s.app}: live ${s.from} → ${s.to}`);
  if (diff.blocked.length) {
    lines.push("", `✗ BLOCKED (${diff.blocked.length}): pulumi up would refuse these`, ...diff.blocked.map((b) => `  ✗ ${b.op} ${b.name} (${b.type}): ${b.reason}`));
  }
  const primary = diff.steps.filter((s) => PRIMARY_OPS.includes(s.op));
  // Replacements first, stateful ones first among them; then deletions, creations, updates.
  const rank = (s: PreviewStep) => ["replace", "delete", "create", "import", "update"].indexOf(s.op) * 2 + (s.stateful ? 0 : 1);
  const ordered = [...primary].sort((a, b) => rank(a) - rank(b));
  if (ordered.length) lines.push("", `steps (${ordered.length}):`, ...ordered.flatMap(stepLines));
  if (diff.outputs.length) {
    lines.push("", "outputs:", ...diff.outputs.map((c) => `  ~ ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`));
  }
  const summary = Object.entries(diff.changeSummary).map(([op, n]) => `${n} ${op}`).join(", ");
  lines.push("", ordered.length || diff.outputs.length ? `summary: ${summary}` : "no changes");
  for (const note of diff.notes ?? []) lines.push(`note: ${note}`);
  if (diff.violations.length) lines.push("", formatViolations(diff.violations).trimEnd());
  return `${lines.join("\n")}\n`;
}

export function formatViolations(violations: readonly Violation[]): string {
  if (!violations.length) return "";
  const lines = [`policy violations (${violations.length}):`];
  for (const v of violations) {
    const where = v.resource ? `${v.resource.name} (${v.resource.type})` : "stack";
    lines.push(`  ${v.level === "mandatory" ? "✗ MANDATORY" : "△ advisory"} ${v.policy}: ${where}: ${v.message}`, `      fix: ${v.fix}`);
  }
  return `${lines.join("\n")}\n`;
}
