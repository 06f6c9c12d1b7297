import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isExactKey, S3_BUCKET_NAME, S3SecretsAccess } from "./s3-secrets-access";

/** Arguments of {@link S3SecretFile}. */
export interface S3SecretFileArgs {
  /** Existing bucket that holds the object. */
  bucket: string;
  /** Object key, exact. */
  key: string;
  /** File content: a secret, kept secret in state. */
  content: pulumi.Input<string>;
  /** Media type of the object. Default: "text/plain". */
  contentType?: string;
  /** Customer-managed KMS key to encrypt with. Default: none (SSE-S3, AES256). */
  kmsKeyArn?: string;
  /** Roles that may read exactly this object (and decrypt it with exactly the key). */
  readerRoleNames: Record<string, pulumi.Input<string>>;
}

/** Checks {@link S3SecretFileArgs}; throws naming the argument. */
export function validateS3SecretFileArgs(name: string, args: Pick<S3SecretFileArgs, "bucket" | "key">): void {
  if (!S3_BUCKET_NAME.test(args.bucket)) throw new Error(`S3SecretFile ${name}: args.bucket is not an S3 bucket name: ${JSON.stringify(args.bucket)}`);
  if (!isExactKey(args.key) || args.key.startsWith("/")) {
    throw new Error(`S3SecretFile ${name}: args.key must be an exact key without a leading '/', '*' or '?', got ${JSON.stringify(args.key)}`);
  }
}

/**
 * One secret file in S3, written by the program (so what it holds is declared, not copied by hand),
 * encrypted at rest, readable by exactly the given roles and by nobody else through this program.
 */
export class S3SecretFile extends pulumi.ComponentResource {
  /** `s3://bucket/key`. */
  public readonly url: string;

  constructor(name: string, args: S3SecretFileArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:S3SecretFile", name, {}, opts);
    validateS3SecretFileArgs(name, args);
    new aws.s3.BucketObject(
      name,
      {
        bucket: args.bucket,
        key: args.key,
        content: pulumi.secret(args.content),
        contentType: args.contentType ?? "text/plain",
        serverSideEncryption: args.kmsKeyArn !== undefined ? "aws:kms" : "AES256",
        kmsKeyId: args.kmsKeyArn,
      },
      { parent: this },
    );
    for (const [label, roleName] of Object.entries(args.readerRoleNames)) {
      new S3SecretsAccess(`${name}-${label}`, { roleName, objects: [{ bucket: args.bucket, key: args.key }], kmsKeyArn: args.kmsKeyArn }, { parent: this });
    }
    this.url = `s3://${args.bucket}/${args.key}`;
    this.registerOutputs({ url: this.url });
  }
}
