/**
 * The offline plan's prediction of the engine's operations, on small hand-made plans with a hand-made
 * replacement table: what forces replacement, the cascade through property dependencies and providers,
 * secrets compared by digest, moves with and without aliases, blocked changes, and the engine's step order.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diffPlans, SECRET_CHANGED } from "../../tools/plan/diff";
import type { ReplacementRule } from "../../tools/plan/replacement";
import type { PlanDiff } from "../../tools/plan/types";
import type { RenderedOptions, RenderedResource, RenderedStack } from "../../tools/render/harness";

const RULES: Record<string, ReplacementRule> = {
  "test:index/server:Server": { forceNew: ["image", "userData"], conditional: [{ path: "ipv6", when: "true → false" }], source: "hand-made" },
  "test:index/disk:Disk": { forceNew: ["zone"], source: "hand-made" },
  "test:index/attachment:Attachment": { forceNew: ["serverId", "diskId"], source: "hand-made" },
  "test:index/record:Record": { forceNew: [], source: "hand-made" },
  "pulumi:providers:test": { forceNew: ["endpoint"], source: "hand-made" },
  "test:index/unread:Unread": { forceNew: [], source: "hand-made", unverified: true },
};

const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;

function res(type: string, name: string, inputs: Record<string, unknown>, more: Partial<Omit<RenderedResource, "options">> & { options?: Partial<RenderedOptions> } = {}): RenderedResource {
  const { options, ...rest } = more;
  return {
    urn: urn(type, name),
    type,
    name,
    parent: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
    inputs,
    secretDigests: {},
    propertyDependencies: {},
    ...rest,
    options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn: [], ignoreChanges: [], replaceOnChanges: [], aliases: [], ...options },
  };
}

const plan = (resources: RenderedResource[], secretKeyId = "k"): RenderedStack => ({ stack: "s", project: "p", secretKeyId, resources, outputs: {} });
const diff = (before: RenderedResource[], after: RenderedResource[]): PlanDiff => diffPlans(plan(before), plan(after), [], { rules: RULES });
const ops = (d: PlanDiff) => d.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);

const SERVER = "test:index/server:Server";
const DISK = "test:index/disk:Disk";
const ATTACHMENT = "test:index/attachment:Attachment";

function machine(serverInputs: Record<string, unknown>, diskInputs: Record<string, unknown> = { zone: "a", size: 10 }, diskOptions: Partial<RenderedOptions> = {}) {
  const server = res(SERVER, "web", serverInputs);
  const disk = res(DISK, "data", diskInputs, { options: diskOptions });
  const attachment = res(ATTACHMENT, "data", { serverId: "web-id", diskId: "data-id" }, { propertyDependencies: { serverId: [server.urn], diskId: [disk.urn] } });
  return [server, disk, attachment];
}

test("an input the provider does not force is an update; one it forces is a replace with the path as the reason", () => {
  const update = diff(machine({ image: "u24", size: "s" }), machine({ image: "u24", size: "m" }));
  assert.deepEqual(ops(update), ["update web"]);
  assert.deepEqual(update.steps[0].diffReasons, ["size"]);
  assert.deepEqual(update.steps[0].detailedDiff, { size: { kind: "update", inputDiff: true } });

  const replace = diff(machine({ image: "u24", size: "s" }), machine({ image: "u26", size: "s" }));
  const primary = replace.steps.find((s) => s.op === "replace");
  assert.deepEqual(primary?.replaceReasons, ["image"]);
  assert.deepEqual(primary?.detailedDiff, { image: { kind: "update-replace", inputDiff: true } });
  assert.deepEqual(replace.changeSummary, { replace: 2, same: 1 });
});

test("the cascade: a dependent whose forcing input takes a replaced resource's output is replaced too, with the reason", () => {
  const d = diff(machine({ image: "u24" }), machine({ image: "u26" }));
  assert.deepEqual(ops(d), ["create-replacement web", "replace web", "delete-replaced web", "create-replacement data", "replace data", "delete-replaced data"]);
  const attachment = d.steps.find((s) => s.op === "replace" && s.urn === urn(ATTACHMENT, "data"));
  assert.deepEqual(attachment?.replaceCauses, [`serverId: depends on ${urn(SERVER, "web")}, replaced`]);
  assert.deepEqual(attachment?.replaceReasons, ["serverId"]);
});

test("a dependent whose input from a replaced resource does not force replacement is updated, not replaced", () => {
  const before = [res(SERVER, "web", { image: "u24" }), res("test:index/record:Record", "dns", { value: "1.2.3.4" }, { propertyDependencies: { value: [urn(SERVER, "web")] } })];
  const after = [res(SERVER, "web", { image: "u26" }), before[1]];
  const d = diff(before, after);
  const record = d.steps.find((s) => s.urn === urn("test:index/record:Record", "dns"));
  assert.equal(record?.op, "update");
  assert.deepEqual(record?.diffReasons, ["value"]);
});

test("a replaced provider replaces every resource it manages", () => {
  const provider = (endpoint: string) => res("pulumi:providers:test", "eu", { endpoint });
  const server = res(SERVER, "web", { image: "u24" }, { options: { provider: urn("pulumi:providers:test", "eu") } });
  const d = diff([provider("a"), server], [provider("b"), server]);
  assert.deepEqual(d.steps.filter((s) => s.op === "replace").map((s) => s.urn), [urn("pulumi:providers:test", "eu"), server.urn]);
  assert.deepEqual(d.steps.find((s) => s.op === "replace" && s.urn === server.urn)?.replaceCauses, [`its provider ${urn("pulumi:providers:test", "eu")} is replaced`]);
});

test("replaceOnChanges forces replacement on the paths it names; ignoreChanges hides a change", () => {
  const base = { image: "u24", tags: { team: "a" } };
  const replaced = diff([res(SERVER, "web", base, { options: { replaceOnChanges: ["tags"] } })], [res(SERVER, "web", { ...base, tags: { team: "b" } }, { options: { replaceOnChanges: ["tags"] } })]);
  assert.deepEqual(replaced.steps.find((s) => s.op === "replace")?.replaceCauses, ["tags.team changed (replaceOnChanges)"]);
  const ignored = diff([res(SERVER, "web", base, { options: { ignoreChanges: ["tags"] } })], [res(SERVER, "web", { ...base, tags: { team: "b" } }, { options: { ignoreChanges: ["tags"] } })]);
  assert.deepEqual(ignored.steps, []);
});

test("deleteBeforeReplace puts delete-replaced first; otherwise the replacement is created first", () => {
  const dbr = { options: { deleteBeforeReplace: true } };
  const d = diff([res(DISK, "data", { zone: "a" }, dbr)], [res(DISK, "data", { zone: "b" }, dbr)]);
  assert.deepEqual(ops(d), ["delete-replaced data", "replace data", "create-replacement data"]);
  assert.equal(d.steps[1].deleteBeforeReplace, true);
});

test("replacing or deleting a protected resource is blocked, as pulumi up would refuse it", () => {
  const replaced = diff(machine({ image: "u24" }, { zone: "a" }, { protect: true }), machine({ image: "u24" }, { zone: "b" }, { protect: true }));
  assert.deepEqual(replaced.blocked.map((b) => `${b.op} ${b.name}`), ["replace data"]);
  assert.match(replaced.blocked[0].reason, /zone changed; it is protected/);
  const deleted = diff([res(DISK, "data", { zone: "a" }, { options: { protect: true } })], []);
  assert.deepEqual(deleted.blocked.map((b) => `${b.op} ${b.name}`), ["delete data"]);
  const resized = diff(machine({ image: "u24" }, { zone: "a", size: 10 }, { protect: true }), machine({ image: "u24" }, { zone: "a", size: 20 }, { protect: true }));
  assert.deepEqual(resized.blocked, [], "an update of a protected resource is allowed");
});

test("a rotated secret shows as changed by its digest, never by its value", () => {
  const before = res(SERVER, "web", { image: "u24", userData: "[secret]" }, { secretDigests: { userData: "d1" } });
  const after = res(SERVER, "web", { image: "u24", userData: "[secret]" }, { secretDigests: { userData: "d2" } });
  const d = diff([before], [after]);
  const step = d.steps.find((s) => s.op === "replace");
  assert.deepEqual(step?.changes, [{ path: "userData", before: "[secret]", after: SECRET_CHANGED }]);
  assert.deepEqual(step?.replaceReasons, ["userData"]);
  assert.doesNotMatch(JSON.stringify(d), /d1|d2/, "no digest leaves the plan as a change value");
  const otherKey = diffPlans(plan([before], "k1"), plan([after], "k2"), [], { rules: RULES });
  assert.deepEqual(otherKey.steps, [], "plans hashed with different keys cannot compare secrets");
  assert.match(otherKey.notes?.[0] ?? "", /different secret keys/);
});

test("a resource moved to another parent or renamed without an alias is deleted and created; with one it is the same resource", () => {
  const old = res(DISK, "data", { zone: "a" }, { options: { protect: true } });
  const moved = (aliases: string[]) => ({ ...res(DISK, "data", { zone: "a" }, { options: { aliases, protect: true } }), urn: "urn:pulumi:s::p::test:index/group:Group$test:index/disk:Disk::data" });
  const unaliased = diff([old], [moved([])]);
  assert.deepEqual(ops(unaliased), ["create data", "delete data"]);
  assert.match(unaliased.steps[1].replaceCauses?.[0] ?? "", /URN changes to .*Group\$test:index\/disk:Disk::data with no alias/);
  assert.equal(unaliased.blocked.length, 1, "deleting the protected old one is refused");
  const aliased = diff([old], [moved([old.urn])]);
  assert.deepEqual(aliased.steps, [], "an aliased move with no other change does nothing");
  const renamed = { ...res(DISK, "volume", { zone: "a" }, { options: { aliases: [old.urn], protect: true } }) };
  assert.deepEqual(diff([old], [renamed]).steps, [], "an aliased rename is the same resource");
  const elsewhere = moved(["urn:pulumi:s::p::test:index/disk:Disk::other"]);
  assert.deepEqual(ops(diff([old], [elsewhere])), ["create data", "delete data"], "an alias naming another resource does not match this one");
});

test("the cascade leaves an ignored input alone and honours replaceOnChanges on the dependent input", () => {
  const server = (image: string) => res(SERVER, "web", { image });
  const dependent = (options: Partial<RenderedOptions>) =>
    res("test:index/record:Record", "dns", { value: "1.2.3.4" }, { propertyDependencies: { value: [urn(SERVER, "web")] }, options });
  assert.deepEqual(diff([server("u24"), dependent({ ignoreChanges: ["value"] })], [server("u26"), dependent({ ignoreChanges: ["value"] })]).steps.filter((s) => s.urn.endsWith("::dns")), []);
  const forced = diff([server("u24"), dependent({ replaceOnChanges: ["value"] })], [server("u26"), dependent({ replaceOnChanges: ["value"] })]);
  assert.equal(forced.steps.find((s) => s.urn.endsWith("::dns") && s.op === "replace")?.replaceReasons?.[0], "value");
});

test("a conditional rule is reported as may-replace; a type without a verified rule is marked uncertain, never a silent update", () => {
  const may = diff([res(SERVER, "web", { image: "u24", ipv6: true })], [res(SERVER, "web", { image: "u24", ipv6: false })]);
  assert.deepEqual(may.steps[0].mayReplace, ["ipv6: true → false"]);
  const unknown = diff([res("test:index/unread:Unread", "x", { a: 1 })], [res("test:index/unread:Unread", "x", { a: 2 })]);
  assert.match(unknown.steps[0].uncertain ?? "", /unverified/);
});

test("created and imported resources are creates and imports; the summary counts primary steps and the unchanged", () => {
  const d = diff([], [res(DISK, "data", { zone: "a" }, { options: { import: "vol-123" } }), res(SERVER, "web", { image: "u24" })]);
  assert.deepEqual(ops(d), ["import data", "create web"]);
  assert.equal(d.steps[0].newState?.importID, "vol-123");
  assert.deepEqual(d.changeSummary, { import: 1, create: 1, same: 0 });
});
