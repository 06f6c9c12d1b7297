import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

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
  /** Database created on first boot (ignored when restoring a snapshot). Default: "app". */
  databaseName?: string;
  /** Master user name (a restored snapshot keeps its own). Default: "app". */
  username?: string;
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
  if (args.username === "postgres" || args.username === "rdsadmin") problems.push(`args.username must not be a reserved name, got ${JSON.stringify(args.username)}`);
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
  /** `postgresql://user:password@host:port/db`: a secret. */
  public readonly connectionUrl: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Postgres", name, {}, opts);
    validatePostgresArgs(name, args);
    const protect = args.protect ?? false;
    const username = args.username ?? "app";
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
        engine: "postgres",
        engineVersion: args.engineVersion,
        instanceClass: args.instanceClass,
        allocatedStorage: args.storageGiB,
        maxAllocatedStorage: args.maxStorageGiB,
        storageType: "gp3",
        storageEncrypted: true,
        multiAz: args.multiAz ?? false,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameterGroup?.name,
        publiclyAccessible: false,
        dbName: args.snapshotIdentifier === undefined ? databaseName : undefined,
        username,
        password: password.result,
        snapshotIdentifier: args.snapshotIdentifier,
        backupRetentionPeriod: args.backupRetentionDays ?? 7,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        deletionProtection: protect,
        skipFinalSnapshot: !protect,
        finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.address = instance.address;
    this.port = instance.port;
    this.endpoint = instance.endpoint;
    this.identifier = instance.identifier;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgresql://${username}:${password.result}@${instance.address}:${instance.port}/${databaseName}`,
    );

    this.registerOutputs({ address: this.address, endpoint: this.endpoint, securityGroupId: this.securityGroupId, clientSecurityGroupId: this.clientSecurityGroupId });
  }
}
