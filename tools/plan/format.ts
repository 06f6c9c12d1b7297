/** Human-readable forms of a plan, a plan diff and policy violations. */
import type { Violation } from "../../policies/types";
import type { RenderedResource, RenderedStack } from "../render/harness";
import { stackUrn } from "../render/urn";
import type { PlanDiff, ResourceRef } from "./types";

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

function ref(r: ResourceRef): string {
  return `${r.name} (${r.type})${r.stateful ? "  ⚠ STATEFUL" : ""}`;
}

export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [`desired-state diff ${diff.before} → ${diff.after} (offline plan, not the cloud's)`];
  for (const s of diff.colourSwitches) lines.push(`colour switch: ${s.app}: live ${s.from} → ${s.to}`);
  if (diff.statefulTouched.length) {
    lines.push("", "⚠ STATEFUL RESOURCES TOUCHED:", ...diff.statefulTouched.map((r) => `  ! ${ref(r)}`));
  }
  if (diff.added.length) lines.push("", `added (${diff.added.length}):`, ...diff.added.map((r) => `  + ${ref(r)}`));
  if (diff.removed.length) lines.push("", `removed (${diff.removed.length}):`, ...diff.removed.map((r) => `  - ${ref(r)}`));
  if (diff.changed.length) {
    lines.push("", `changed (${diff.changed.length}):`);
    for (const r of diff.changed) {
      lines.push(`  ~ ${ref(r)}`);
      for (const c of r.changes) lines.push(`      ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
    }
  }
  if (diff.outputs.length) {
    lines.push("", "outputs:", ...diff.outputs.map((c) => `  ~ ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`));
  }
  if (!diff.added.length && !diff.removed.length && !diff.changed.length && !diff.outputs.length) lines.push("no changes");
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
