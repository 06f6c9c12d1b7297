#!/usr/bin/env bash
# Prints (or follows) the logs of one service of an app: `docker logs` of its container on DigitalOcean,
# `aws logs tail` of its CloudWatch log group on AWS. Services are the keys of the app's ops.logs output
# (run with no service to list them).
#   tools/ops/logs.sh <stack> <app> <service> [--since 1h] [--follow]
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 <stack> <app> [<service> [--since <n>s|m|h|d] [--follow]]" >&2
  exit 64
fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$1" "$2"
if [ "$#" -eq 2 ]; then
  ops_keys logs
  exit 0
fi
service=$3
shift 3
since="" follow=no
while [ "$#" -gt 0 ]; do
  case "$1" in
    --since)
      [[ ${2:-} =~ ^[0-9]+[smhd]$ ]] || { echo "--since takes a duration such as 30m, 2h or 1d" >&2; exit 64; }
      since=$2; shift 2 ;;
    -f | --follow) follow=yes; shift ;;
    *) echo "unknown option '$1': --since <duration>, --follow" >&2; exit 64 ;;
  esac
done
ops_name service "$service"
ops_has "logs.$service" || { echo "services: $(ops_keys logs | tr '\n' ' ')" >&2; exit 64; }
if [ "$(ops_get platform)" = digitalocean ]; then
  docker_args=(docker logs)
  [ -n "$since" ] && docker_args+=(--since "$since")
  [ "$follow" = yes ] && docker_args+=(--follow)
  docker_args+=("$(ops_get "logs.$service.container")")
  ops_ssh "$(ops_get "logs.$service.on")" -- "${docker_args[@]}"
else
  aws_args=(logs tail "$(ops_get "logs.$service.logGroup")" --region "$(ops_get region)")
  [ -n "$since" ] && aws_args+=(--since "$since")
  [ "$follow" = yes ] && aws_args+=(--follow)
  aws "${aws_args[@]}"
fi
