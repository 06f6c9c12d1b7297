import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One S3 object, by bucket and exact key. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
}

/** Arguments of {@link S3SecretsAccess}. */
export interface S3SecretsAccessArgs {
  /** Name of the IAM role that receives the grant (e.g. an ECS task role). */
  roleName: pulumi.Input<string>;
  /** The objects the role may read; exact keys, no wildcards. */
  objects: readonly S3ObjectRef[];
  /** Customer-managed KMS key the objects are encrypted with. Default: none (SSE-S3, no KMS grant). */
  kmsKeyArn?: string;
  /** AWS partition of the ARNs. Default: "aws". */
  partition?: string;
}

/** The IAM policy document: GetObject on exactly `objects`, Decrypt on exactly the key. Pure, for tests. */
export function secretsReadPolicy(objects: readonly S3ObjectRef[], kmsKeyArn: string | undefined, partition = "aws"): string {
  const statements: Record<string, unknown>[] = [
    {
      Sid: "ReadSecretsObjects",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: objects.map((o) => `arn:${partition}:s3:::${o.bucket}/${o.key}`),
    },
  ];
  if (kmsKeyArn !== undefined) {
    statements.push({ Sid: "DecryptSecretsObjects", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [kmsKeyArn] });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** An S3 bucket name (3-63 lower-case letters, digits, '.', '-', starting and ending with a letter or digit). */
export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for an exact object key: not empty, no `*` or `?` (which an IAM resource would read as wildcards). */
export function isExactKey(key: string): boolean {
  return key !== "" && !/[*?]/.test(key);
}

/**
 * Lets one role read exactly the given secrets objects in S3 (and decrypt them with exactly one KMS
 * key): the role's temporary credentials replace long-lived access keys in the environment.
 */
export class S3SecretsAccess extends pulumi.ComponentResource {
  constructor(name: string, args: S3SecretsAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:S3SecretsAccess", name, {}, opts);
    if (args.objects.length === 0) throw new Error(`S3SecretsAccess ${name}: objects must name at least one S3 object`);
    for (const [i, o] of args.objects.entries()) {
      if (!S3_BUCKET_NAME.test(o.bucket)) {
        throw new Error(`S3SecretsAccess ${name}: objects[${i}].bucket is not an S3 bucket name: ${JSON.stringify(o.bucket)}`);
      }
      if (!isExactKey(o.key)) {
        throw new Error(`S3SecretsAccess ${name}: objects[${i}].key must be an exact key without '*' or '?', got ${JSON.stringify(o.key)}`);
      }
    }
    if (args.kmsKeyArn !== undefined && !/^arn:[a-z-]+:kms:/.test(args.kmsKeyArn)) {
      throw new Error(`S3SecretsAccess ${name}: kmsKeyArn must be a KMS key ARN, got ${JSON.stringify(args.kmsKeyArn)}`);
    }
    new aws.iam.RolePolicy(
      `${name}-read`,
      { role: args.roleName, policy: secretsReadPolicy(args.objects, args.kmsKeyArn, args.partition ?? "aws") },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
