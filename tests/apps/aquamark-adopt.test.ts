/**
 * Adopting aquamark's running RDS instance (issue 16): config names it, the program imports it, and the
 * inputs that cannot change in place are the instance's own, so the update that follows the import
 * (pulumi/pulumi#19339: import, then diff the imported state against the program) changes it in place.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { diffPlans } from "../../tools/plan/diff";
import { REPLACEMENT_RULES } from "../../tools/plan/replacement";
import type { RenderedResource, RenderResult } from "../../tools/render/harness";
import { AQUAMARK_ADOPT } from "../fixtures/aquamark-adoption";
import { changeSet, named, renderOnce } from "../support";

const INSTANCE = "aws:rds/instance:Instance";
const ADOPT: string[] = [...AQUAMARK_ADOPT];

let fresh: RenderResult;
let adopted: RenderResult;
let misdeclared: RenderResult;
before(async () => {
  [fresh, adopted, misdeclared] = await Promise.all([
    renderOnce("production"),
    renderOnce("production", ADOPT),
    // The same instance declared as encrypted: what the import must not do.
    renderOnce("production", [...ADOPT.filter((o) => !o.includes("storageEncrypted")), "apps.aquamark.database.adopt.storageEncrypted=true"]),
  ]);
});

const aquamark = (r: RenderResult) => r.resources.filter((x) => x.urn.includes("::platform:app:Aquamark"));
const instanceOf = (r: RenderResult) => named(r, INSTANCE, "aquamark-production-db");

/**
 * The instance as the import reads it from AWS (`aws rds describe-db-instances` of a hand-made seed 002
 * instance), in the program's input names: what the update after the import is diffed against. Only the
 * inputs the program declares: an input it leaves unset (availabilityZone, kmsKeyId) is Optional+Computed
 * and shows no difference.
 */
function asImported(r: RenderResult): RenderResult {
  const running: Record<string, unknown> = {
    identifier: "aquamark",
    engine: "postgres",
    engineVersion: "13.20",
    instanceClass: "db.t3.medium",
    allocatedStorage: 100,
    storageType: "gp2",
    storageEncrypted: false,
    username: "postgres",
    dbSubnetGroupName: "default-vpc-0a1b2c3d",
    vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
    parameterGroupName: "default.postgres13",
    publiclyAccessible: false,
    multiAz: false,
    backupRetentionPeriod: 7,
    copyTagsToSnapshot: false,
    autoMinorVersionUpgrade: true,
    deletionProtection: false,
  };
  const imported = (x: RenderedResource): RenderedResource =>
    x.type === INSTANCE && x.options.import !== undefined
      ? { ...x, inputs: running, secretDigests: {}, propertyDependencies: {}, options: { ...x.options, import: undefined } }
      : x;
  return { ...r, resources: r.resources.map(imported) };
}

test("with database.adopt set, the RDS instance and nothing else of aquamark is imported, by its identifier", () => {
  assert.deepEqual(aquamark(adopted).filter((x) => x.options.import !== undefined).map((x) => [x.type, x.options.import]), [[INSTANCE, "aquamark"]]);
  assert.deepEqual(aquamark(fresh).filter((x) => x.options.import !== undefined), [], "nothing is imported unless config says so");
  const step = diffPlans({ ...adopted, resources: [] }, adopted).steps.find((s) => s.urn === instanceOf(adopted).urn);
  assert.equal(step?.op, "import", "the offline plan shows the import");
});

test("the adopted instance is protected and retained, and keeps its identifier, master user, database name and encryption", () => {
  const instance = instanceOf(adopted);
  assert.equal(instance.options.protect, true);
  assert.equal(instance.options.retainOnDelete, true);
  assert.equal(instance.inputs.deletionProtection, true);
  assert.equal(instance.inputs.identifier, "aquamark", "renaming it would change its endpoint");
  assert.equal(instance.inputs.username, "postgres");
  assert.equal(instance.inputs.storageEncrypted, false);
  assert.equal(instance.inputs.dbName, undefined, "the seed's instance was created without a DBName");
  assert.equal(instance.inputs.snapshotIdentifier, undefined);
  assert.equal(instance.inputs.allowMajorVersionUpgrade, true, "13 to 16 is a major upgrade");
  assert.equal(instance.inputs.applyImmediately, true, "the move to the program's VPC happens in this up, not in the next maintenance window");
  assert.equal(instanceOf(fresh).inputs.identifier, undefined, "a new instance is autonamed");
});

test("nothing imported would be replaced: after the import, the program's settings are in-place updates", () => {
  const changes = changeSet(asImported(adopted), adopted);
  const urn = instanceOf(adopted).urn;
  assert.deepEqual(changes.replace, {}, "no replacement anywhere");
  const paths = changes.update[urn] ?? [];
  for (const moved of ["dbSubnetGroupName", "vpcSecurityGroupIds", "engineVersion", "instanceClass", "parameterGroupName", "password", "storageType", "deletionProtection"]) {
    assert.ok(paths.some((p) => p === moved || p.startsWith(`${moved}.`) || p.startsWith(`${moved}[`)), `${moved} is updated in place (${paths.join(", ")})`);
  }
  // The rule the prediction used is the provider's own table, with storage_encrypted, username and db_name ForceNew.
  for (const field of ["storageEncrypted", "username", "dbName"]) assert.ok(REPLACEMENT_RULES[INSTANCE].forceNew.includes(field));
});

test("declaring an adopted instance's encryption wrongly would replace it, and its protection blocks that", () => {
  const changes = changeSet(asImported(misdeclared), misdeclared);
  assert.ok(Object.keys(changes.replace).includes(instanceOf(misdeclared).urn));
  assert.ok(changes.replace[instanceOf(misdeclared).urn].some((c) => c.includes("storageEncrypted")));
  const blocked = diffPlans(asImported(misdeclared), misdeclared).blocked.map((b) => b.urn);
  assert.ok(blocked.includes(instanceOf(misdeclared).urn));
});

test("the adopted instance's role setup connects as its master to the database holding the data", () => {
  const fn = named(adopted, "aws:lambda/function:Function", "aquamark-production-db-role-fn");
  assert.match(String(fn.inputs.description), /of database postgres$/);
  // The master's name travels in the invocation's secret payload: read it from the render's secret values.
  const payloads = adopted.secretValues.flatMap((v) => {
    try {
      const parsed = JSON.parse(v) as { master?: { user?: string }; database?: string };
      return parsed.master ? [parsed] : [];
    } catch {
      return [];
    }
  });
  assert.deepEqual(payloads.map((p) => [p.master?.user, p.database]), [["postgres", "postgres"]]);
});
