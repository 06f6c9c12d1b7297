#!/usr/bin/env bash
# Takes a Postgres dump of nmpi now and uploads it (encrypted) to the backup bucket under backup/.
#   tools/ops/db-dump.sh <stack>
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: $0 <stack>" >&2
  exit 64
fi
here=$(dirname "$0")
"$here/node-ssh.sh" "$1" nmpi db docker exec nmpi-db-backup sh backup.sh
