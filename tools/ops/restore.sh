#!/usr/bin/env bash
# Restores an app's database from a dump that dump.sh (or a release's pre-migration dump) made, with
# everything that writes to the database stopped meanwhile and started again afterwards, even on failure.
#   tools/ops/restore.sh <stack> <app> --list                 the dumps/snapshots there are
#   tools/ops/restore.sh <stack> <app> <dump|snapshot> [--yes]
#   tools/ops/restore.sh <stack> <app> --offsite[=<dump>] [--yes]   from the scheduled dumps in the bucket (nmpi, topobank)
# Postgres container: pg_restore --clean of the file. SQLite: the copy replaces the file. CouchDB: the
# snapshot's files replace the volume's (a volume made from the snapshot is mounted beside it and synced
# over). RDS: a new instance is made from the snapshot (an RDS snapshot cannot be restored in place); see
# docs/operations.md for the switch to it.
set -euo pipefail
usage="usage: $0 <stack> <app> --list | <dump|snapshot> | --offsite[=<dump>] [--yes]"
if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then echo "$usage" >&2; exit 64; fi
stack=$1 app=$2 name=$3
OPS_YES=no
if [ "$#" -eq 4 ]; then
  [ "$4" = --yes ] || { echo "$usage" >&2; exit 64; }
  OPS_YES=yes
fi
offsite=""
case "$name" in
  --offsite) offsite=newest ;;
  --offsite=*) offsite=named name=${name#--offsite=} ;;
esac
if [ "$name" != --list ] && [ "$offsite" != newest ] && ! [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._:-]*$ ]]; then
  echo "dump '$name': letters, digits, '.', '_', '-' (a name --list prints)" >&2
  exit 64
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$stack" "$app"
kind=none
ops_has database && kind=$(ops_get database.kind)
region=""
ops_has region && region=$(ops_get region)

if [ "$name" = --list ]; then
  case "$kind" in
    postgres-container) ops_exec database.at ls -1 "$(ops_get database.dumpDir)" ;;
    sqlite) ops_ssh "$(ops_get database.node)" -- ls -1 "$(ops_get database.dumpDir)" ;;
    rds) aws rds describe-db-snapshots --region "$region" --db-instance-identifier "$(ops_get database.identifier)" --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime,SnapshotType]' --output text ;;
    couchdb) aws ec2 describe-snapshots --region "$region" --owner-ids self --filters "Name=volume-id,Values=$(ops_get database.volumeId)" --query 'Snapshots[].[SnapshotId,StartTime,Description]' --output text ;;
    *) echo "$OPS_APP has no database" >&2; exit 64 ;;
  esac
  exit 0
fi
[ "$kind" != none ] || { echo "$OPS_APP has no database" >&2; exit 64; }

ops_confirm "Replace the $OPS_APP database of stack $OPS_STACK with '$name' (its writers stop meanwhile)?"

# --- Stop the writers; start them again on any exit from here on.
mapfile -t writer_groups < <(ops_keys writers.autoScalingGroups)
declare -A group_sizes=()
ecs=no
ops_has writers.ecsService && ecs=yes
start_writers() {
  local g min desired
  ops_writers start
  for g in "${!group_sizes[@]}"; do
    read -r min desired <<<"${group_sizes[$g]}"
    aws autoscaling update-auto-scaling-group --region "$region" --auto-scaling-group-name "$g" --min-size "$min" --desired-capacity "$desired" || echo "could not scale $g back to $desired: run pulumi up" >&2
  done
  if [ "$ecs" = yes ]; then
    aws ecs update-service --region "$region" --cluster "$(ops_get writers.ecsService.cluster)" --service "$(ops_get writers.ecsService.service)" --desired-count 1 >/dev/null || echo "could not start the ECS service: run pulumi up" >&2
  fi
}
trap start_writers EXIT
ops_writers stop
for i in "${writer_groups[@]}"; do
  [ -n "$i" ] || continue
  g=$(ops_get "writers.autoScalingGroups.$i")
  group_sizes[$g]=$(aws autoscaling describe-auto-scaling-groups --region "$region" --auto-scaling-group-names "$g" --query 'AutoScalingGroups[0].[MinSize,DesiredCapacity]' --output text)
  aws autoscaling update-auto-scaling-group --region "$region" --auto-scaling-group-name "$g" --min-size 0 --desired-capacity 0
done
if [ "$ecs" = yes ]; then
  cluster=$(ops_get writers.ecsService.cluster)
  service=$(ops_get writers.ecsService.service)
  aws ecs update-service --region "$region" --cluster "$cluster" --service "$service" --desired-count 0 >/dev/null
  aws ecs wait services-stable --region "$region" --cluster "$cluster" --services "$service"
fi

# --- Restore.
if [ -n "$offsite" ]; then
  ops_has offsite || ops_die "$OPS_APP has no off-site dumps"
  restore_args=()
  while IFS= read -r i; do
    word=$(ops_get "offsite.$offsite.$i")
    restore_args+=("${word//\{\}/$name}")
  done < <(ops_keys "offsite.$offsite")
  ops_exec offsite.at "${restore_args[@]}"
  echo "restored $OPS_APP from its off-site dumps ($([ "$offsite" = newest ] && echo newest || echo "$name"))"
  exit 0
fi
case "$kind" in
  postgres-container)
    # shellcheck disable=SC2016 # expanded inside the container, on purpose
    ops_exec database.at sh -c 'pg_restore --clean --if-exists --no-owner -U "$POSTGRES_USER" -d "$0" "$1/$2"' \
      "$(ops_get database.database)" "$(ops_get database.dumpDir)" "$name"
    ;;
  sqlite)
    ops_ssh "$(ops_get database.node)" -- python3 -c 'import os, sqlite3, sys
src, dst = sqlite3.connect(os.path.join(sys.argv[2], sys.argv[3])), sqlite3.connect(sys.argv[1])
src.backup(dst)
dst.close()' "$(ops_get database.path)" "$(ops_get database.dumpDir)" "$name"
    ;;
  rds)
    id=$(ops_get database.identifier)
    restored="$id-restored-$(ops_utc_stamp | tr 'TZ' 'tz')"
    aws rds restore-db-instance-from-db-snapshot --region "$region" --db-instance-identifier "$restored" --db-snapshot-identifier "$name" \
      --db-subnet-group-name "$(ops_get database.subnetGroup)" --vpc-security-group-ids "$(ops_get database.securityGroupId)" --no-publicly-accessible >/dev/null
    aws rds wait db-instance-available --region "$region" --db-instance-identifier "$restored"
    echo "restored into the new instance $restored; switch to it as docs/operations.md (Restore drill, aquamark) says"
    ;;
  couchdb)
    group=$(ops_get manage.live.on)
    instance=$(ops_instance "$group")
    volume=$(aws ec2 create-volume --region "$region" --availability-zone "$(ops_get database.availabilityZone)" --snapshot-id "$name" --volume-type gp3 --encrypted \
      --tag-specifications "ResourceType=volume,Tags=[{Key=app,Value=$OPS_APP},{Key=purpose,Value=restore}]" --query VolumeId --output text)
    aws ec2 wait volume-available --region "$region" --volume-ids "$volume"
    aws ec2 attach-volume --region "$region" --volume-id "$volume" --instance-id "$instance" --device /dev/sdr >/dev/null
    aws ec2 wait volume-in-use --region "$region" --volume-ids "$volume"
    # Nitro instances name EBS disks by serial: the volume ID without its dash.
    copied=yes
    # shellcheck disable=SC2016 # expanded on the instance, on purpose
    ops_ssm "$group" sh -c 'set -e; dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$(echo "$0" | tr -d -); [ -e "$dev" ] || dev=/dev/sdr
      for i in $(seq 30); do [ -e "$dev" ] && break; sleep 2; done
      mkdir -p /mnt/restore && mount -o ro "$dev" /mnt/restore
      trap "umount /mnt/restore" EXIT; rsync -a --delete /mnt/restore/data/ "$1/"' "$volume" "$(ops_get database.dataPath)" || copied=no
    aws ec2 detach-volume --region "$region" --volume-id "$volume" >/dev/null
    aws ec2 wait volume-available --region "$region" --volume-ids "$volume"
    aws ec2 delete-volume --region "$region" --volume-id "$volume"
    [ "$copied" = yes ] || ops_die "copying the snapshot's files failed; the volume holds what it held (rsync may have stopped midway: restore again)"
    ;;
  *)
    echo "$OPS_APP has no database" >&2
    exit 64
    ;;
esac
echo "restored $OPS_APP from $name"
