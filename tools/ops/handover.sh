#!/usr/bin/env bash
# Hands an app's data over from the system running today to the program's database: runs a dump command on
# the old host over SSH (its host key pinned from a known_hosts file you give, never learned on first use)
# and streams the output straight into the new database, with the new writers stopped meanwhile.
#   tools/ops/handover.sh <stack> <app> --from <user@old-host> --known-hosts <file> [--format custom|plain|sqlite] [--yes] -- <dump command on the old host...>
# e.g. topobank (seed 001's compose stack):
#   handover.sh production topobank --from topobank@old.example.org --known-hosts old_known_hosts -- \
#     docker exec topobank_postgres_1 pg_dump -Fc -U topobank topobank
# --format: custom (pg_dump -Fc, the default), plain (an SQL script, as seed 000's dumps), sqlite (the file's bytes).
# aquamark and grand-central keep their data where it is: their RDS instance and EBS volume are adopted with
# `import` (docs/operations.md, Adoption), so there is nothing to copy.
set -euo pipefail
usage="usage: $0 <stack> <app> --from <user@host> --known-hosts <file> [--format custom|plain|sqlite] [--yes] -- <command...>"
[ "$#" -ge 2 ] || { echo "$usage" >&2; exit 64; }
stack=$1 app=$2
shift 2
from="" known_hosts="" format=custom OPS_YES=no
while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
  case "$1" in
    --from) from=${2:-}; shift 2 ;;
    --known-hosts) known_hosts=${2:-}; shift 2 ;;
    --format) format=${2:-}; shift 2 ;;
    --yes) OPS_YES=yes; shift ;;
    *) echo "$usage" >&2; exit 64 ;;
  esac
done
[ "${1:-}" = -- ] && shift
if [ -z "$from" ] || [ -z "$known_hosts" ] || [ "$#" -eq 0 ]; then echo "$usage" >&2; exit 64; fi
[[ $from =~ ^[A-Za-z0-9._-]+@[A-Za-z0-9.:-]+$ ]] || { echo "--from '$from': user@host" >&2; exit 64; }
[ -s "$known_hosts" ] || { echo "--known-hosts '$known_hosts': a known_hosts file with the old host's key (ssh-keyscan it once and check the fingerprint)" >&2; exit 64; }
case "$format" in custom | plain | sqlite) ;; *) echo "--format: custom, plain or sqlite" >&2; exit 64 ;; esac
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$stack" "$app"
kind=none
ops_has database && kind=$(ops_get database.kind)
case "$kind/$format" in
  postgres-container/custom | postgres-container/plain | sqlite/sqlite) ;;
  rds/* | couchdb/*) echo "$OPS_APP's data is adopted in place with import (docs/operations.md, Adoption); nothing to hand over" >&2; exit 64 ;;
  *) echo "--format $format does not fit $OPS_APP's $kind database" >&2; exit 64 ;;
esac
ops_confirm "Replace the $OPS_APP database of stack $OPS_STACK with the output of '$*' on $from?"

trap 'ops_writers start' EXIT
ops_writers stop

# shellcheck disable=SC2016 # the sh -c scripts expand inside the container, on purpose
case "$format" in
  custom) into=(docker exec -i "$(ops_get database.at.container)" sh -c 'pg_restore --clean --if-exists --no-owner -U "$POSTGRES_USER" -d "$0"' "$(ops_get database.database)") ;;
  plain) into=(docker exec -i "$(ops_get database.at.container)" sh -c 'psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d "$0"' "$(ops_get database.database)") ;;
  sqlite) into=(python3 -c 'import os, shutil, sqlite3, sys, tempfile
os.makedirs(sys.argv[2], exist_ok=True)
with tempfile.NamedTemporaryFile(dir=sys.argv[2]) as tmp:
    shutil.copyfileobj(sys.stdin.buffer, tmp); tmp.flush()
    src, dst = sqlite3.connect(tmp.name), sqlite3.connect(sys.argv[1])
    src.backup(dst); dst.close()' "$(ops_get database.path)" "$(ops_get database.dumpDir)") ;;
esac
ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" -o BatchMode=yes -- "$from" "$(ops_quote "$@")" |
  ops_ssh "$(if ops_has database.at; then ops_get database.at.on; else ops_get database.node; fi)" -- "${into[@]}"
echo "handed $OPS_APP's data over from $from"
