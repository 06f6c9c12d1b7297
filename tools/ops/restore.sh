#!/usr/bin/env bash
# Restores an app's database from a dump that dump.sh (or a release's pre-migration dump) made, with
# everything that writes to the database stopped meanwhile and started again afterwards, even on failure.
#   tools/ops/restore.sh <stack> <app> --list                 the dumps/snapshots there are (and volume snapshots)
#   tools/ops/restore.sh <stack> <app> <dump|snapshot> [--yes]
#   tools/ops/restore.sh <stack> <app> --offsite[=<dump>] [--yes]   from the scheduled dumps in the bucket (nmpi, topobank)
#   tools/ops/restore.sh <stack> <app> --volume-snapshot <id> [--volume <name>] [--yes]   DigitalOcean data volume
#   tools/ops/restore.sh <stack> aquamark --discard-before <instance> [--yes]   delete the instance an RDS restore kept
# Postgres container: pg_restore --clean of the file. SQLite: the copy replaces the file. CouchDB: the
# snapshot's files replace the volume's (a volume made from the snapshot is mounted beside it and synced
# over). RDS: the snapshot is restored into a new instance with the live one's settings, which then takes the
# live one's identifier (restore-rds.sh). DigitalOcean volume: as CouchDB, with doctl (restore-volume.sh).
set -euo pipefail
usage="usage: $0 <stack> <app> --list | <dump|snapshot> | --offsite[=<dump>] | --volume-snapshot <id> [--volume <name>] | --discard-before <instance> [--yes]"
if [ "$#" -lt 3 ]; then echo "$usage" >&2; exit 64; fi
stack=$1 app=$2
shift 2
mode="" name="" offsite="" volume="" OPS_YES=no
set_mode() {
  [ -z "$mode" ] || { echo "$usage" >&2; exit 64; }
  mode=$1
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --yes) OPS_YES=yes ;;
    --list) set_mode list ;;
    --offsite) set_mode offsite; offsite=newest ;;
    --offsite=*) set_mode offsite; offsite=named name=${1#--offsite=} ;;
    --volume-snapshot | --discard-before | --volume)
      [ "$#" -ge 2 ] || { echo "$usage" >&2; exit 64; }
      case "$1" in
        --volume) volume=$2 ;;
        --volume-snapshot) set_mode volume; name=$2 ;;
        *) set_mode discard; name=$2 ;;
      esac
      shift ;;
    -*) echo "$usage" >&2; exit 64 ;;
    *) set_mode dump; name=$1 ;;
  esac
  shift
done
[ -n "$mode" ] || { echo "$usage" >&2; exit 64; }
if [ -n "$volume" ] && { [ "$mode" != volume ] || ! [[ $volume =~ ^[a-z0-9][a-z0-9-]*$ ]]; }; then
  echo "--volume: a volume name (lower-case letters, digits, '-'), with --volume-snapshot only" >&2
  exit 64
fi
if [ "$mode" != list ] && [ "$offsite" != newest ] && ! [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._:-]*$ ]]; then
  echo "dump '$name': letters, digits, '.', '_', '-' (a name --list prints)" >&2
  exit 64
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=restore-rds.sh
. "$(dirname "$0")/restore-rds.sh"
# shellcheck source=restore-volume.sh
. "$(dirname "$0")/restore-volume.sh"
ops_load "$stack" "$app"
kind=none
ops_has database && kind=$(ops_get database.kind)
region=""
ops_has region && region=$(ops_get region)

if [ "$mode" = list ]; then
  case "$kind" in
    postgres-container) ops_exec database.at ls -1 "$(ops_get database.dumpDir)" ;;
    sqlite) ops_ssh "$(ops_get database.node)" -- ls -1 "$(ops_get database.dumpDir)" ;;
    rds) aws rds describe-db-snapshots --region "$region" --db-instance-identifier "$(ops_get database.identifier)" --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime,SnapshotType]' --output text ;;
    couchdb) aws ec2 describe-snapshots --region "$region" --owner-ids self --filters "Name=volume-id,Values=$(ops_get database.volumeId)" --query 'Snapshots[].[SnapshotId,StartTime,Description]' --output text ;;
    *) [ -n "$(ops_keys volumes)" ] || { echo "$OPS_APP has no database" >&2; exit 64; } ;;
  esac
  [ "$(ops_get platform)" != digitalocean ] || ops_volume_list
  exit 0
fi
if [ "$mode" = volume ]; then
  [ "$(ops_get platform)" = digitalocean ] || { echo "--volume-snapshot: DigitalOcean volumes only ($OPS_APP runs on AWS)" >&2; exit 64; }
  key=$(ops_volume_pick "$volume")
  ops_volume_restore "$name" "$key"
  exit 0
fi
if [ "$mode" = discard ]; then
  [ "$kind" = rds ] || { echo "--discard-before: RDS apps only" >&2; exit 64; }
  ops_rds_discard "$name"
  exit 0
fi
[ "$kind" != none ] || { echo "$OPS_APP has no database" >&2; exit 64; }
# An RDS restore that cannot work (another major version...) is refused before anything stops.
if [ "$kind" = rds ] && [ -z "$offsite" ]; then ops_rds_check "$name"; fi

ops_confirm "Replace the $OPS_APP database of stack $OPS_STACK with '$name' (its writers stop meanwhile)?"

# --- Stop the writers; start them again on any exit from here on.
mapfile -t writer_groups < <(ops_keys writers.autoScalingGroups)
declare -A group_sizes=()
ecs=no
ops_has writers.ecsService && ecs=yes
start_writers() {
  local status=$? g min desired
  if [ "$status" -ne 0 ] && [ -n "$OPS_RDS_HINT" ]; then printf 'stopped with an error; %s\n' "$OPS_RDS_HINT" >&2; fi
  ops_writers start
  for g in "${!group_sizes[@]}"; do
    read -r min desired <<<"${group_sizes[$g]}"
    aws autoscaling update-auto-scaling-group --region "$region" --auto-scaling-group-name "$g" --min-size "$min" --desired-capacity "$desired" || echo "could not scale $g back to $desired: run pulumi up" >&2
  done
  if [ "$ecs" = yes ]; then
    aws ecs update-service --region "$region" --cluster "$(ops_get writers.ecsService.cluster)" --service "$(ops_get writers.ecsService.service)" --desired-count 1 >/dev/null || echo "could not start the ECS service: run pulumi up" >&2
  fi
  exit "$status"
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
    ops_rds_restore "$name"
    exit 0
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
