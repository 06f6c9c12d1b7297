import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ParameterSet}. */
export interface ParameterSetArgs {
  /** SSM path holding the values, such as `/myapp/production/env` (starts with '/', no trailing '/'). */
  path: string;
  /** Name to value. Every value is stored as an encrypted SecureString and kept secret. */
  values: Record<string, pulumi.Input<string>>;
  /**
   * What the names are: `environment` (upper-case variable names, read together into an env file)
   * or `files` (file names such as `app.yaml`, each fetched as one file). Default: environment.
   */
  kind?: "environment" | "files";
}

const PATH = /^(\/[A-Za-z0-9_.-]+)+$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Checks {@link ParameterSetArgs}; throws naming the argument. */
export function validateParameterSetArgs(name: string, args: ParameterSetArgs): void {
  if (!PATH.test(args.path)) throw new Error(`${name}: args.path must look like /app/stack/env, got ${JSON.stringify(args.path)}`);
  const files = args.kind === "files";
  const bad = Object.keys(args.values).filter((k) => !(files ? FILE_NAME : ENV_NAME).test(k));
  if (bad.length > 0) {
    throw new Error(`${name}: args.values keys must be ${files ? "file names such as app.yaml" : "upper-case environment variable names"}, got ${bad.join(", ")}`);
  }
  if (Object.keys(args.values).length === 0) throw new Error(`${name}: args.values must hold at least one value`);
}

/**
 * Settings for an app in SSM Parameter Store, one SecureString per variable under one path, read at
 * boot by an instance role (`ssm:GetParametersByPath` on {@link pathArn}); nothing lands in user data.
 */
export class ParameterSet extends pulumi.ComponentResource {
  public readonly path: string;
  /** ARN of the path, for `ssm:GetParametersByPath`. */
  public readonly pathArn: pulumi.Output<string>;
  /** ARN pattern of every parameter under the path, for `ssm:GetParameter(s)`. */
  public readonly parametersArn: pulumi.Output<string>;

  constructor(name: string, args: ParameterSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:ParameterSet", name, {}, opts);
    validateParameterSetArgs(name, args);
    this.path = args.path;
    for (const [key, value] of Object.entries(args.values)) {
      new aws.ssm.Parameter(
        `${name}-${key.toLowerCase().replace(/[_.]/g, "-")}`,
        { name: `${args.path}/${key}`, type: "SecureString", value: pulumi.secret(value), description: `${key} (read at boot)` },
        { parent: this },
      );
    }
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    this.pathArn = pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${identity.accountId}:parameter${args.path}`;
    this.parametersArn = pulumi.interpolate`${this.pathArn}/*`;
    this.registerOutputs({ pathArn: this.pathArn });
  }
}
