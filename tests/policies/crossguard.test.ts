/**
 * The plaintext-secret policy in CrossGuard, where secrets arrive unwrapped: it still judges what is
 * plain text whatever Pulumi knows (an ECS task definition's `environment`), and leaves Docker env
 * to the offline plan.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { toResourceValidation } from "../../policies/crossguard";
import { noPlaintextSecrets } from "../../policies/rules/containers";

function args(type: string, props: Record<string, unknown>): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:production::platform::${type}::r`,
    name: "r",
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason ?? ""}`);
    },
  };
}

function violations(type: string, props: Record<string, unknown>): string[] {
  const found: string[] = [];
  const policy = toResourceValidation(noPlaintextSecrets);
  assert.ok(policy.validateResource !== undefined && !Array.isArray(policy.validateResource));
  void policy.validateResource(args(type, props), (message) => void found.push(message));
  return found;
}

test("L8: in CrossGuard a password in an ECS task definition's environment is a violation, in clear or as a URL", () => {
  const td = (environment: { name: string; value: string }[]) => ({ containerDefinitions: JSON.stringify([{ name: "app", image: "app:1", environment }]) });
  assert.equal(violations("aws:ecs/taskDefinition:TaskDefinition", td([{ name: "RABBITMQ_DEFAULT_PASS", value: "x" }])).length, 1);
  assert.equal(violations("aws:ecs/taskDefinition:TaskDefinition", td([{ name: "DATABASE_URL", value: "postgres://u:pw@db/x" }])).length, 1);
  assert.deepEqual(violations("aws:ecs/taskDefinition:TaskDefinition", td([{ name: "PORT", value: "80" }])), []);
});

test("L8: in CrossGuard Docker env is left to the offline plan: secrets arrive unwrapped there", () => {
  assert.deepEqual(violations("docker:index/container:Container", { envs: ["DB_PASSWORD=unwrapped-secret"] }), []);
});
