#!/usr/bin/env bash
# A shell (or one command) on a machine of an app. DigitalOcean: SSH as root to a node (a node name, or a
# colour: blue, green, live), trusting only the host key the program generated. AWS: an SSM session on an
# in-service instance of the colour's (or the app's) group; no SSH port is open there.
#   tools/ops/ssh.sh <stack> <app> <node|colour> [command...]
#   e.g. ssh.sh production nmpi db docker ps
set -euo pipefail
if [ "$#" -lt 3 ]; then
  echo "usage: $0 <stack> <app> <node|blue|green|live> [command...]" >&2
  exit 64
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$1" "$2"
target=$3
shift 3
platform=$(ops_get platform)
if [ "$platform" = digitalocean ]; then
  case "$target" in
    blue | green | live) node=$(ops_get "manage.$(ops_colour_target "$target").on") ;;
    *) node=$target ;;
  esac
  ops_ssh "$node" -- "$@"
else
  group=$(ops_get "manage.$(ops_colour_target "$target").on")
  if [ "$#" -gt 0 ]; then
    ops_ssm "$group" "$@"
  else
    aws ssm start-session --region "$(ops_get region)" --target "$(ops_instance "$group")"
  fi
fi
