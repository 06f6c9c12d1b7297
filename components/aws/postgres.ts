import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptionOptions } from "../adoption";
import * as random from "@pulumi/random";
import { PostgresAppRole } from "./postgres-app-role";
import type { PasswordEncryption } from "./postgres-app-role-handler";

/** The application's own role, the only credentials {@link Postgres.connectionUrl} carries. */
export interface PostgresAppRoleSpec {
  /** Role name: a lower-case SQL name other than the master user. */
  name: string;
  /** The role may create roles (CREATEROLE; on PostgreSQL ≥ 16 it administers only those). Default: false. */
  createRole?: boolean;
  /** How its password is stored. Default: "scram-sha-256". */
  passwordEncryption?: PasswordEncryption;
}

/**
 * An existing instance to adopt with `import` instead of creating one. Only what the provider cannot
 * change in place is taken from here (terraform-provider-aws internal/service/rds/instance.go: `username`,
 * `db_name`, `storage_encrypted` are ForceNew); everything else is brought to the arguments by an update
 * right after the import.
 */
export interface PostgresAdoption {
  /** The DB instance identifier: the import ID, and the instance keeps it. */
  id: string;
  /** The instance's DBName as `aws rds describe-db-instances` reports it; undefined when it reports none. */
  dbName?: string;
  /** Whether its storage is encrypted (cannot change in place). */
  storageEncrypted: boolean;
  /** Its current engine version: a higher major in `engineVersion` is an in-place major upgrade. */
  engineVersion: string;
}

/** Arguments of {@link Postgres}. */
export interface PostgresArgs {
  /** VPC of the database and its clients. */
  vpcId: pulumi.Input<string>;
  /** Private subnets in at least two availability zones (an RDS requirement). */
  subnetIds: pulumi.Input<string>[];
  /** PostgreSQL engine version such as "16" or "16.4". */
  engineVersion: string;
  /** RDS instance class such as "db.t4g.medium". */
  instanceClass: string;
  /** Allocated gp3 storage in GiB, at least 20. */
  storageGiB: number;
  /** Upper limit of storage autoscaling in GiB, above `storageGiB`. Default: no autoscaling. */
  maxStorageGiB?: number;
  /** Standby in a second zone. Default: false. */
  multiAz?: boolean;
  /** Days automated backups are kept, 1 to 35. Default: 7. */
  backupRetentionDays?: number;
  /**
   * The application's database: created with a new instance; for a restored snapshot or an adopted
   * instance, the database that holds the data. Default: "app".
   */
  databaseName?: string;
  /** Master user name (a restored snapshot or adopted instance keeps its own: give that one). Default: "app". */
  username?: string;
  /** The application's role, made and kept by a function inside the VPC ({@link PostgresAppRole}). */
  appRole: PostgresAppRoleSpec;
  /** Adopt this existing instance (import) instead of creating one. Default: create one. */
  adopt?: PostgresAdoption;
  /** Apply changes now instead of in the next maintenance window (instance class, subnet group, engine). Default: false; true while adopting. */
  applyImmediately?: boolean;
  /** Create the instance from this snapshot. Default: an empty database. */
  snapshotIdentifier?: string;
  /**
   * Server parameters set in a parameter group created with the instance (so the first password is
   * already stored under them), applied immediately. Default: none (the engine's default group).
   */
  parameters?: Record<string, string>;
  /**
   * Production safety: deletion protection, a final snapshot on delete, and the instance protected
   * and retained by Pulumi. Default: false.
   */
  protect?: boolean;
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const DEFAULT_MASTER = "app";
const majorOf = (version: string) => Number(version.split(".")[0]);

/** Checks {@link PostgresArgs}; throws naming the argument. */
export function validatePostgresArgs(name: string, args: PostgresArgs): void {
  const problems: string[] = [];
  if (!/^[0-9]+(\.[0-9]+)?$/.test(args.engineVersion)) problems.push(`args.engineVersion must be a version such as 16 or 16.4, got ${JSON.stringify(args.engineVersion)}`);
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(args.instanceClass)) problems.push(`args.instanceClass must be an RDS class such as db.t4g.medium, got ${JSON.stringify(args.instanceClass)}`);
  if (!Number.isInteger(args.storageGiB) || args.storageGiB < 20) problems.push(`args.storageGiB must be a whole number of at least 20, got ${args.storageGiB}`);
  if (args.maxStorageGiB !== undefined && args.maxStorageGiB <= args.storageGiB) problems.push(`args.maxStorageGiB must exceed args.storageGiB (${args.storageGiB}), got ${args.maxStorageGiB}`);
  const days = args.backupRetentionDays ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 35) problems.push(`args.backupRetentionDays must be a whole number from 1 to 35, got ${days}`);
  for (const key of ["databaseName", "username"] as const) {
    const value = args[key];
    if (value !== undefined && !IDENTIFIER.test(value)) problems.push(`args.${key} must be a lower-case identifier such as app, got ${JSON.stringify(value)}`);
  }
  if (args.username === "rdsadmin") problems.push(`args.username must not be a reserved name, got ${JSON.stringify(args.username)}`);
  if (!IDENTIFIER.test(args.appRole.name)) problems.push(`args.appRole.name must be a lower-case identifier such as app, got ${JSON.stringify(args.appRole.name)}`);
  if (args.appRole.name === (args.username ?? DEFAULT_MASTER)) problems.push(`args.appRole.name must differ from the master user ${JSON.stringify(args.appRole.name)}`);
  if (args.adopt !== undefined) {
    if (args.snapshotIdentifier !== undefined) problems.push("args.adopt and args.snapshotIdentifier exclude each other: an adopted instance already holds its data");
    if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(args.adopt.id)) problems.push(`args.adopt.id must be an RDS DB instance identifier, got ${JSON.stringify(args.adopt.id)}`);
    if (args.adopt.dbName !== undefined && !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(args.adopt.dbName)) problems.push(`args.adopt.dbName must be a database name, got ${JSON.stringify(args.adopt.dbName)}`);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(args.adopt.engineVersion)) problems.push(`args.adopt.engineVersion must be a version such as 13.7, got ${JSON.stringify(args.adopt.engineVersion)}`);
    else if (majorOf(args.adopt.engineVersion) > majorOf(args.engineVersion)) problems.push(`args.engineVersion ${args.engineVersion} is older than the adopted instance's ${args.adopt.engineVersion}: RDS cannot downgrade`);
  }
  for (const key of Object.keys(args.parameters ?? {})) {
    if (!/^[a-z][a-z0-9_.]*$/.test(key)) problems.push(`args.parameters key must be a PostgreSQL parameter name such as password_encryption, got ${JSON.stringify(key)}`);
  }
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/**
 * The parameter group family of an engine version: `postgres<major>` (AWS RDS User Guide,
 * "Working with DB parameter groups": `aws rds describe-db-engine-versions --query "DBEngineVersions[].DBParameterGroupFamily"`).
 */
export function parameterGroupFamily(engineVersion: string): string {
  return `postgres${engineVersion.split(".")[0]}`;
}

/**
 * A private RDS PostgreSQL instance: encrypted gp3 storage, automated backups, not publicly
 * accessible, reachable on 5432 only from instances that carry its client security group
 * ({@link clientSecurityGroupId}), with a generated master password that stays a secret (the
 * connection URL is a secret Output too). The client group is created here, before any client
 * exists, so clients can depend on the database's settings without a cycle.
 */
export class Postgres extends pulumi.ComponentResource {
  /** Host name of the instance. */
  public readonly address: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** `host:port`. */
  public readonly endpoint: pulumi.Output<string>;
  /** RDS instance identifier (for CloudWatch dimensions). */
  public readonly identifier: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  /** DB subnet group: where a restore from a snapshot puts the restored instance. */
  public readonly subnetGroupName: pulumi.Output<string>;
  /** Attach to an instance to let it connect; the database admits nothing else. */
  public readonly clientSecurityGroupId: pulumi.Output<string>;
  /**
   * `postgresql://role:password@host:port/db` of the application's role (never the master): a secret,
   * known only once the role has been made, so whatever reads it waits for that.
   */
  public readonly connectionUrl: pulumi.Output<string>;
  /** The application's role and the function that keeps it. */
  public readonly appRole: PostgresAppRole;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Postgres", name, {}, opts);
    validatePostgresArgs(name, args);
    const protect = args.protect ?? false;
    const adopt = args.adopt;
    // Adopted: made outside the program, so never deleted with it, and protected.
    const keep = { protect: protect || adopt !== undefined, retainOnDelete: protect || adopt !== undefined };
    const username = args.username ?? DEFAULT_MASTER;
    const databaseName = args.databaseName ?? "app";

    // No rules of its own: a badge that the database's group admits.
    const clients = new aws.ec2.SecurityGroup(
      `${name}-client`,
      { vpcId: args.vpcId, description: `Clients of the Postgres ${name}`, ingress: [], egress: [] },
      { parent: this },
    );
    this.clientSecurityGroupId = clients.id;
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-db`,
      {
        vpcId: args.vpcId,
        description: `Postgres of ${name}: port 5432 from its clients only`,
        ingress: [{ description: "postgres from clients", protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [clients.id] }],
        // The database starts no connections.
        egress: [],
      },
      { parent: this },
    );
    this.securityGroupId = securityGroup.id;

    const subnetGroup = new aws.rds.SubnetGroup(name, { subnetIds: args.subnetIds, description: `Private subnets of ${name}` }, { parent: this });
    this.subnetGroupName = subnetGroup.name;

    // URL-safe characters only: the password goes into a postgresql:// URL unescaped.
    const password = new random.RandomPassword(`${name}-master`, { length: 40, special: true, overrideSpecial: "-_~" }, { parent: this });

    const parameters = Object.entries(args.parameters ?? {});
    const parameterGroup =
      parameters.length > 0
        ? new aws.rds.ParameterGroup(
            name,
            {
              family: parameterGroupFamily(args.engineVersion),
              description: `Parameters of ${name}`,
              parameters: parameters.map(([parameterName, value]) => ({ name: parameterName, value, applyMethod: "immediate" })),
            },
            { parent: this },
          )
        : undefined;

    const instance = new aws.rds.Instance(
      name,
      {
        // An adopted instance keeps its identifier (its endpoint's name); a new one is autonamed.
        identifier: adopt?.id,
        engine: "postgres",
        engineVersion: args.engineVersion,
        instanceClass: args.instanceClass,
        allocatedStorage: args.storageGiB,
        maxAllocatedStorage: args.maxStorageGiB,
        storageType: "gp3",
        // An adopted instance states its own: encryption cannot change in place (ForceNew).
        storageEncrypted: adopt?.storageEncrypted ?? true,
        multiAz: args.multiAz ?? false,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameterGroup?.name,
        publiclyAccessible: false,
        // Created with a new instance; a snapshot brings its own, an adopted instance keeps its own (ForceNew).
        dbName: adopt !== undefined ? adopt.dbName : args.snapshotIdentifier === undefined ? databaseName : undefined,
        username,
        // An adopted instance gets this password with the update that follows its import.
        password: password.result,
        snapshotIdentifier: args.snapshotIdentifier,
        backupRetentionPeriod: args.backupRetentionDays ?? 7,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: adopt !== undefined && majorOf(adopt.engineVersion) < majorOf(args.engineVersion) ? true : undefined,
        applyImmediately: args.applyImmediately ?? (adopt !== undefined ? true : undefined),
        deletionProtection: keep.protect,
        skipFinalSnapshot: !keep.protect,
        finalSnapshotIdentifier: keep.protect ? `${name}-final` : undefined,
      },
      { parent: this, ...adoptionOptions(keep, adopt?.id) },
    );
    this.address = instance.address;
    this.port = instance.port;
    this.endpoint = instance.endpoint;
    this.identifier = instance.identifier;

    // The application's own credentials; URL-safe like the master's.
    const rolePassword = new random.RandomPassword(`${name}-app`, { length: 40, special: true, overrideSpecial: "-_~" }, { parent: this });
    this.appRole = new PostgresAppRole(
      `${name}-role`,
      {
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        clientSecurityGroupId: clients.id,
        databaseSecurityGroupId: securityGroup.id,
        host: instance.address,
        port: instance.port,
        instanceResourceId: instance.resourceId,
        masterUsername: username,
        masterPassword: password.result,
        role: args.appRole.name,
        rolePassword: rolePassword.result,
        database: databaseName,
        createRole: args.appRole.createRole,
        passwordEncryption: args.appRole.passwordEncryption,
      },
      { parent: this },
    );
    this.connectionUrl = pulumi.secret(
      pulumi
        .all([rolePassword.result, instance.address, instance.port, this.appRole.ready])
        .apply(([rolePass, host, port]) => `postgresql://${args.appRole.name}:${rolePass}@${host}:${port}/${databaseName}`),
    );

    this.registerOutputs({ address: this.address, endpoint: this.endpoint, securityGroupId: this.securityGroupId, clientSecurityGroupId: this.clientSecurityGroupId });
  }
}
