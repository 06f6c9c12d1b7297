/**
 * What a policy rule sees, independent of who runs it: the offline plan (a rendered stack, secrets
 * shown as "[secret]") or CrossGuard (`pulumi preview --policy-pack policies`, secrets unwrapped).
 * Rules are plain functions over these shapes; policies/evaluate.ts and policies/index.ts adapt.
 */
import type { EnforcementLevel } from "../types";

/** How a rendered stack shows a secret value (tools/render/harness.ts SECRET_MARKER). */
export const SECRET_MARKER = "[secret]";

/** One resource as a rule sees it: the shape of the harness's RenderedResource, plus its provider's inputs. */
export interface Subject {
  /** The resource's URN: its identity in the stack. */
  urn: string;
  /** Type token, e.g. `aws:rds/instance:Instance`. */
  type: string;
  /** Logical name. */
  name: string;
  /** Input properties. */
  inputs: Record<string, unknown>;
  options: {
    protect: boolean;
    /** Absent when the runner cannot see it (CrossGuard does not pass retainOnDelete to policies). */
    retainOnDelete?: boolean;
  };
  /** Inputs of the explicit provider resource, when there is one (e.g. `defaultTags` of an aws.Provider). */
  providerInputs?: Record<string, unknown>;
  /** URNs of the resources this one's inputs take outputs of (the property dependencies), when the runner knows them. */
  references?: string[];
}

/** Which resource a finding is about: the URN, with type and name for reading. */
export interface ResourceIdentity {
  urn: string;
  type: string;
  name: string;
}

/** A whole stack as a stack policy sees it. */
export interface StackSubject {
  resources: Subject[];
  /** Stack outputs: each app's outputs under its name (e.g. `outputs.nmpi.liveColour`). */
  outputs: Record<string, unknown>;
}

/** Facts about the run every rule may use. */
export interface RuleContext {
  /** Stack name, e.g. `production`. */
  stack: string;
  /** Production rules apply (protection, pinned images, final snapshots). */
  production: boolean;
  /**
   * True when a secret input shows as "[secret]" (the offline plan). CrossGuard receives secrets as
   * plain values, so a rule about plaintext secrets cannot tell them apart there.
   */
  secretsVisible: boolean;
}

/** What a rule reports: the problem naming the value, and the fix. */
export interface Finding {
  message: string;
  fix: string;
}

/** A finding of a stack policy, optionally about one resource. */
export interface StackFinding extends Finding {
  resource?: ResourceIdentity;
}

interface PolicyBase {
  /** Kebab-case, unique in the pack. */
  name: string;
  /** One sentence: what must hold. */
  description: string;
  /** Level when the pack's config does not say otherwise. */
  defaultLevel: Exclude<EnforcementLevel, "disabled">;
  /** True when the policy only applies to production stacks. */
  productionOnly?: boolean;
  /** True when the rule needs secrets shown as "[secret]" ({@link RuleContext.secretsVisible}); CrossGuard skips it. */
  needsSecretMarkers?: boolean;
}

/** A rule over one resource; `types` lists the type tokens it looks at (all, when absent). */
export interface ResourcePolicy extends PolicyBase {
  kind: "resource";
  types?: readonly string[];
  check(resource: Subject, ctx: RuleContext): Finding[];
}

/** A rule over the whole stack. */
export interface StackPolicy extends PolicyBase {
  kind: "stack";
  check(stack: StackSubject, ctx: RuleContext): StackFinding[];
}

export type PlatformPolicy = ResourcePolicy | StackPolicy;

// ---- helpers for reading untyped inputs ----

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Numbers may arrive as strings (e.g. launch template fields); undefined when not a number. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Booleans may arrive as strings ("true") in some provider inputs. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/**
 * An input that providers take as JSON text (IAM documents, ECS container definitions) or that
 * arrives already parsed: the parsed value, or undefined when it is secret or not JSON.
 */
export function jsonInput(value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (isSecretMarker(value)) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

export function isSecretMarker(value: unknown): boolean {
  return value === SECRET_MARKER;
}

/**
 * A stack is production when its name is `production` or starts with `production-` or `prod-`
 * (`prod` alone too). The offline plan may say so explicitly instead.
 */
export function isProductionStack(stack: string): boolean {
  return /^(production|prod)(-|$)/.test(stack);
}
