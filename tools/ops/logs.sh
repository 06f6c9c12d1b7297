#!/usr/bin/env bash
# Prints (or follows) a service's logs: a container on a node of an app.
#   tools/ops/logs.sh <stack> <app> <node> <container> [docker logs options, e.g. --since 1h -f]
set -euo pipefail
if [ "$#" -lt 4 ]; then
  echo "usage: $0 <stack> <app> <node> <container> [docker logs options]" >&2
  exit 64
fi
stack=$1 app=$2 node=$3 container=$4
shift 4
here=$(dirname "$0")
"$here/node-ssh.sh" "$stack" "$app" "$node" docker logs "$@" "$container"
