#!/usr/bin/env bash
# Restores nmpi's database from a dump in the backup bucket (the newest, or the one whose timestamp
# is given), with both colours' services stopped meanwhile so nothing writes during the restore.
#   tools/ops/db-restore.sh <stack> [timestamp] --yes
set -euo pipefail
stack=${1:-}
timestamp=""
confirmed=no
shift || true
for arg in "$@"; do
  case "$arg" in
    --yes) confirmed=yes ;;
    *) timestamp=$arg ;;
  esac
done
if [ -z "$stack" ] || [ "$confirmed" != yes ]; then
  echo "usage: $0 <stack> [timestamp] --yes   (replaces the database's contents)" >&2
  exit 64
fi
here=$(dirname "$0")
for colour in blue green; do
  "$here/node-ssh.sh" "$stack" nmpi "$colour" docker stop "nmpi-$colour" "quotas-$colour"
done
restore_status=0
if [ -n "$timestamp" ]; then
  "$here/node-ssh.sh" "$stack" nmpi db docker exec nmpi-db-backup sh restore.sh "$timestamp" || restore_status=$?
else
  "$here/node-ssh.sh" "$stack" nmpi db docker exec nmpi-db-backup sh restore.sh || restore_status=$?
fi
for colour in blue green; do
  "$here/node-ssh.sh" "$stack" nmpi "$colour" docker start "nmpi-$colour" "quotas-$colour"
done
exit "$restore_status"
