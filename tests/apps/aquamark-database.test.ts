/**
 * aquamark's database credentials (security review M9): the instances connect as the app's own role; the
 * master password reaches only the RDS instance and the payload of the role setup function's invocation.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, test } from "node:test";
import { DATABASE_ROLE } from "../../apps/contracts/aquamark";
import { handlerBundle } from "../../components/aws/postgres-app-role";
import { checkIam } from "../../policies/rules/iam";
import type { RenderedResource, RenderResult } from "../../tools/render/harness";
import { named, ofType, renderOnce } from "../support";

let staging: RenderResult;
let production: RenderResult;
before(async () => {
  [staging, production] = await Promise.all([renderOnce("staging"), renderOnce("production")]);
});

const FUNCTION = "aws:lambda/function:Function";
const INVOCATION = "aws:lambda/invocation:Invocation";
const INSTANCE = "aws:rds/instance:Instance";
const PASSWORD = "random:index/randomPassword:RandomPassword";

/** The resources whose inputs take an output of `source`. */
const takers = (r: RenderResult, source: RenderedResource) =>
  r.resources.filter((x) => Object.values(x.propertyDependencies).some((urns) => urns.includes(source.urn)));
const inputsFrom = (x: RenderedResource, source: RenderedResource) =>
  Object.entries(x.propertyDependencies).filter(([, urns]) => urns.includes(source.urn)).map(([key]) => key).sort();

for (const stack of ["staging", "production"] as const) {
  const render = () => (stack === "staging" ? staging : production);

  test(`${stack}: only the RDS instance and the role setup's invocation payload take the master password, never the function's environment`, () => {
    const master = named(render(), PASSWORD, `aquamark-${stack}-db-master`);
    const users = takers(render(), master);
    assert.deepEqual(users.map((x) => x.type).sort(), [INSTANCE, INVOCATION].sort());
    assert.deepEqual(inputsFrom(named(render(), INSTANCE, `aquamark-${stack}-db`), master), ["password"]);
    assert.deepEqual(inputsFrom(named(render(), INVOCATION, `aquamark-${stack}-db-role-apply`), master), ["input"]);
    // lambda:GetFunctionConfiguration returns environment variables in clear text (review of this change).
    const fn = named(render(), FUNCTION, `aquamark-${stack}-db-role-fn`);
    const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    assert.deepEqual(Object.keys(variables).sort(), ["NODE_EXTRA_CA_CERTS", "PGHOST", "PGPORT"]);
    assert.ok(!Object.values(variables).includes("[secret]"), "no secret in the function's environment");
  });

  test(`${stack}: the instances' DATABASE_URL is the app role's, made once the role exists`, () => {
    const url = named(render(), "aws:ssm/parameter:Parameter", `aquamark-${stack}-settings-database-url`);
    assert.equal(url.inputs.type, "SecureString");
    assert.equal(url.inputs.value, "[secret]");
    const deps = url.propertyDependencies.value ?? [];
    assert.ok(deps.includes(named(render(), PASSWORD, `aquamark-${stack}-db-app`).urn), "it carries the app role's password");
    assert.ok(!deps.includes(named(render(), PASSWORD, `aquamark-${stack}-db-master`).urn), "not the master's");
    assert.ok(deps.includes(named(render(), INVOCATION, `aquamark-${stack}-db-role-apply`).urn), "it waits for the role to be made");
    assert.equal((render().outputs.aquamark as { databaseRole: string }).databaseRole, DATABASE_ROLE.name);
    // The render's secret values (never printed): the one connection URL names the app role and its database.
    const urls = render().secretValues.filter((v) => v.startsWith("postgresql://")).map((v) => new URL(v));
    assert.deepEqual(urls.map((u) => [u.username, u.pathname]), [[DATABASE_ROLE.name, "/aquamark"]]);
  });

  test(`${stack}: the role setup runs after the instance, again when it is replaced, for the app role and its database`, () => {
    const invocation = named(render(), INVOCATION, `aquamark-${stack}-db-role-apply`);
    const instance = named(render(), INSTANCE, `aquamark-${stack}-db`);
    const fn = named(render(), FUNCTION, `aquamark-${stack}-db-role-fn`);
    assert.ok(invocation.propertyDependencies.triggers?.includes(instance.urn), "its triggers come from the instance");
    assert.ok(invocation.propertyDependencies.functionName?.includes(fn.urn));
    assert.equal(invocation.inputs.lifecycleScope, "CREATE_ONLY");
    assert.equal(invocation.inputs.input, "[secret]", "the role's password is in the input: a secret");
    assert.match(String(fn.inputs.description), new RegExp(`role ${DATABASE_ROLE.name} of database aquamark$`));
  });

  test(`${stack}: the function runs in the database's private subnets, reaching only the database's port`, () => {
    const fn = named(render(), FUNCTION, `aquamark-${stack}-db-role-fn`);
    assert.equal(fn.inputs.runtime, "nodejs24.x");
    const vpc = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
    const subnetGroup = named(render(), "aws:rds/subnetGroup:SubnetGroup", `aquamark-${stack}-db`);
    assert.deepEqual([...vpc.subnetIds].sort(), [...(subnetGroup.inputs.subnetIds as string[])].sort(), "the database's subnets");
    const group = named(render(), "aws:ec2/securityGroup:SecurityGroup", `aquamark-${stack}-db-role-fn`);
    const database = named(render(), "aws:ec2/securityGroup:SecurityGroup", `aquamark-${stack}-db-db`);
    assert.deepEqual(group.inputs.ingress, []);
    assert.deepEqual(
      (group.inputs.egress as Record<string, unknown>[]).map((e) => [e.protocol, e.fromPort, e.toPort, (e.securityGroups as string[]).length]),
      [["tcp", 5432, 5432, 1]],
    );
    assert.ok(group.propertyDependencies.egress?.includes(database.urn), "its one egress rule names the database's group");
    const client = named(render(), "aws:ec2/securityGroup:SecurityGroup", `aquamark-${stack}-db-client`);
    assert.ok(fn.propertyDependencies.vpcConfig?.includes(client.urn), "it carries the database's client badge");
  });

  test(`${stack}: the function's role writes its own log group and manages network interfaces, nothing sensitive`, () => {
    const policy = named(render(), "aws:iam/rolePolicy:RolePolicy", `aquamark-${stack}-db-role-fn`);
    const document = JSON.parse(String(policy.inputs.policy)) as { Statement: Record<string, unknown>[] };
    assert.deepEqual(checkIam(policy), [], "the IAM policy rule finds nothing");
    const actions = document.Statement.flatMap((s) => s.Action as string[]);
    assert.ok(actions.every((a) => /^(logs:(CreateLogStream|PutLogEvents)|ec2:[A-Za-z]+NetworkInterfaces?|ec2:DescribeSubnets|ec2:(Assign|Unassign)PrivateIpAddresses)$/.test(a)), actions.join(", "));
  });
}

test("the function's code is the same bytes in another process (a plan shows no change without a code change)", () => {
  // The render ran in a child process; handlerBundle() here builds it again in this one.
  const invocation = named(production, INVOCATION, "aquamark-production-db-role-apply");
  assert.equal((invocation.inputs.triggers as { code: string }).code, createHash("sha256").update(handlerBundle()).digest("hex"));
});

test("the function's code is the same bundle in every render (a plan shows no change without a code change)", () => {
  const code = (r: RenderResult) => JSON.stringify(ofType(r, FUNCTION).find((f) => f.name.startsWith("aquamark-"))?.inputs.code);
  assert.equal(code(staging), code(production));
  assert.ok(!code(staging).includes(process.cwd()), "no absolute path of this machine");
  assert.match(code(staging), /index\.js/);
});
