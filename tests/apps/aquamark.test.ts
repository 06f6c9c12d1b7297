import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { test } from "node:test";
import { renderStack, type RenderedResource, type RenderResult } from "../../tools/render/harness";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { isStateful } from "../../tools/render/stateful";
import { renderedValues, renderOnce } from "../support";

/** Staging with both colours able to take traffic, so either may be live. */
const BASE = ["apps.aquamark.fleet.green.min=1", "apps.aquamark.fleet.green.desired=1"];
const NEW_GREEN = [...BASE, "apps.aquamark.versions.green=v1.4.6"];

/** The app's resources: everything under its component. */
const ours = (r: RenderResult) => r.resources.filter((x) => x.urn.includes("::platform:app:Aquamark"));
/** A name without the app's `aquamark-<stack>` prefix, so renders of two stacks read alike: `aquamark-web-blue`. */
const short = (name: string) => name.replace(/^aquamark-(staging|production)/, "aquamark");
const key = (r: RenderedResource) => `${r.type}::${short(r.name)}`;
const find = (r: RenderResult, type: string, name: string) => {
  const found = r.resources.find((x) => x.type === type && short(x.name) === name);
  assert.ok(found, `no ${type} named ${name}`);
  return found;
};

/** Resources in `after` but not in `before`, by key. */
function added(before: RenderResult, after: RenderResult): string[] {
  const had = new Set(ours(before).map(key));
  return ours(after).map(key).filter((k) => !had.has(k)).sort();
}

/** Resources whose inputs or options differ between two renders, with the differing top-level input keys. */
function changed(before: RenderResult, after: RenderResult, allowAdded = false): Map<string, string[]> {
  const afterByKey = new Map(ours(after).map((r) => [key(r), r]));
  const out = new Map<string, string[]>();
  if (allowAdded) assert.deepEqual(added(after, before), [], "no resource disappears");
  else assert.deepEqual(ours(before).map(key).sort(), [...afterByKey.keys()].sort(), "the same resources exist in both renders");
  for (const b of ours(before)) {
    const a = afterByKey.get(key(b));
    assert.ok(a);
    const props = [...new Set([...Object.keys(b.inputs), ...Object.keys(a.inputs)])].filter(
      (k) => JSON.stringify(b.inputs[k]) !== JSON.stringify(a.inputs[k]),
    );
    if (JSON.stringify(b.options) !== JSON.stringify(a.options)) props.push("(options)");
    if (props.length > 0) out.set(key(b), props);
  }
  return out;
}

let renders: Promise<[RenderResult, RenderResult, RenderResult, RenderResult, RenderResult, RenderResult]> | undefined;
function all() {
  renders ??= Promise.all([
    renderStack({ stack: "staging", overrides: BASE }),
    renderIsolatedOk({ stack: "staging", overrides: [...BASE, "apps.aquamark.live=green"] }),
    renderIsolatedOk({ stack: "staging", overrides: NEW_GREEN }),
    renderIsolatedOk({ stack: "staging", overrides: [...NEW_GREEN, "apps.aquamark.live=green"] }),
    renderOnce("production"),
    renderIsolatedOk({ stack: "staging", overrides: [...BASE, "apps.aquamark.canaryPercent=20"] }),
  ]);
  return renders;
}

test("switching the live colour changes only the HTTPS listener's default action, nothing stateful", async () => {
  const [base, switched] = await all();
  assert.deepEqual([...changed(base, switched)], [["aws:lb/listener:Listener::aquamark-https", ["defaultActions"]]]);
  const weights = (r: RenderResult) =>
    (find(r, "aws:lb/listener:Listener", "aquamark-https").inputs.defaultActions as { forward: { targetGroups: { arn: string; weight: number }[] } }[])[0]
      .forward.targetGroups.map((g) => `${short(String(g.arn.split("/").pop()))}=${g.weight}`);
  assert.deepEqual(weights(base), ["aquamark-blue=100", "aquamark-green=0"]);
  assert.deepEqual(weights(switched), ["aquamark-blue=0", "aquamark-green=100"]);
  assert.equal(switched.outputs.aquamark && (switched.outputs.aquamark as Record<string, unknown>).liveColour, "green");
});

test("promoting a colour on another version also moves the daemons to it, and nothing stateful or per-colour", async () => {
  const [, , newGreen, newGreenLive] = await all();
  const diff = changed(newGreen, newGreenLive);
  assert.deepEqual([...diff.keys()].sort(), [
    "aws:ec2/launchTemplate:LaunchTemplate::aquamark-notifications",
    "aws:ec2/launchTemplate:LaunchTemplate::aquamark-recalculate",
    "aws:lb/listener:Listener::aquamark-https",
  ]);
  for (const k of diff.keys()) assert.equal(isStateful(k.split("::")[0]), false, k);
  const daemonData = Buffer.from(String(find(newGreenLive, "aws:ec2/launchTemplate:LaunchTemplate", "aquamark-recalculate").inputs.userData), "base64").toString();
  assert.match(daemonData, /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/aquamark-staging:v1\.4\.6'/);
});

test("a new version on the idle colour adds one image build and changes only that colour's launch template and its pre-migration snapshot", async () => {
  const [base, , newGreen] = await all();
  assert.deepEqual(added(base, newGreen), ["command:local:Command::aquamark-image-v1.4.6", "platform:aws:GitImageBuild::aquamark-image-v1.4.6"]);
  // And green's pre-migration snapshot, which that launch template's instances wait for (issue 16).
  assert.deepEqual([...changed(base, newGreen, true)], [
    ["aws:rds/snapshot:Snapshot::aquamark-pre-migration-green", ["dbSnapshotIdentifier"]],
    ["aws:ec2/launchTemplate:LaunchTemplate::aquamark-web-green", ["userData"]],
  ]);
});

test("a valid canary percentage splits the default forward by weight and makes visitors sticky", async () => {
  const [, , , , , canary] = await all();
  const action = (find(canary, "aws:lb/listener:Listener", "aquamark-https").inputs.defaultActions as {
    forward: { targetGroups: { weight: number }[]; stickiness: { enabled: boolean } };
  }[])[0];
  assert.deepEqual(action.forward.targetGroups.map((g) => g.weight), [80, 20]);
  assert.equal(action.forward.stickiness.enabled, true);
});

test("the database is private, encrypted, keeps backups 7 days and is protected in production", async () => {
  const [base, , , , production] = await all();
  for (const r of [base, production]) {
    const db = find(r, "aws:rds/instance:Instance", "aquamark-db");
    assert.equal(db.inputs.publiclyAccessible, false);
    assert.equal(db.inputs.storageEncrypted, true);
    assert.equal(db.inputs.backupRetentionPeriod, 7);
    assert.equal(db.inputs.password, "[secret]");
  }
  const db = find(production, "aws:rds/instance:Instance", "aquamark-db");
  assert.equal(db.options.protect, true);
  assert.equal(db.options.retainOnDelete, true);
  assert.equal(db.inputs.deletionProtection, true);
  assert.equal(db.inputs.skipFinalSnapshot, false);
  assert.equal(typeof db.inputs.finalSnapshotIdentifier, "string");
  assert.equal(find(base, "aws:rds/instance:Instance", "aquamark-db").options.protect, false);
  const subnetGroup = find(production, "aws:rds/subnetGroup:SubnetGroup", "aquamark-db");
  assert.deepEqual((subnetGroup.inputs.subnetIds as string[]).map((s) => short(s.replace(/-[0-9a-f]+$/, ""))), ["aquamark-private-0", "aquamark-private-1"]);
});

test("the database admits port 5432 only from the client group, carried only by the web fleets and the daemons", async () => {
  const [base] = await all();
  const dbGroup = find(base, "aws:ec2/securityGroup:SecurityGroup", "aquamark-db-db");
  const ingress = dbGroup.inputs.ingress as { fromPort: number; toPort: number; securityGroups?: string[]; cidrBlocks?: string[] }[];
  assert.equal(ingress.length, 1);
  assert.equal(ingress[0].fromPort, 5432);
  assert.equal(ingress[0].toPort, 5432);
  assert.equal(ingress[0].cidrBlocks, undefined);
  const clientId = ingress[0].securityGroups?.[0] ?? "";
  assert.match(clientId, /^aquamark-staging-db-client-/);
  dbGroupId(base);
  const carriers = ours(base)
    .filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")
    .filter((r) => (r.inputs.networkInterfaces as { securityGroups: string[] }[])[0].securityGroups.includes(clientId))
    .map((r) => short(r.name))
    .sort();
  assert.deepEqual(carriers, ["aquamark-notifications", "aquamark-recalculate", "aquamark-web-blue", "aquamark-web-green"]);
});

/** The ID the mocks gave the database's security group (what the instance's vpcSecurityGroupIds holds). */
function dbGroupId(r: RenderResult): string {
  const ids = find(r, "aws:rds/instance:Instance", "aquamark-db").inputs.vpcSecurityGroupIds as string[];
  assert.equal(ids.length, 1);
  assert.match(ids[0], /^aquamark-staging-db-db-/);
  return ids[0];
}

test("no instance gets a public IP, and no security group opens SSH", async () => {
  const [base] = await all();
  const templates = ours(base).filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
  assert.equal(templates.length, 4);
  for (const t of templates) {
    assert.deepEqual((t.inputs.networkInterfaces as { associatePublicIpAddress: string }[]).map((n) => n.associatePublicIpAddress), ["false"], t.name);
    assert.equal(t.inputs.keyName, undefined, t.name);
    assert.equal((t.inputs.metadataOptions as { httpTokens: string }).httpTokens, "required");
  }
  for (const s of ours(base).filter((r) => r.type === "aws:ec2/subnet:Subnet")) assert.equal(s.inputs.mapPublicIpOnLaunch, false, s.name);
  for (const g of ours(base).filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")) {
    for (const rule of (g.inputs.ingress ?? []) as { protocol: string; fromPort: number; toPort: number }[]) {
      const coversSsh = rule.protocol === "-1" || (rule.fromPort <= 22 && rule.toPort >= 22);
      assert.equal(coversSsh, false, `${g.name} admits port 22`);
    }
  }
  // Session Manager without AmazonSSMManagedInstanceCore (security review M7): no managed policy,
  // and each fleet role's own policy allows Session Manager and reads only the app's parameter path.
  assert.deepEqual(ours(base).filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.name), []);
  // The fleets' roles; the database role setup function's own policy is tested in aquamark-database.test.ts.
  const rolePolicies = ours(base).filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && !r.name.endsWith("-db-role-fn"));
  assert.equal(rolePolicies.length, 4);
  for (const p of rolePolicies) {
    const statements = (JSON.parse(String(p.inputs.policy)) as { Statement: { Action: string[]; Resource: string | string[] }[] }).Statement;
    assert.ok(statements.some((st) => st.Action.includes("ssmmessages:OpenDataChannel")), `${p.name} allows Session Manager`);
    for (const st of statements.filter((x) => x.Action.some((a) => a.startsWith("ssm:Get")))) {
      // The settings path (every role), and a daemon's own config file (aws-apps: one parameter each).
      assert.ok(["ssm:GetParametersByPath", "ssm:GetParameter"].includes(st.Action.join()), `${p.name}: ${st.Action.join()}`);
      for (const arn of [st.Resource].flat()) assert.match(arn, /:parameter\/aquamark\//, `${p.name} reads only aquamark's parameters`);
    }
  }
});

test("secrets are never plaintext: not in user data nor any input nor output, settings are SecureStrings", async () => {
  const [base, , , , production] = await all();
  for (const r of [base, production]) {
    assert.ok(r.secretValues.some((v) => v.startsWith("postgresql://")), "the database URL was seen as a secret");
    const text = renderedValues(r);
    for (const secret of r.secretValues) assert.equal(text.includes(secret), false, `a secret appears unmasked (${secret.slice(0, 12)}...)`);
    for (const t of ours(r).filter((x) => x.type === "aws:ec2/launchTemplate:LaunchTemplate")) {
      const userData = Buffer.from(String(t.inputs.userData), "base64").toString();
      for (const secret of r.secretValues) assert.equal(userData.includes(secret), false, t.name);
      assert.doesNotMatch(userData, /PASSWORD=|postgresql:\/\//);
    }
  }
  const params = ours(base).filter((x) => x.type === "aws:ssm/parameter:Parameter");
  assert.deepEqual(params.map((p) => String(p.inputs.name).split("/").slice(-2).join("/")).sort(), [
    "env/ANALYTICS_ID", "env/DATABASE_URL", "files/notification.yaml", "files/recalculate.yaml",
  ]);
  for (const p of params) {
    assert.equal(p.inputs.type, "SecureString");
    assert.equal(p.inputs.value, "[secret]");
  }
});

test("the HTTPS listener uses a validated certificate and a TLS 1.2+ policy; HTTP redirects; colours have host rules", async () => {
  const [base] = await all();
  const https = find(base, "aws:lb/listener:Listener", "aquamark-https");
  assert.match(String(https.inputs.sslPolicy), /^ELBSecurityPolicy-TLS13-1-2-/);
  assert.equal(https.inputs.protocol, "HTTPS");
  const validation = find(base, "aws:acm/certificateValidation:CertificateValidation", "aquamark");
  assert.equal((validation.inputs.validationRecordFqdns as string[]).length, 3);
  const http = find(base, "aws:lb/listener:Listener", "aquamark-http");
  assert.deepEqual((http.inputs.defaultActions as { type: string; redirect: { protocol: string } }[]).map((a) => [a.type, a.redirect.protocol]), [["redirect", "HTTPS"]]);
  for (const c of ["blue", "green"]) {
    const rule = find(base, "aws:lb/listenerRule:ListenerRule", `aquamark-${c}`);
    assert.deepEqual(rule.inputs.conditions, [{ hostHeader: { values: [`${c}.aquamark-staging.example.org`] } }]);
    const tg = find(base, "aws:lb/targetGroup:TargetGroup", `aquamark-${c}`);
    assert.deepEqual([(tg.inputs.healthCheck as { path: string }).path, tg.inputs.port], ["/ping", 80]);
    const group = find(base, "aws:autoscaling/group:Group", `aquamark-web-${c}`);
    assert.equal(group.inputs.healthCheckType, "ELB");
    assert.equal((group.inputs.instanceRefresh as { strategy: string }).strategy, "Rolling");
  }
  const aliases = ours(base).filter((r) => r.type === "aws:route53/record:Record" && r.inputs.type === "A").map((r) => r.inputs.name);
  assert.deepEqual(aliases, ["aquamark-staging.example.org", "blue.aquamark-staging.example.org", "green.aquamark-staging.example.org"]);
});

test("every AWS resource goes through the app's provider, which tags app and stack; fleets tag their colour", async () => {
  const [base] = await all();
  const provider = find(base, "pulumi:providers:aws", "aquamark");
  // Provider inputs reach the engine JSON-encoded.
  const defaultTags: unknown = JSON.parse(String(provider.inputs.defaultTags));
  assert.deepEqual(defaultTags, { tags: { app: "aquamark", stack: "staging" } });
  for (const r of ours(base).filter((x) => x.type.startsWith("aws:"))) assert.equal(r.options.provider, provider.urn, `${r.type} ${r.name}`);
  for (const c of ["blue", "green"]) {
    const lt = find(base, "aws:ec2/launchTemplate:LaunchTemplate", `aquamark-web-${c}`);
    const specs = lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
    assert.deepEqual(specs.map((s) => [s.resourceType, s.tags.colour]), [["instance", c], ["volume", c]]);
    const group = find(base, "aws:autoscaling/group:Group", `aquamark-web-${c}`);
    assert.ok((group.inputs.tags as { key: string; value: string }[]).some((t) => t.key === "colour" && t.value === c));
  }
});

test("stack outputs name the live colour, the URLs, the load balancer, the database without password and the topic", async () => {
  const [base] = await all();
  const out = base.outputs.aquamark as Record<string, unknown>;
  assert.equal(out.liveColour, "blue");
  assert.equal(out.liveUrl, "https://aquamark-staging.example.org");
  assert.equal(out.greenUrl, "https://green.aquamark-staging.example.org");
  assert.match(String(out.loadBalancerDnsName), /elb\.amazonaws\.com$/);
  assert.match(String(out.databaseEndpoint), /:5432$/);
  assert.doesNotMatch(String(out.databaseEndpoint), /@/);
  assert.match(String(out.alarmTopicArn), /^arn:aws:sns:/);
});

test("each fleet's user data passes cloud-init's schema check and its start script passes shellcheck", async () => {
  const [base] = await all();
  const dir = mkdtempSync(join(tmpdir(), "aquamark-"));
  for (const t of ours(base).filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")) {
    const userData = Buffer.from(String(t.inputs.userData), "base64").toString();
    writeFileSync(join(dir, `${t.name}.yaml`), userData);
    assert.match(execFileSync("cloud-init", ["schema", "--config-file", join(dir, `${t.name}.yaml`)], { encoding: "utf8" }), /Valid cloud-config/);
    const doc = YAML.parse(userData.replace(/^#cloud-config\n/, "")) as { write_files: { content: string }[] };
    writeFileSync(join(dir, `${t.name}.sh`), doc.write_files[0].content);
    execFileSync("shellcheck", ["-s", "bash", join(dir, `${t.name}.sh`)]);
    if (short(t.name).startsWith("aquamark-web-")) assert.match(doc.write_files[0].content, /--name 'migrate'.*alembic.*upgrade.*head/s);
  }
});
