/**
 * Runs the policy pack's rules on a rendered stack (tools/render/harness.ts), without CrossGuard:
 * the offline plan calls this and fails on any mandatory violation. Constructs no PolicyPack.
 */
import { POLICIES } from "./rules";
import { isProductionStack, type PlatformPolicy, type RuleContext, SECRET_MARKER, type Subject } from "./rules/model";
import type { EnforcementLevel, Violation } from "./types";

/** A rendered resource: the fields of the harness's RenderedResource that policies read. */
export interface RenderedResourceLike {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  inputs: Record<string, unknown>;
  propertyDependencies?: Record<string, string[]>;
  options: { protect: boolean; retainOnDelete: boolean; provider?: string };
}

/** A rendered stack: what `renderStack` returns. */
export interface RenderedStackLike {
  stack: string;
  resources: readonly RenderedResourceLike[];
  outputs: Record<string, unknown>;
}

export interface EvaluateOptions {
  /**
   * Whether production rules apply (protection, pinned images, final snapshots). Default: derived
   * from the stack name - production when it is `production`/`prod` or starts with `production-`/`prod-`.
   */
  production?: boolean;
}

/** The level each policy runs at: `levels[name]` if given, else the policy's default. */
export function levelOf(policy: PlatformPolicy, levels: Partial<Record<string, EnforcementLevel>> = {}): EnforcementLevel {
  return levels[policy.name] ?? policy.defaultLevel;
}

/** Every violation of every enabled policy, resource policies in resource order, then stack policies. */
export function evaluatePolicies(
  stack: RenderedStackLike,
  levels?: Partial<Record<string, EnforcementLevel>>,
  options: EvaluateOptions = {},
): Violation[] {
  const unknown = Object.keys(levels ?? {}).filter((name) => !POLICIES.some((p) => p.name === name));
  if (unknown.length) throw new Error(`unknown policy name(s) in levels: ${unknown.join(", ")}; known: ${POLICIES.map((p) => p.name).join(", ")}`);
  const ctx: RuleContext = {
    stack: stack.stack,
    production: options.production ?? isProductionStack(stack.stack),
    secretsVisible: true,
  };
  const subjects = stack.resources.map((r) => toSubject(r, stack.resources));
  const violations: Violation[] = [];
  for (const policy of POLICIES) {
    const level = levelOf(policy, levels);
    if (level === "disabled" || (policy.productionOnly && !ctx.production)) continue;
    if (policy.kind === "resource") {
      for (const subject of subjects) {
        if (policy.types && !policy.types.includes(subject.type)) continue;
        for (const f of policy.check(subject, ctx)) {
          violations.push({ policy: policy.name, level, resource: { urn: subject.urn, type: subject.type, name: subject.name }, message: f.message, fix: f.fix });
        }
      }
    } else {
      for (const f of policy.check({ resources: subjects, outputs: stack.outputs }, ctx)) {
        violations.push({ policy: policy.name, level, ...(f.resource ? { resource: f.resource } : {}), message: f.message, fix: f.fix });
      }
    }
  }
  return violations;
}

/** One line per violation: `[mandatory] policy: type name: message (fix: ...)`. */
export function formatViolation(v: Violation): string {
  const where = v.resource ? ` ${v.resource.type} ${v.resource.name}:` : "";
  return `[${v.level}] ${v.policy}:${where} ${v.message} (fix: ${v.fix})`;
}

function toSubject(r: RenderedResourceLike, all: readonly RenderedResourceLike[]): Subject {
  const provider = r.options.provider ? all.find((p) => p.urn === r.options.provider) : undefined;
  const references = [...new Set(Object.values(r.propertyDependencies ?? {}).flat())];
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    inputs: r.inputs,
    options: { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete },
    ...(provider ? { providerInputs: provider.inputs } : {}),
    ...(references.length ? { references } : {}),
  };
}

export { SECRET_MARKER };
