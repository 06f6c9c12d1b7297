/**
 * The user data of an ECS container instance that owns a data volume, as a pure function so tests
 * can run the real `shellcheck` on it. It attaches the volume by ID with the instance's own role,
 * formats it only when it holds no filesystem, mounts it by UUID, and only then joins the cluster,
 * advertising the volume as an instance attribute that tasks are constrained to.
 */

/** What {@link renderInstanceBootScript} needs. */
export interface InstanceBootScriptParams {
  /** AWS region of the instance and volume. */
  region: string;
  /** ECS cluster the instance joins once the volume is mounted. */
  clusterName: string;
  /** EBS volume ID, `vol-...`. */
  volumeId: string;
  /** Where the volume is mounted, e.g. `/opt/couchdb`. */
  mountPath: string;
  /** Directories created under `mountPath` after mounting (relative paths). */
  subdirectories: readonly string[];
  /** Device name requested in AttachVolume. */
  deviceName: string;
  /** Label given to a new filesystem. */
  filesystemLabel: string;
  /** Instance attribute that tells ECS which volume this instance has mounted. */
  volumeAttribute: string;
  /** Elastic IP allocation associated with the instance at boot, if any. */
  elasticIpAllocationId?: string;
}

/** Quotes a value for POSIX shells: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderInstanceBootScript(p: InstanceBootScriptParams): string {
  const eip =
    p.elasticIpAllocationId === undefined
      ? ""
      : `
# The service address follows the instance: a replacement takes over the same Elastic IP.
aws ec2 associate-address --region "$region" --allocation-id ${shellQuote(p.elasticIpAllocationId)} \\
  --instance-id "$instance_id" --allow-reassociation >/dev/null
`;
  const subdirs = p.subdirectories.map((d) => `"$mount_path"/${shellQuote(d)}`).join(" ");
  const makeSubdirs = subdirs === "" ? "" : `mkdir -p ${subdirs}`;
  return `#!/bin/bash
# Boot of a container instance that owns a data volume (generated; do not edit on the instance).
set -euo pipefail
region=${shellQuote(p.region)}
cluster=${shellQuote(p.clusterName)}
volume_id=${shellQuote(p.volumeId)}
mount_path=${shellQuote(p.mountPath)}
device_name=${shellQuote(p.deviceName)}
label=${shellQuote(p.filesystemLabel)}

imds_token=$(curl -sS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
instance_id=$(curl -sS -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/instance-id)
command -v aws >/dev/null 2>&1 || dnf install -y awscli-2

# Attach by volume ID with the instance role. A replaced instance may still hold the volume while it
# shuts down, so keep trying for up to 15 minutes.
attached_to() {
  aws ec2 describe-volumes --region "$region" --volume-ids "$volume_id" \\
    --query 'Volumes[0].Attachments[0].InstanceId' --output text
}
waited=0
until [ "$(attached_to)" = "$instance_id" ]; do
  if [ "$waited" -ge 900 ]; then
    echo "volume $volume_id could not be attached to $instance_id in 900 s" >&2
    exit 1
  fi
  aws ec2 attach-volume --region "$region" --volume-id "$volume_id" --instance-id "$instance_id" \\
    --device "$device_name" >/dev/null 2>&1 || true
  sleep 10
  waited=$((waited + 10))
done

# Nitro instances show EBS as NVMe; the by-id link names the volume, so it is the right disk.
nvme_link="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_\${volume_id//-/}"
device=''
waited=0
while [ -z "$device" ]; do
  for candidate in "$nvme_link" "$device_name"; do
    if [ -b "$candidate" ]; then
      device=$(readlink -f "$candidate")
      break
    fi
  done
  if [ -z "$device" ]; then
    if [ "$waited" -ge 300 ]; then
      echo "volume $volume_id attached but no block device appeared in 300 s" >&2
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  fi
done

# Format only a volume that holds no filesystem (blkid exit status 2). Any other doubt stops here.
blkid_status=0
fs_type=$(blkid -p -o value -s TYPE "$device") || blkid_status=$?
case "$blkid_status" in
  0) echo "keeping the existing $fs_type filesystem on $device" ;;
  2)
    mkfs.ext4 -q -L "$label" "$device"
    fs_type=ext4
    ;;
  *)
    echo "blkid could not probe $device (status $blkid_status); refusing to format" >&2
    exit 1
    ;;
esac

uuid=$(blkid -o value -s UUID "$device")
mkdir -p "$mount_path"
if ! grep -q "^UUID=$uuid " /etc/fstab; then
  echo "UUID=$uuid $mount_path $fs_type defaults,nofail,noatime 0 2" >> /etc/fstab
fi
mountpoint -q "$mount_path" || mount "$mount_path"
mountpoint -q "$mount_path"
${makeSubdirs}
${eip}
# Join the cluster only now: a task constrained to this attribute can never start on an empty root disk.
cat >> /etc/ecs/ecs.config <<EOF
ECS_CLUSTER=$cluster
ECS_ENABLE_TASK_IAM_ROLE=true
ECS_INSTANCE_ATTRIBUTES={${JSON.stringify(p.volumeAttribute)}:"$volume_id"}
EOF
`;
}
