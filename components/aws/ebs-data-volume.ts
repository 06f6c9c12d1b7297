import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptionOptions } from "../adoption";

/** Arguments of {@link EbsDataVolume}. */
export interface EbsDataVolumeArgs {
  /** Availability zone; the instance that mounts it must be in the same zone. */
  availabilityZone: pulumi.Input<string>;
  /** Size in GiB (gp3: 1 to 16384). Can grow in place, never shrink. */
  sizeGiB: number;
  /** KMS key (ID or ARN) for encryption. Default: the account's AWS-managed `aws/ebs` key. */
  kmsKeyId?: pulumi.Input<string>;
  /** Protect the volume and keep it in the cloud when removed from the program (production). */
  stateful: { protect: boolean; retainOnDelete: boolean };
  /** Tags of the volume. Default: none. */
  tags?: Record<string, string>;
  /**
   * Adopt this existing volume with `import` instead of creating one; `encrypted` must state whether it is
   * (encryption cannot change in place, so a mismatch would make the import fail). Default: a new encrypted volume.
   */
  adopt?: { id: string; encrypted: boolean };
}

/**
 * One encrypted gp3 EBS volume holding state. Its inputs are only the zone, size and key, so
 * nothing about the instance or the images that use it can ever replace it.
 */
export class EbsDataVolume extends pulumi.ComponentResource {
  /** Volume ID, `vol-...`. */
  public readonly volumeId: pulumi.Output<string>;
  /** Volume ARN, for IAM grants scoped to this volume. */
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EbsDataVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:EbsDataVolume", name, {}, opts);
    if (!Number.isInteger(args.sizeGiB) || args.sizeGiB < 1 || args.sizeGiB > 16384) {
      throw new Error(`EbsDataVolume ${name}: sizeGiB must be a whole number from 1 to 16384, got ${args.sizeGiB}`);
    }
    const volume = new aws.ebs.Volume(
      name,
      {
        availabilityZone: args.availabilityZone,
        size: args.sizeGiB,
        type: "gp3",
        encrypted: args.adopt?.encrypted ?? true,
        kmsKeyId: args.kmsKeyId,
        // A last snapshot if the volume is ever deleted on purpose.
        finalSnapshot: true,
        tags: { Name: name, ...args.tags },
      },
      { parent: this, ...adoptionOptions(args.stateful, args.adopt?.id) },
    );
    this.volumeId = volume.id;
    this.arn = volume.arn;
    this.registerOutputs({ volumeId: this.volumeId, arn: this.arn });
  }
}
