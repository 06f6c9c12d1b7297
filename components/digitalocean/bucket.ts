import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { adoptionOptions } from "../adoption";

/** Objects under `prefix` expire `days` after they were written. */
export interface ExpiryRule {
  prefix: string;
  days: number;
}

/** Arguments of {@link Bucket}. */
export interface BucketArgs {
  /** Bucket name: globally unique in the region, 3–63 lower-case letters, digits and '-'. */
  bucketName: string;
  /** Spaces region slug. */
  region: string;
  /** Lifecycle expiry per prefix. Default: none. */
  expire?: ExpiryRule[];
  /** Keep old versions of overwritten objects for this many days (enables versioning). Default: versioning off. */
  noncurrentVersionDays?: number;
  /** Protect and retain the bucket (production). */
  protect: boolean;
  /** Adopt the existing bucket of this name and region with `import` (ID `region,name`). Default: false. */
  adopt?: boolean;
}

/**
 * A private Spaces bucket with lifecycle rules, and an access key that may use this bucket only
 * (a Spaces key with a bucket grant), generated here rather than pasted from the console.
 */
export class Bucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** S3 endpoint URL of the bucket's region. */
  public readonly endpoint: pulumi.Output<string>;
  /** Region, for S3 clients that need one. */
  public readonly region: string;
  /** Access key ID of the bucket-scoped key. */
  public readonly accessKeyId: pulumi.Output<string>;
  /** Secret of the bucket-scoped key (a secret). */
  public readonly secretAccessKey: pulumi.Output<string>;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:Bucket", name, {}, opts);
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
      throw new Error(`Bucket ${name}: bucketName ${JSON.stringify(args.bucketName)} must be 3-63 lower-case letters, digits and '-'`);
    }
    for (const rule of args.expire ?? []) {
      if (!Number.isInteger(rule.days) || rule.days < 1) throw new Error(`Bucket ${name}: expire days for ${rule.prefix} must be a whole number >= 1`);
    }
    const bucket = new digitalocean.SpacesBucket(
      name,
      {
        name: args.bucketName,
        region: args.region,
        acl: "private",
        forceDestroy: false,
        versioning: { enabled: args.noncurrentVersionDays !== undefined },
        lifecycleRules: [
          ...(args.expire ?? []).map((rule) => ({
            prefix: rule.prefix,
            enabled: true,
            expiration: { days: rule.days },
            abortIncompleteMultipartUploadDays: 1,
          })),
          ...(args.noncurrentVersionDays !== undefined
            ? [{ enabled: true, noncurrentVersionExpiration: { days: args.noncurrentVersionDays } }]
            : []),
        ],
      },
      // Import ID `region,name`: @pulumi/digitalocean spacesBucket.d.ts, "pulumi import ... `region`,`name`".
      { parent: this, ...adoptionOptions({ protect: args.protect, retainOnDelete: args.protect }, args.adopt ? `${args.region},${args.bucketName}` : undefined) },
    );
    const key = new digitalocean.SpacesKey(
      `${name}-key`,
      { name: `${args.bucketName}-rw`, grants: [{ bucket: bucket.name, permission: "readwrite" }] },
      { parent: this },
    );
    this.bucketName = bucket.name;
    this.region = args.region;
    this.endpoint = pulumi.output(`https://${args.region}.digitaloceanspaces.com`);
    this.accessKeyId = key.accessKey;
    this.secretAccessKey = pulumi.secret(key.secretKey);
    this.registerOutputs({ bucketName: this.bucketName, endpoint: this.endpoint });
  }
}
