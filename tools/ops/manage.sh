#!/usr/bin/env bash
# Runs a management command in the live colour's app container, or a named colour's: the app's management
# entry point (ops.manageCommand, e.g. `python manage.py`) followed by the arguments, exactly as given.
#   tools/ops/manage.sh <stack> <app> [--colour blue|green|live] [--] <argument>...
#   e.g. manage.sh production topobank -- createsuperuser
#        manage.sh production topobank -- loaddata orcid.yaml
#        manage.sh production topobank -- sendtestemail ops@example.org
set -euo pipefail
if [ "$#" -lt 3 ]; then
  echo "usage: $0 <stack> <app> [--colour blue|green|live] [--] <argument>..." >&2
  exit 64
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
stack=$1 app=$2
shift 2
colour=live
if [ "${1:-}" = --colour ]; then colour=${2:-}; shift 2; fi
[ "${1:-}" = -- ] && shift
[ "$#" -gt 0 ] || { echo "usage: $0 <stack> <app> [--colour blue|green|live] [--] <argument>..." >&2; exit 64; }
ops_load "$stack" "$app"
target=$(ops_colour_target "$colour")
prefix=()
while IFS= read -r i; do [ -n "$i" ] && prefix+=("$(ops_get "manageCommand.$i")"); done < <(ops_keys manageCommand)
ops_exec "manage.$target" "${prefix[@]}" "$@"
