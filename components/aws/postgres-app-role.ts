/**
 * An application's own PostgreSQL role on a private RDS instance, so the application never holds the
 * master password (security review M9). Nothing that runs `pulumi up` can reach a database in private
 * subnets, so the role is made from inside the VPC: a small Lambda function there connects as the master,
 * and a Lambda invocation runs it, with the master's credentials in its (secret) payload, whenever what
 * the role should be changes.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import type { AppRoleEvent, PasswordEncryption } from "./postgres-app-role-handler";

/** Arguments of {@link PostgresAppRole}. */
export interface PostgresAppRoleArgs {
  /** VPC of the database. */
  vpcId: pulumi.Input<string>;
  /** Private subnets the function runs in (they must reach the database; no internet access is needed). */
  subnetIds: pulumi.Input<string>[];
  /** Security group the database admits its clients by (the function carries it). */
  clientSecurityGroupId: pulumi.Input<string>;
  /** Security group of the database: the function's only egress is to it, on `port`. */
  databaseSecurityGroupId: pulumi.Input<string>;
  /** Host name of the database. */
  host: pulumi.Input<string>;
  /** Port of the database. */
  port: pulumi.Input<number>;
  /**
   * Changes whenever the database becomes another one (an RDS instance's `resourceId`): the role is made
   * again on a replaced or restored instance.
   */
  instanceResourceId: pulumi.Input<string>;
  /** The master user; it and its password reach the function only in the invocation's payload. */
  masterUsername: pulumi.Input<string>;
  /** The master password (secret). */
  masterPassword: pulumi.Input<string>;
  /** The application's role: a lower-case SQL name, not the master user. */
  role: string;
  /** The role's password (secret). */
  rolePassword: pulumi.Input<string>;
  /** The application's database, owned by the role with everything in it. */
  database: string;
  /** The role may create roles (CREATEROLE; PostgreSQL ≥ 16 lets it administer only those). Default: false. */
  createRole?: boolean;
  /** How the role's password is stored. Default: "scram-sha-256". */
  passwordEncryption?: PasswordEncryption;
  /** Days the function's logs are kept. Default: 30. */
  logRetentionDays?: number;
  /** Verify the database's certificate (RDS CAs). Turn off only for a database without TLS. Default: true. */
  tls?: boolean;
}

/** The handler's source, relative to the project root. */
const HANDLER_SOURCE = join("components", "aws", "postgres-app-role-handler.ts");

/** The project root: the nearest directory above `from` that holds the handler's source. */
function sourceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, HANDLER_SOURCE))) return dir;
    if (dirname(dir) === dir) throw new Error(`PostgresAppRole: ${HANDLER_SOURCE} not found above ${from}`);
  }
}

let bundled: string | undefined;
/**
 * The handler and its `pg` client as one minified CommonJS file. The same sources give the same bytes (no
 * source map, no absolute paths), so the function's code changes only when the handler or `pg` does.
 */
export function handlerBundle(): string {
  if (bundled !== undefined) return bundled;
  const root = sourceRoot(__dirname);
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [HANDLER_SOURCE],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node24",
    write: false,
    // Minified: the code is an input of the function, so every plan carries it.
    minify: true,
    legalComments: "none",
    logLevel: "error",
    // pg loads these only for its native binding and Cloudflare sockets, neither used here.
    external: ["pg-native", "pg-cloudflare"],
  });
  bundled = result.outputFiles[0].text;
  return bundled;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks {@link PostgresAppRoleArgs}; throws naming the argument. */
export function validatePostgresAppRoleArgs(name: string, args: PostgresAppRoleArgs): void {
  const problems: string[] = [];
  for (const key of ["role", "database"] as const) {
    if (!ROLE_NAME.test(args[key])) problems.push(`args.${key} must be a lower-case SQL name such as app, got ${JSON.stringify(args[key])}`);
  }
  if (/^(pg_|rds)/.test(args.role)) problems.push(`args.role must not be a reserved role name, got ${JSON.stringify(args.role)}`);
  const days = args.logRetentionDays ?? 30;
  if (!Number.isInteger(days) || days < 1) problems.push(`args.logRetentionDays must be a whole number of days, got ${days}`);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/**
 * The application's role, made by a Lambda function inside the VPC:
 * - the function (Node.js, its code bundled from postgres-app-role-handler.ts) runs in the private
 *   subnets with the database's client badge and a security group whose only egress is the database's
 *   port; its role may only write its own log group and manage its network interfaces;
 * - an invocation (lifecycle CREATE_ONLY: a change of its input or triggers replaces it, which invokes
 *   the function again) sends the role's name, password, database and attributes and the master's
 *   credentials; its triggers re-run it on a replaced database or new handler code. The credentials are
 *   not in the function's environment: `lambda:GetFunctionConfiguration` returns environment variables in
 *   clear text to anyone allowed to read the function (the AWS-managed ReadOnlyAccess policy includes it).
 */
export class PostgresAppRole extends pulumi.ComponentResource {
  /** The role's name. */
  public readonly role: string;
  /** The function's name (to run it again by hand: `aws lambda invoke`). */
  public readonly functionName: pulumi.Output<string>;
  /** What the last run reported; known once the role is made, so an input built from it waits for that. */
  public readonly ready: pulumi.Output<string>;

  constructor(name: string, args: PostgresAppRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:PostgresAppRole", name, {}, opts);
    validatePostgresAppRoleArgs(name, args);
    this.role = args.role;
    const code = handlerBundle();

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays ?? 30 }, { parent: this });

    const role = new aws.iam.Role(
      `${name}-fn`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    // What AWS's AWSLambdaVPCAccessExecutionRole grants, with logs narrowed to this function's group
    // (Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC": the ENI
    // actions take no resource-level restriction).
    const policy = new aws.iam.RolePolicy(
      `${name}-fn`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
            {
              Effect: "Allow",
              Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
              ],
              Resource: "*",
            },
          ],
        }),
      },
      { parent: this },
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-fn`,
      {
        vpcId: args.vpcId,
        description: `Role setup function of ${name}: postgres to the database only`,
        ingress: [],
        egress: [{ description: "postgres to the database", protocol: "tcp", fromPort: args.port, toPort: args.port, securityGroups: [args.databaseSecurityGroupId] }],
      },
      { parent: this },
    );

    const environment: Record<string, pulumi.Input<string>> = {
      PGHOST: args.host,
      PGPORT: pulumi.output(args.port).apply(String),
      // Lambda's Node.js ≥ 20 runtimes load the Amazon CAs (RDS's among them) only when asked (Lambda
      // Developer Guide, "Building Lambda functions with Node.js", CA certificate loading).
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
      ...(args.tls === false ? { PGSSLMODE: "disable" } : {}),
    };
    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        role: role.arn,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
        timeout: 120,
        memorySize: 256,
        environment: { variables: environment },
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.clientSecurityGroupId, securityGroup.id] },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        description: `Makes the PostgreSQL role ${args.role} of database ${args.database}`,
      },
      // The function needs its log and network permissions before its first run.
      { parent: this, dependsOn: [policy] },
    );
    this.functionName = fn.name;

    const spec = pulumi
      .all([pulumi.secret(args.rolePassword), args.masterUsername, pulumi.secret(args.masterPassword)])
      .apply(([password, masterUser, masterPassword]) =>
        JSON.stringify({
          role: args.role,
          password,
          database: args.database,
          createRole: args.createRole ?? false,
          passwordEncryption: args.passwordEncryption ?? "scram-sha-256",
          master: { user: masterUser, password: masterPassword },
        } satisfies AppRoleEvent),
      );
    const invocation = new aws.lambda.Invocation(
      `${name}-apply`,
      {
        functionName: fn.name,
        input: spec,
        // CREATE_ONLY (the provider's default): a change of input or triggers replaces the invocation,
        // and creating it invokes the function (terraform-provider-aws internal/service/lambda/invocation.go
        // customizeDiffInputChangeWithCreateOnlyScope; `triggers` is ForceNew); deleting it invokes nothing.
        lifecycleScope: "CREATE_ONLY",
        triggers: {
          database: args.instanceResourceId,
          host: args.host,
          code: createHash("sha256").update(code).digest("hex"),
        },
      },
      { parent: this },
    );

    this.ready = invocation.result;
    this.registerOutputs({ role: this.role, functionName: this.functionName });
  }
}
