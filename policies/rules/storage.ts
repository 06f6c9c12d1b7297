/** Buckets (S3 and Spaces): never public; backup buckets expire old objects. */
import { asArray, asBoolean, asNumber, asRecord, asString, type ResourceIdentity, type StackFinding, type StackPolicy, type Subject } from "./model";

export const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const SPACES_BUCKET = "digitalocean:index/spacesBucket:SpacesBucket";
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const LIFECYCLE_CONFIGS = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

function ref(r: Subject): ResourceIdentity {
  return { urn: r.urn, type: r.type, name: r.name };
}

/**
 * True when `attached` (a public access block or lifecycle configuration) belongs to `bucket`: its
 * `bucket` input equals the bucket's name input, or the runner knows it references the bucket
 * (CrossGuard's property dependencies), or - in a rendered stack, where IDs are invented by the
 * mocks as `<resource name>-<hash>` - its `bucket` value is the bucket resource's name plus a suffix.
 */
export function attachedTo(attached: Subject, bucket: Subject): boolean {
  const target = asString(attached.inputs.bucket);
  if (attached.references?.includes(bucket.urn)) return true;
  if (target === undefined) return false;
  const bucketNames = [asString(bucket.inputs.bucket), asString(bucket.inputs.name)].filter((n): n is string => n !== undefined);
  if (bucketNames.includes(target) || target === bucket.name) return true;
  return new RegExp(`^${bucket.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{8}$`).test(target);
}

function blocksEverything(r: Subject): boolean {
  return BLOCK_FLAGS.every((flag) => asBoolean(r.inputs[flag]) === true);
}

export const bucketsNotPublic: StackPolicy = {
  kind: "stack",
  name: "bucket-public-access-blocked",
  description: "Every S3 bucket has a public access block with all four settings on (or the account has one); Spaces buckets are private.",
  defaultLevel: "mandatory",
  check: ({ resources }) => {
    const findings: StackFinding[] = [];
    const accountBlocked = resources.some((r) => r.type === ACCOUNT_PUBLIC_ACCESS_BLOCK && blocksEverything(r));
    const blocks = resources.filter((r) => r.type === PUBLIC_ACCESS_BLOCK);
    for (const bucket of resources) {
      if (bucket.type === SPACES_BUCKET) {
        const acl = asString(bucket.inputs.acl) ?? "private";
        if (acl !== "private") {
          findings.push({ resource: ref(bucket), message: `acl is "${acl}": anyone can list and read the Space`, fix: 'set acl: "private" (the default) and share objects with presigned URLs' });
        }
        continue;
      }
      if (!S3_BUCKETS.includes(bucket.type)) continue;
      const acl = asString(bucket.inputs.acl);
      if (acl !== undefined && PUBLIC_ACLS.has(acl)) {
        findings.push({ resource: ref(bucket), message: `acl is "${acl}"`, fix: 'remove the acl (or set "private")' });
      }
      if (accountBlocked) continue;
      const own = blocks.filter((b) => attachedTo(b, bucket));
      if (own.length === 0) {
        findings.push({
          resource: ref(bucket),
          message: "no aws.s3.BucketPublicAccessBlock refers to this bucket",
          fix: "add a BucketPublicAccessBlock for it with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true",
        });
      } else if (!own.some(blocksEverything)) {
        const off = BLOCK_FLAGS.filter((flag) => !own.some((b) => asBoolean(b.inputs[flag]) === true));
        findings.push({ resource: ref(bucket), message: `its public access block leaves ${off.join(", ")} off`, fix: `set ${off.join(", ")} to true` });
      }
    }
    return findings;
  },
};

/**
 * A backup bucket is one whose resource name, bucket name (`bucket`/`name`/`bucketPrefix` input) or
 * any tag key or value contains "backup" (case-insensitive). Name backup buckets so.
 */
export function isBackupBucket(r: Subject): boolean {
  if (r.type !== SPACES_BUCKET && !S3_BUCKETS.includes(r.type)) return false;
  const tags = asRecord(r.inputs.tags);
  const words = [r.name, r.inputs.bucket, r.inputs.name, r.inputs.bucketPrefix, ...Object.keys(tags), ...Object.values(tags)];
  return words.some((w) => typeof w === "string" && w.toLowerCase().includes("backup"));
}

/** True when a lifecycle rule (any of the three shapes) is enabled and expires objects after some days. */
function expires(rule: unknown): boolean {
  const r = asRecord(rule);
  const enabled = asBoolean(r.enabled) === true || asString(r.status) === "Enabled";
  const days = [asNumber(asRecord(r.expiration).days), asNumber(asRecord(r.noncurrentVersionExpiration).days), asNumber(asRecord(r.noncurrentVersionExpiration).noncurrentDays)];
  return enabled && (days.some((d) => d !== undefined && d > 0) || asString(asRecord(r.expiration).date) !== undefined);
}

export const backupRetention: StackPolicy = {
  kind: "stack",
  name: "backup-bucket-retention",
  description: "Every backup bucket (name or tag containing \"backup\") has an enabled lifecycle rule that expires objects.",
  defaultLevel: "mandatory",
  check: ({ resources }) => {
    const configs = resources.filter((r) => LIFECYCLE_CONFIGS.includes(r.type));
    return resources.filter(isBackupBucket).flatMap((bucket): StackFinding[] => {
      const inline = asArray(bucket.inputs.lifecycleRules).some(expires);
      const separate = configs.filter((c) => attachedTo(c, bucket)).some((c) => asArray(c.inputs.rules).some(expires));
      if (inline || separate) return [];
      return [
        {
          resource: ref(bucket),
          message: "backup bucket has no enabled lifecycle rule that expires objects: dumps pile up forever",
          fix:
            bucket.type === SPACES_BUCKET
              ? "add lifecycleRules: [{ enabled: true, prefix: 'backup/', expiration: { days: <retention> } }]"
              : "add an aws.s3.BucketLifecycleConfiguration with a rule { status: 'Enabled', expiration: { days: <retention> } }",
        },
      ];
    });
  },
};
