/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies [--policy-pack-config policies/config.json]`.
 * The only module that constructs the PolicyPack (which starts a gRPC server); the rules live in
 * policies/rules and run offline through policies/evaluate.ts.
 *
 * Enforcement levels: every policy has a default (policies/rules); override per policy in the pack
 * config file, e.g. `{ "aws-required-tags": "advisory", "rds-deletion-protection": { "enforcementLevel": "disabled" } }`.
 */
import { PolicyPack } from "@pulumi/policy";
import { crossGuardPolicies } from "./crossguard";

new PolicyPack("platform", {
  description: "Guardrails of the platform: private and encrypted data, closed admin ports, HTTPS only, protected state, pinned images, tagged resources.",
  enforcementLevel: "mandatory",
  policies: crossGuardPolicies(),
});
