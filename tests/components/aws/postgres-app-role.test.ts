/** Argument checks of PostgresAppRole and of Postgres's app role and adoption, as pure functions (no mocks). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type PostgresArgs, validatePostgresArgs } from "../../../components/aws/postgres";
import { type PostgresAppRoleArgs, validatePostgresAppRoleArgs } from "../../../components/aws/postgres-app-role";

const ROLE: PostgresAppRoleArgs = {
  vpcId: "v",
  subnetIds: ["a", "b"],
  clientSecurityGroupId: "sg-c",
  databaseSecurityGroupId: "sg-d",
  host: "db.example",
  port: 5432,
  instanceResourceId: "db-ABC",
  masterUsername: "master",
  masterPassword: "x".repeat(20),
  role: "app_role",
  rolePassword: "y".repeat(20),
  database: "app",
};

test("PostgresAppRole: role and database are SQL names, not reserved roles; log retention is whole days", () => {
  assert.doesNotThrow(() => validatePostgresAppRoleArgs("r", ROLE));
  for (const [bad, arg] of [
    [{ role: 'x"; drop' }, "role"],
    [{ role: "pg_monitor" }, "role"],
    [{ role: "rdsadmin" }, "role"],
    [{ database: "My DB" }, "database"],
    [{ logRetentionDays: 0 }, "logRetentionDays"],
  ] as const) {
    assert.throws(() => validatePostgresAppRoleArgs("r", { ...ROLE, ...bad }), new RegExp(`^Error: r: .*args\\.${arg}`));
  }
});

const PG: PostgresArgs = { vpcId: "v", subnetIds: ["a", "b"], engineVersion: "16", instanceClass: "db.t4g.medium", storageGiB: 100, username: "master", appRole: { name: "app_role" } };
const ADOPT = { id: "aquamark", storageEncrypted: false, engineVersion: "13.20" };

test("Postgres: the app role is never the master, and an adoption states what cannot change in place", () => {
  assert.throws(() => validatePostgresArgs("p", { ...PG, appRole: { name: "master" } }), /args\.appRole\.name must differ from the master user/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, appRole: { name: "App" } }), /args\.appRole\.name must be a lower-case identifier/);
  assert.doesNotThrow(() => validatePostgresArgs("p", { ...PG, adopt: ADOPT }));
  assert.throws(() => validatePostgresArgs("p", { ...PG, adopt: ADOPT, snapshotIdentifier: "snap" }), /args\.adopt and args\.snapshotIdentifier exclude each other/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, adopt: { ...ADOPT, id: "1bad" } }), /args\.adopt\.id/);
  assert.throws(() => validatePostgresArgs("p", { ...PG, adopt: { ...ADOPT, engineVersion: "17.1" } }), /args\.engineVersion 16 is older than the adopted instance's 17\.1/);
});
