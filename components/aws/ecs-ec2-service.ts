import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Environment variables that would carry long-lived cloud credentials: refused, a role serves. */
export const FORBIDDEN_ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/** One container of the task (bridge network mode). */
export interface EcsContainer {
  /** Container name; also the host name other containers reach it by through `links`. */
  name: string;
  /** Image reference, `repository:tag`. */
  image: pulumi.Input<string>;
  /** Memory reserved for the container, MiB. */
  memoryReservationMiB: number;
  /** The task stops when this container stops. Default: true. */
  essential?: boolean;
  /** Ports published on the instance (same number inside and out). Default: none. */
  ports?: number[];
  /** Plain environment. Default: none. Never cloud access keys. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Names of entries of {@link EcsEc2ServiceArgs.secrets}, delivered as environment variables of the same name. Default: none. */
  secrets?: string[];
  /** Containers this one reaches by name. Default: none. */
  links?: string[];
  /** Host volumes mounted into the container. Default: none. */
  mounts?: { volume: string; containerPath: string }[];
  /** Command and arguments. Default: the image's. */
  command?: string[];
  /** Containers that must have started first. Default: none. */
  startAfter?: string[];
  /** Run-once containers (`essential: false`) that must have exited 0 first. Default: none. */
  startAfterSuccessOf?: string[];
}

/** Arguments of {@link EcsEc2Service}. */
export interface EcsEc2ServiceArgs {
  /** Cluster ARN. */
  cluster: pulumi.Input<string>;
  /** Capacity provider that places the tasks. */
  capacityProviderName: pulumi.Input<string>;
  /** Containers of the task. */
  containers: EcsContainer[];
  /** Secret values, each stored as an SSM SecureString that only the execution role may read. Default: none. */
  secrets?: Record<string, pulumi.Input<string>>;
  /** Host paths offered to containers as named volumes. Default: none. */
  hostVolumes?: { name: string; hostPath: string }[];
  /** `memberOf` expressions the instance must satisfy. Default: none. */
  placementExpressions?: pulumi.Input<string>[];
  /** Tasks to keep running. Default: 1. */
  desiredCount?: number;
  /** Lower bound of running tasks during a deployment, percent of desired. Default: 100. */
  minimumHealthyPercent?: number;
  /** Upper bound of running tasks during a deployment, percent of desired. Default: 200. */
  maximumPercent?: number;
  /** Days CloudWatch keeps the containers' logs. Default: 30. */
  logRetentionDays?: number;
  /** Tags of every child resource. Default: none. */
  tags?: Record<string, string>;
}

/**
 * An ECS service on EC2 capacity: one task definition in bridge mode, logs to CloudWatch, a task
 * role with no permissions of its own (grant them to {@link EcsEc2Service.taskRoleName}), secrets
 * from SSM SecureString parameters through the execution role, and a deployment circuit breaker
 * that rolls back a deployment whose tasks do not start.
 */
export class EcsEc2Service extends pulumi.ComponentResource {
  /** Name of the role the containers run as (what the AWS SDKs in them pick up). */
  public readonly taskRoleName: pulumi.Output<string>;
  /** Service name. */
  public readonly serviceName: pulumi.Output<string>;
  /** Log group of the containers. */
  public readonly logGroupName: pulumi.Output<string>;
  /** Task definition ARN (with revision). */
  public readonly taskDefinitionArn: pulumi.Output<string>;

  constructor(name: string, args: EcsEc2ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:EcsEc2Service", name, {}, opts);
    validateServiceArgs(name, args);
    const tags = args.tags ?? {};
    const invoke = { parent: this };
    const region = aws.getRegionOutput({}, invoke).region;

    const logGroup = new aws.cloudwatch.LogGroup(name, { retentionInDays: args.logRetentionDays ?? 30, tags }, { parent: this });

    const parameters: Record<string, aws.ssm.Parameter> = {};
    for (const [key, value] of Object.entries(args.secrets ?? {})) {
      parameters[key] = new aws.ssm.Parameter(
        `${name}-${key.toLowerCase().replace(/_/g, "-")}`,
        { type: "SecureString", value: pulumi.secret(value), description: `${key} of ${name}`, tags },
        { parent: this },
      );
    }

    const ecsTasks = aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" });
    const executionRole = new aws.iam.Role(`${name}-execution`, { assumeRolePolicy: ecsTasks, tags }, { parent: this });
    const partition = aws.getPartitionOutput({}, invoke).partition;
    new aws.iam.RolePolicyAttachment(
      `${name}-execution`,
      { role: executionRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy` },
      { parent: this },
    );
    const parameterArns = Object.values(parameters).map((p) => p.arn);
    if (parameterArns.length > 0) {
      new aws.iam.RolePolicy(
        `${name}-execution-secrets`,
        {
          role: executionRole.name,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "ReadTaskSecrets", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: parameterArns }],
          }),
        },
        { parent: this },
      );
    }
    const taskRole = new aws.iam.Role(`${name}-task`, { assumeRolePolicy: ecsTasks, tags }, { parent: this });

    const containerDefinitions = pulumi.jsonStringify(
      args.containers.map((c) => ({
        name: c.name,
        image: c.image,
        essential: c.essential ?? true,
        memoryReservation: c.memoryReservationMiB,
        portMappings: (c.ports ?? []).map((port) => ({ containerPort: port, hostPort: port, protocol: "tcp" })),
        environment: Object.entries(c.environment ?? {}).map(([envName, value]) => ({ name: envName, value })),
        secrets: (c.secrets ?? []).map((key) => ({ name: key, valueFrom: parameters[key].arn })),
        links: c.links ?? [],
        mountPoints: (c.mounts ?? []).map((m) => ({ sourceVolume: m.volume, containerPath: m.containerPath, readOnly: false })),
        ...(c.command ? { command: c.command } : {}),
        dependsOn: [
          ...(c.startAfter ?? []).map((other) => ({ containerName: other, condition: "START" })),
          ...(c.startAfterSuccessOf ?? []).map((other) => ({ containerName: other, condition: "SUCCESS" })),
        ],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": c.name },
        },
      })),
    );

    const taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: name,
        networkMode: "bridge",
        requiresCompatibilities: ["EC2"],
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        containerDefinitions,
        volumes: (args.hostVolumes ?? []).map((v) => ({ name: v.name, hostPath: v.hostPath })),
        tags,
      },
      { parent: this },
    );

    const service = new aws.ecs.Service(
      name,
      {
        cluster: args.cluster,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.desiredCount ?? 1,
        capacityProviderStrategies: [{ capacityProvider: args.capacityProviderName, base: 1, weight: 1 }],
        deploymentMinimumHealthyPercent: args.minimumHealthyPercent ?? 100,
        deploymentMaximumPercent: args.maximumPercent ?? 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        placementConstraints: (args.placementExpressions ?? []).map((expression) => ({ type: "memberOf", expression })),
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        tags,
      },
      { parent: this },
    );

    this.taskRoleName = taskRole.name;
    this.serviceName = service.name;
    this.logGroupName = logGroup.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.registerOutputs({
      taskRoleName: this.taskRoleName,
      serviceName: this.serviceName,
      logGroupName: this.logGroupName,
      taskDefinitionArn: this.taskDefinitionArn,
    });
  }
}

/** Throws naming the first bad argument. Exported for table tests. */
export function validateServiceArgs(name: string, args: EcsEc2ServiceArgs): void {
  const fail = (message: string): never => {
    throw new Error(`EcsEc2Service ${name}: ${message}`);
  };
  if (args.containers.length === 0) fail("containers must hold at least one container");
  const names = args.containers.map((c) => c.name);
  const volumes = new Set((args.hostVolumes ?? []).map((v) => v.name));
  const secrets = new Set(Object.keys(args.secrets ?? {}));
  for (const key of secrets) if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) fail(`secrets key ${JSON.stringify(key)} must be an upper-case environment variable name`);
  if (!args.containers.some((c) => c.essential ?? true)) fail("containers must include an essential container");
  for (const c of args.containers) {
    for (const other of c.startAfterSuccessOf ?? []) {
      if (args.containers.find((o) => o.name === other)?.essential ?? true) fail(`containers[${c.name}].startAfterSuccessOf names ${JSON.stringify(other)}, which must be a non-essential (run-once) container`);
    }
  }
  for (const c of args.containers) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/.test(c.name)) fail(`containers name ${JSON.stringify(c.name)} must be letters, digits, '-', '_'`);
    if (names.filter((n) => n === c.name).length > 1) fail(`containers name ${JSON.stringify(c.name)} appears twice`);
    if (!Number.isInteger(c.memoryReservationMiB) || c.memoryReservationMiB < 6) fail(`containers[${c.name}].memoryReservationMiB must be a whole number of at least 6`);
    for (const envName of [...Object.keys(c.environment ?? {}), ...(c.secrets ?? [])]) {
      if ((FORBIDDEN_ENV as readonly string[]).includes(envName)) {
        fail(`containers[${c.name}].environment must not set ${envName}: grant the task role instead of passing access keys`);
      }
    }
    for (const key of c.secrets ?? []) if (!secrets.has(key)) fail(`containers[${c.name}].secrets names ${key}, which is not in secrets`);
    for (const other of [...(c.links ?? []), ...(c.startAfter ?? []), ...(c.startAfterSuccessOf ?? [])]) {
      if (!names.includes(other) || other === c.name) fail(`containers[${c.name}] links or startAfter ${JSON.stringify(other)}, which is not another container of the task`);
    }
    for (const m of c.mounts ?? []) if (!volumes.has(m.volume)) fail(`containers[${c.name}].mounts names volume ${m.volume}, which is not in hostVolumes`);
    for (const port of c.ports ?? []) if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`containers[${c.name}].ports must hold TCP ports 1-65535, got ${port}`);
  }
  const desired = args.desiredCount ?? 1;
  if (!Number.isInteger(desired) || desired < 0) fail(`desiredCount must be a whole number >= 0, got ${desired}`);
  const min = args.minimumHealthyPercent ?? 100;
  const max = args.maximumPercent ?? 200;
  if (!Number.isInteger(min) || min < 0 || min > 100) fail(`minimumHealthyPercent must be 0-100, got ${min}`);
  if (!Number.isInteger(max) || max < 100) fail(`maximumPercent must be a whole number >= 100, got ${max}`);
}
