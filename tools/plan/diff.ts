/**
 * Compares two rendered plans and predicts what the engine would do: create, update, replace or delete
 * each resource, and why. Mocks never replace anything, so the prediction is ours: which inputs force
 * replacement comes from the providers' schemas (./replacement.ts), plus `replaceOnChanges`, a changed
 * provider, and the cascade (a replaced resource's outputs are unknown until it exists again, so an
 * input that takes them and forces replacement replaces the dependent too). A replacement or deletion of
 * a protected resource is blocked, as `pulumi up` would refuse it.
 */
import type { Violation } from "../../policies/types";
import type { RenderedResource, RenderedStack } from "../render/harness";
import { isStateful } from "../render/stateful";
import { conditionalReplacements, forcesReplacement, REPLACEMENT_RULES, ReplacementRuleError, type ReplacementRule } from "./replacement";
import type { BlockedChange, ColourSwitch, DiffKind, PlanDiff, PreviewStep, PropertyChange, PropertyDiff, ResourceState, StepOp } from "./types";
import { PRIMARY_OPS } from "./types";

/** The engine's placeholder for a value not known during a preview (pulumi/pulumi `plugin.UnknownStringValue`). */
export const UNKNOWN_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Shown for a secret whose value differs between the plans; the value itself never is. */
export const SECRET_CHANGED = "[secret] (changed)";

export interface DiffOptions {
  /** Replacement rules per type. Default: the providers' ({@link REPLACEMENT_RULES}). */
  rules?: Readonly<Record<string, ReplacementRule>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Leaf-level differences between two JSON values, with dotted paths (`a.b[2].c`). */
export function propertyChanges(before: unknown, after: unknown, path: string): PropertyChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => propertyChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => propertyChanges(v, after[i], `${path}[${i}]`));
  }
  return [{ path, before, after }];
}

/** The top-level key of a dotted input path: `ingress[0].port` → `ingress`. */
function topKey(path: string): string {
  return path.split(/[.[]/)[0];
}

/** Whether `path` is at or under `prefix` (`tags` covers `tags.app` and `tags`). */
function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** Apps whose `liveColour` output differs. */
function colourSwitches(before: Record<string, unknown>, after: Record<string, unknown>): ColourSwitch[] {
  const liveOf = (outputs: Record<string, unknown>, app: string): string | undefined => {
    const appOutputs = outputs[app];
    if (!isObject(appOutputs)) return undefined;
    return typeof appOutputs.liveColour === "string" ? appOutputs.liveColour : undefined;
  };
  const apps = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return apps.flatMap((app) => {
    const from = liveOf(before, app);
    const to = liveOf(after, app);
    return from && to && from !== to ? [{ app, from, to }] : [];
  });
}

function stateOf(r: RenderedResource): ResourceState {
  return {
    urn: r.urn,
    custom: !isComponent(r.type),
    type: r.type,
    inputs: r.inputs,
    parent: r.parent,
    protect: r.options.protect,
    retainOnDelete: r.options.retainOnDelete,
    ...(r.options.dependsOn.length ? { dependencies: r.options.dependsOn } : {}),
    ...providerOf(r),
    ...(Object.keys(r.propertyDependencies).length ? { propertyDependencies: r.propertyDependencies } : {}),
    ...(r.options.import !== undefined ? { importID: r.options.import } : {}),
  };
}

/** What changed on a resource kept by URN: its inputs (secrets by digest), then its options. */
function changesOf(old: RenderedResource, current: RenderedResource, secretsComparable: boolean): { inputs: PropertyChange[]; options: PropertyChange[] } {
  const inputs = propertyChanges(old.inputs, current.inputs, "");
  if (secretsComparable) {
    const paths = new Set([...Object.keys(old.secretDigests), ...Object.keys(current.secretDigests)]);
    for (const path of [...paths].sort()) {
      const before = old.secretDigests[path];
      const after = current.secretDigests[path];
      // Both sides show the marker, so the value diff above saw nothing: the digests tell.
      if (before !== undefined && after !== undefined && before !== after) inputs.push({ path, before: "[secret]", after: SECRET_CHANGED });
    }
  }
  const ignored = current.options.ignoreChanges;
  // Aliases say what a resource was called before: bookkeeping for the engine, not a change of it.
  const { provider: _oldProvider, aliases: _oldAliases, ...oldOptions } = old.options;
  const { provider: _newProvider, aliases: _newAliases, ...newOptions } = current.options;
  return {
    inputs: inputs.filter((c) => !ignored.some((i) => under(c.path, i))).sort((a, b) => a.path.localeCompare(b.path)),
    options: [
      ...propertyChanges(oldOptions, newOptions, "options"),
      ...propertyChanges(old.options.provider, current.options.provider, "options.provider"),
    ],
  };
}

interface Verdict {
  op: StepOp;
  replaceReasons: string[];
  replaceCauses: string[];
  mayReplace: string[];
  uncertain?: string;
}

/** Update or replace, from the inputs that changed: the provider's rules, `replaceOnChanges`, the provider reference. */
function judge(current: RenderedResource, inputChanges: PropertyChange[], providerChanged: boolean, rules: Readonly<Record<string, ReplacementRule>>): Verdict {
  const paths = inputChanges.map((c) => c.path);
  const verdict: Verdict = { op: "update", replaceReasons: [], replaceCauses: [], mayReplace: [] };
  const forcing: string[] = [];
  if (!isComponent(current.type) && paths.length) {
    try {
      forcing.push(...forcesReplacement(current.type, paths, rules));
      verdict.mayReplace = conditionalReplacements(current.type, paths, rules).map((c) => `${c.path}: ${c.when}`);
    } catch (err) {
      if (!(err instanceof ReplacementRuleError)) throw err;
      verdict.uncertain = err.message;
    }
  }
  verdict.replaceCauses.push(...forcing.map((path) => `${path} changed`));
  const byOption = paths.filter((path) => current.options.replaceOnChanges.some((r) => r === "*" || under(path, r)) && !forcing.includes(path));
  verdict.replaceCauses.push(...byOption.map((path) => `${path} changed (replaceOnChanges)`));
  if (providerChanged) verdict.replaceCauses.push("its provider changed");
  if (verdict.replaceCauses.length) {
    verdict.op = "replace";
    verdict.replaceReasons = [...new Set([...forcing, ...byOption].map(topKey)), ...(providerChanged ? ["provider"] : [])];
  }
  return verdict;
}

function detailedDiff(changes: PropertyChange[], forcing: ReadonlySet<string>): Record<string, PropertyDiff> {
  const diff: Record<string, PropertyDiff> = {};
  for (const c of changes) {
    const kind: DiffKind = c.before === undefined ? "add" : c.after === undefined ? "delete" : "update";
    diff[c.path] = { kind: forcing.has(topKey(c.path)) ? (`${kind}-replace` as DiffKind) : kind, inputDiff: true };
  }
  return diff;
}

/** Whether the provider deletes the old resource first when it replaces one (the option, or the provider's own rule). */
function deletesFirst(r: RenderedResource, rules: Readonly<Record<string, ReplacementRule>>): boolean {
  return r.options.deleteBeforeReplace || rules[r.type]?.deleteBeforeReplace === true;
}

/** The engine's steps for one replacement, in its order: create first unless the old one must go first. */
function replacementSteps(step: PreviewStep, deleteFirst: boolean): PreviewStep[] {
  const secondary = (op: StepOp): PreviewStep => ({ op, urn: step.urn, ...(step.provider ? { provider: step.provider } : {}), detailedDiff: null });
  return deleteFirst
    ? [secondary("delete-replaced"), step, secondary("create-replacement")]
    : [secondary("create-replacement"), step, secondary("delete-replaced")];
}

/**
 * The predicted steps from `before` to `after`. Resources are matched by URN; a resource whose URN
 * changed (a rename or a new parent) is deleted and created by the engine unless it carries an alias.
 */
export function diffPlans(before: RenderedStack, after: RenderedStack, violations: Violation[] = [], options: DiffOptions = {}): PlanDiff {
  const rules = options.rules ?? REPLACEMENT_RULES;
  const secretsComparable = before.secretKeyId === after.secretKeyId;
  const oldByUrn = new Map(before.resources.map((r) => [r.urn, r]));
  const newByUrn = new Map(after.resources.map((r) => [r.urn, r]));

  // A resource under a new URN whose aliases name an old one (renamed or moved) is compared with it, not recreated.
  const movedFrom = new Map<string, RenderedResource>();
  for (const r of after.resources) {
    if (oldByUrn.has(r.urn)) continue;
    const old = r.options.aliases.map((a) => oldByUrn.get(a)).find((o) => o !== undefined && !newByUrn.has(o.urn));
    if (old) movedFrom.set(r.urn, old);
  }
  const movedOld = new Set([...movedFrom.values()].map((r) => r.urn));

  interface Pending {
    current: RenderedResource;
    old?: RenderedResource;
    inputs: PropertyChange[];
    options: PropertyChange[];
    verdict: Verdict;
  }
  const pending = new Map<string, Pending>();
  for (const current of after.resources) {
    const old = oldByUrn.get(current.urn) ?? movedFrom.get(current.urn);
    if (!old) continue;
    const { inputs, options: optionChanges } = changesOf(old, current, secretsComparable);
    const providerChanged = old.options.provider !== current.options.provider && oldByUrn.has(current.urn);
    pending.set(current.urn, { current, old, inputs, options: optionChanges, verdict: judge(current, inputs, providerChanged, rules) });
  }

  // The cascade: until nothing changes, a resource whose input takes a replaced resource's output is
  // replaced when that input forces replacement, updated otherwise; a replaced provider replaces its resources.
  const replaced = new Set([...pending.values()].filter((p) => p.verdict.op === "replace").map((p) => p.current.urn));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of pending.values()) {
      if (replaced.has(p.current.urn)) continue;
      if (p.current.options.provider && replaced.has(p.current.options.provider)) {
        p.verdict = { ...p.verdict, op: "replace", replaceReasons: ["provider"], replaceCauses: [`its provider ${p.current.options.provider} is replaced`] };
      } else {
        for (const [key, dependencies] of Object.entries(p.current.propertyDependencies)) {
          const dependency = dependencies.find((d) => replaced.has(d));
          // An ignored input keeps its old value whatever the dependency does.
          if (!dependency || p.current.options.ignoreChanges.some((i) => under(key, i))) continue;
          let forces = p.current.options.replaceOnChanges.some((r) => r === "*" || under(key, r) || under(r, key));
          try {
            forces ||= !isComponent(p.current.type) && forcesReplacement(p.current.type, [key], rules).length > 0;
          } catch (err) {
            if (!(err instanceof ReplacementRuleError)) throw err;
            p.verdict.uncertain ??= err.message;
          }
          if (!p.inputs.some((c) => under(c.path, key))) p.inputs.push({ path: key, before: p.old?.inputs[key], after: `(unknown until ${dependency} is replaced)` });
          if (forces) {
            p.verdict.op = "replace";
            p.verdict.replaceCauses.push(`${key}: depends on ${dependency}, replaced`);
            p.verdict.replaceReasons = [...new Set([...p.verdict.replaceReasons, key])];
          }
        }
      }
      if (p.verdict.op === "replace") {
        replaced.add(p.current.urn);
        grew = true;
      }
    }
  }

  const steps: PreviewStep[] = [];
  const blocked: BlockedChange[] = [];
  const block = (r: RenderedResource, op: BlockedChange["op"], why: string) =>
    blocked.push({ urn: r.urn, type: r.type, name: r.name, op, reason: `${why}; it is protected, so \`pulumi up\` refuses (unprotect it first, on purpose)` });

  for (const current of after.resources) {
    const p = pending.get(current.urn);
    const stateful = isStateful(current.type);
    if (!p) {
      const op: StepOp = current.options.import !== undefined ? "import" : "create";
      steps.push({ op, urn: current.urn, ...providerOf(current), newState: stateOf(current), detailedDiff: null, ...(stateful ? { stateful } : {}) });
      continue;
    }
    const changes = [...p.inputs, ...p.options];
    if (!changes.length && p.verdict.op !== "replace") continue;
    const old = p.old as RenderedResource;
    const forcing = new Set(p.verdict.replaceReasons);
    const moved = old.urn !== current.urn ? [`moved from ${old.urn} (aliased)`] : [];
    const step: PreviewStep = {
      op: p.verdict.op,
      urn: current.urn,
      ...providerOf(current),
      oldState: stateOf(old),
      newState: stateOf(current),
      ...(p.verdict.op === "replace" ? { replaceReasons: p.verdict.replaceReasons } : { diffReasons: [...new Set(p.inputs.map((c) => topKey(c.path)))] }),
      detailedDiff: detailedDiff(p.inputs, forcing),
      ...(stateful ? { stateful } : {}),
      changes,
      ...(p.verdict.op === "replace" ? { replaceCauses: [...moved, ...p.verdict.replaceCauses], deleteBeforeReplace: deletesFirst(current, rules) } : moved.length ? { replaceCauses: moved } : {}),
      ...(p.verdict.mayReplace.length ? { mayReplace: p.verdict.mayReplace } : {}),
      ...(p.verdict.uncertain ? { uncertain: p.verdict.uncertain } : {}),
    };
    if (p.verdict.op === "replace") {
      steps.push(...replacementSteps(step, step.deleteBeforeReplace === true));
      if (old.options.protect) block(current, "replace", `replacing it: ${p.verdict.replaceCauses.join("; ")}`);
    } else {
      steps.push(step);
    }
  }

  // Deletions last, dependents before what they depend on (the reverse of registration order).
  for (const old of [...before.resources].reverse()) {
    if (newByUrn.has(old.urn) || movedOld.has(old.urn)) continue;
    const renamed = after.resources.find((r) => r.type === old.type && r.name === old.name && !oldByUrn.has(r.urn));
    const why = renamed ? `its URN changes to ${renamed.urn} with no alias, so the engine deletes it and creates a new one` : "it is no longer declared";
    steps.push({
      op: "delete",
      urn: old.urn,
      ...providerOf(old),
      oldState: stateOf(old),
      detailedDiff: null,
      ...(isStateful(old.type) ? { stateful: true } : {}),
      ...(renamed ? { replaceCauses: [why] } : {}),
    });
    if (old.options.protect) block(old, "delete", `deleting it: ${why}`);
  }

  const changeSummary: Partial<Record<StepOp, number>> = {};
  for (const step of steps) if (PRIMARY_OPS.includes(step.op)) changeSummary[step.op] = (changeSummary[step.op] ?? 0) + 1;
  const touched = new Set(steps.map((s) => s.urn));
  changeSummary.same = after.resources.filter((r) => !touched.has(r.urn)).length;

  return {
    steps,
    changeSummary,
    source: "offline-plan",
    before: before.stack,
    after: after.stack,
    colourSwitches: colourSwitches(before.outputs, after.outputs),
    blocked,
    violations,
    outputs: propertyChanges(before.outputs, after.outputs, ""),
    ...(secretsComparable ? {} : { notes: ["the two plans were made with different secret keys: changed secrets cannot be shown (set PLATFORM_PLAN_SECRET_KEY for both)"] }),
  };
}

/** Our component types (`platform:*`) register no cloud resource: no provider state, no replacement. */
function isComponent(type: string): boolean {
  return type.startsWith("platform:");
}

function providerOf(r: RenderedResource): { provider?: string } {
  return r.options.provider ? { provider: `${r.options.provider}::${UNKNOWN_ID}` } : {};
}
