#!/usr/bin/env bash
# Takes a dump of an app's database now and prints its name: a `pg_dump -Fc` file (Postgres containers) or an
# online copy (SQLite) on the app's data volume, a manual DB snapshot (RDS), or an EBS snapshot (CouchDB's
# volume). The name is what restore.sh takes.
#   tools/ops/dump.sh <stack> <app> [label]     label: lower-case letters, digits, '-'; default "manual"
set -euo pipefail
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 <stack> <app> [label]" >&2
  exit 64
fi
label=${3:-manual}
[[ $label =~ ^[a-z][a-z0-9-]{0,30}[a-z0-9]$ ]] || { echo "label '$label': 2-32 lower-case letters, digits and '-', starting with a letter" >&2; exit 64; }
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$1" "$2"
kind=none
ops_has database && kind=$(ops_get database.kind)
stamp=$(ops_utc_stamp)
case "$kind" in
  postgres-container)
    file="$label-$stamp.dump"
    # shellcheck disable=SC2016 # expanded inside the container, on purpose
    ops_exec database.at sh -c 'mkdir -p "$0" && pg_dump -Fc -U "$POSTGRES_USER" -d "$1" -f "$0/$2"' \
      "$(ops_get database.dumpDir)" "$(ops_get database.database)" "$file"
    echo "$file"
    ;;
  sqlite)
    file="$label-$stamp.sqlite3"
    ops_ssh "$(ops_get database.node)" -- python3 -c 'import os, sqlite3, sys
os.makedirs(sys.argv[2], exist_ok=True)
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(os.path.join(sys.argv[2], sys.argv[3]))
src.backup(dst)
dst.close()' "$(ops_get database.path)" "$(ops_get database.dumpDir)" "$file"
    echo "$file"
    ;;
  rds)
    region=$(ops_get region)
    id=$(ops_get database.identifier)
    snapshot="$id-$label-${stamp,,}"
    aws rds create-db-snapshot --region "$region" --db-instance-identifier "$id" --db-snapshot-identifier "$snapshot" --output text --query DBSnapshot.Status >&2
    aws rds wait db-snapshot-available --region "$region" --db-snapshot-identifier "$snapshot"
    echo "$snapshot"
    ;;
  couchdb)
    region=$(ops_get region)
    snapshot=$(aws ec2 create-snapshot --region "$region" --volume-id "$(ops_get database.volumeId)" \
      --description "$OPS_APP $OPS_STACK $label $stamp" \
      --tag-specifications "ResourceType=snapshot,Tags=[{Key=app,Value=$OPS_APP},{Key=stack,Value=$OPS_STACK},{Key=label,Value=$label}]" \
      --query SnapshotId --output text)
    aws ec2 wait snapshot-completed --region "$region" --snapshot-ids "$snapshot"
    echo "$snapshot"
    ;;
  *)
    echo "$OPS_APP has no database to dump" >&2
    exit 64
    ;;
esac
