/**
 * Adapts the rules (policies/rules) to CrossGuard's `validateResource` / `validateStack`. Importing
 * this constructs nothing; policies/index.ts builds the PolicyPack from {@link crossGuardPolicies}.
 *
 * Differences from the offline plan, by necessity:
 * - The stack name comes from the resource's URN; production is `productionStacks` from the
 *   policy's config, or else the same name rule as the plan (`production`, `prod`, `production-*`, `prod-*`).
 * - CrossGuard passes secret values unwrapped, so rules that need "[secret]" markers are reported
 *   as not applicable here (the offline plan enforces them).
 * - `retainOnDelete` is not visible to CrossGuard; only `protect` is checked.
 * - Stack policies see resources' outputs (a superset of inputs) and each resource's property
 *   dependencies, which tie a public access block or lifecycle configuration to its bucket.
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { POLICIES } from "./rules";
import { isProductionStack, isRecord, type PlatformPolicy, type ResourcePolicy, type RuleContext, type StackPolicy, type Subject } from "./rules/model";

/** Config every environment-dependent policy accepts in the pack's config file. */
export interface ProductionConfig {
  productionStacks?: string[];
}

const PRODUCTION_SCHEMA: PolicyConfigSchema = {
  properties: {
    productionStacks: {
      type: "array",
      items: { type: "string" },
      description: "Stacks where production rules apply. Default (empty): production, prod, production-*, prod-*.",
      default: [],
    },
  },
};

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`. */
export function stackOfUrn(urn: string): string {
  const head = urn.split("::")[0] ?? "";
  return head.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : head;
}

export function contextFor(urn: string, config: ProductionConfig): RuleContext {
  const stack = stackOfUrn(urn);
  const listed = Array.isArray(config.productionStacks) && config.productionStacks.length > 0 ? config.productionStacks : undefined;
  return { stack, production: listed ? listed.includes(stack) : isProductionStack(stack), secretsVisible: false };
}

function report(reportViolation: ReportViolation, finding: { message: string; fix: string }, urn?: string): void {
  reportViolation(`${finding.message}. Fix: ${finding.fix}`, urn);
}

/** Skips (as not applicable) what this run cannot judge; returns the context otherwise. */
function applicable(policy: PlatformPolicy, ctx: RuleContext, notApplicable: (reason?: string) => never): RuleContext {
  if (policy.productionOnly && !ctx.production) notApplicable(`${ctx.stack} is not a production stack`);
  if (policy.needsSecretMarkers && !ctx.secretsVisible) {
    notApplicable("CrossGuard receives secret values unwrapped, so plaintext and secret cannot be told apart; `npm run plan` enforces this policy");
  }
  return ctx;
}

export function toResourceValidation(policy: ResourcePolicy): ResourceValidationPolicy {
  return {
    name: policy.name,
    description: policy.description,
    enforcementLevel: policy.defaultLevel,
    ...(policy.productionOnly ? { configSchema: PRODUCTION_SCHEMA } : {}),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (policy.types && !policy.types.includes(args.type)) return;
      const ctx = applicable(policy, contextFor(args.urn, args.getConfig<ProductionConfig>()), (reason) => args.notApplicable(reason));
      const subject: Subject = {
        urn: args.urn,
        type: args.type,
        name: args.name,
        inputs: args.props,
        options: { protect: args.opts.protect },
        ...(args.provider && isRecord(args.provider.props) ? { providerInputs: args.provider.props } : {}),
      };
      for (const finding of policy.check(subject, ctx)) report(reportViolation, finding);
    },
  };
}

function toStackSubject(r: PolicyResource): Subject {
  const references = new Set<string>();
  for (const deps of Object.values(r.propertyDependencies ?? {})) for (const d of deps) references.add(d.urn);
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    inputs: r.props,
    options: { protect: r.opts.protect },
    ...(r.provider && isRecord(r.provider.props) ? { providerInputs: r.provider.props } : {}),
    references: [...references],
  };
}

export function toStackValidation(policy: StackPolicy): StackValidationPolicy {
  return {
    name: policy.name,
    description: policy.description,
    enforcementLevel: policy.defaultLevel,
    ...(policy.productionOnly ? { configSchema: PRODUCTION_SCHEMA } : {}),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const root = args.resources.find((r) => r.type === "pulumi:pulumi:Stack");
      const anyUrn = root?.urn ?? args.resources[0]?.urn;
      if (anyUrn === undefined) return;
      const ctx = applicable(policy, contextFor(anyUrn, args.getConfig<ProductionConfig>()), (reason) => args.notApplicable(reason));
      const resources = args.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
      const findings = policy.check({ resources: resources.map(toStackSubject), outputs: root?.props ?? {} }, ctx);
      for (const finding of findings) {
        const target = finding.resource && resources.find((r) => r.urn === finding.resource?.urn);
        report(reportViolation, finding, target ? target.urn : undefined);
      }
    },
  };
}

/** The pack's policies, one CrossGuard policy per rule. */
export function crossGuardPolicies(): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return POLICIES.map((p) => (p.kind === "resource" ? toResourceValidation(p) : toStackValidation(p)));
}
