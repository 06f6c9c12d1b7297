/**
 * Resource types that hold data: never colour-dependent, protected and retained in production, and
 * flagged loudly when a change touches them. One list, used by the plan's diff and the policy pack.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "digitalocean:index/volume:Volume",
  "digitalocean:index/spacesBucket:SpacesBucket",
  "digitalocean:index/databaseCluster:DatabaseCluster",
  "digitalocean:index/containerRegistry:ContainerRegistry",
  "docker:index/volume:Volume",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:ebs/volume:Volume",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:ecr/repository:Repository",
  "aws:efs/fileSystem:FileSystem",
  "aws:dynamodb/table:Table",
]);

export function isStateful(type: string): boolean {
  return STATEFUL_TYPES.has(type);
}
