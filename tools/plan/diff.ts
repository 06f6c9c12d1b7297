/** Compares two rendered plans: what a config change (or a pull request) would change. */
import type { RenderedResource, RenderedStack } from "../render/harness";
import { isStateful } from "../render/stateful";
import type { ChangedResource, ColourSwitch, PlanDiff, PropertyChange, ResourceRef } from "./types";
import type { Violation } from "../../policies/types";

/** A resource's identity: its URN, so a resource moved to another parent is a delete and a create, as in the engine. */
function keyOf(r: { urn: string }): string {
  return r.urn;
}

function refOf(r: RenderedResource): ResourceRef {
  return { type: r.type, name: r.name, stateful: isStateful(r.type) };
}

/** Leaf-level differences between two JSON values, with dotted paths. */
export function propertyChanges(before: unknown, after: unknown, path: string): PropertyChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => propertyChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => propertyChanges(v, after[i], `${path}[${i}]`));
  }
  return [{ path, before, after }];
}

/** Apps whose `liveColour` output differs. */
function colourSwitches(before: Record<string, unknown>, after: Record<string, unknown>): ColourSwitch[] {
  const liveOf = (outputs: Record<string, unknown>, app: string): string | undefined => {
    const appOutputs = outputs[app];
    if (appOutputs === null || typeof appOutputs !== "object") return undefined;
    const live = (appOutputs as Record<string, unknown>).liveColour;
    return typeof live === "string" ? live : undefined;
  };
  const apps = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return apps.flatMap((app) => {
    const from = liveOf(before, app);
    const to = liveOf(after, app);
    return from && to && from !== to ? [{ app, from, to }] : [];
  });
}

export function diffPlans(before: RenderedStack, after: RenderedStack, violations: Violation[] = []): PlanDiff {
  const beforeByKey = new Map(before.resources.map((r) => [keyOf(r), r]));
  const afterByKey = new Map(after.resources.map((r) => [keyOf(r), r]));
  const added = after.resources.filter((r) => !beforeByKey.has(keyOf(r))).map(refOf);
  const removed = before.resources.filter((r) => !afterByKey.has(keyOf(r))).map(refOf);
  const changed: ChangedResource[] = [];
  for (const r of after.resources) {
    const old = beforeByKey.get(keyOf(r));
    if (!old) continue;
    const changes = [
      ...propertyChanges(old.inputs, r.inputs, "inputs"),
      ...propertyChanges(old.options, r.options, "options"),
    ];
    if (changes.length) changed.push({ ...refOf(r), changes });
  }
  return {
    before: before.stack,
    after: after.stack,
    added,
    removed,
    changed,
    outputs: propertyChanges(before.outputs, after.outputs, ""),
    colourSwitches: colourSwitches(before.outputs, after.outputs),
    statefulTouched: [...added, ...removed, ...changed].filter((r) => r.stateful).map(({ type, name, stateful }) => ({ type, name, stateful })),
    violations,
  };
}
