#!/usr/bin/env bash
# An encrypted tunnel from this machine to a port of an app that is open to no network (e.g. grand-central's
# Fauxton: CouchDB's admin login is plain HTTP, so port 5984 stays closed; security review M6). AWS: a
# Session Manager port-forwarding session to an in-service instance of the app's group (needs the Session
# Manager plugin for the AWS CLI). Stop it with Ctrl-C.
#   tools/ops/tunnel.sh <stack> <app> <service> [local-port]
#   e.g. tunnel.sh production grand-central fauxton   then open http://127.0.0.1:5984/_utils/
set -euo pipefail
usage="usage: $0 <stack> <app> <service> [local-port]"
if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then echo "$usage" >&2; exit 64; fi
service=$3
if ! [[ $service =~ ^[a-z][a-z0-9-]*$ ]]; then echo "service '$service': lower-case letters, digits and '-'" >&2; exit 64; fi
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ops_load "$1" "$2"
ops_has "tunnels.$service.port" || ops_die "$OPS_APP has no tunnel '$service' (it has: $(ops_keys tunnels 2>/dev/null | tr '\n' ' '))"
port=$(ops_get "tunnels.$service.port")
local_port=${4:-$port}
if ! [[ $local_port =~ ^[0-9]{4,5}$ ]] || [ "$local_port" -lt 1024 ] || [ "$local_port" -gt 65535 ]; then
  echo "local port '$local_port': a number from 1024 to 65535" >&2
  exit 64
fi
[ "$(ops_get platform)" = aws ] || ops_die "tunnels are for AWS apps; on a DigitalOcean node use ops:ssh with -L"
instance=$(ops_instance "$(ops_get "tunnels.$service.on")")
path=""
ops_has "tunnels.$service.path" && path=$(ops_get "tunnels.$service.path")
echo "http://127.0.0.1:$local_port$path reaches $service (port $port on $instance) until you stop this (Ctrl-C)" >&2
# AWS Systems Manager user guide, "Start a session with a document": --document-name AWS-StartPortForwardingSession
# --parameters '{"portNumber":["80"], "localPortNumber":["56789"]}'. Both values are digits only (checked above).
exec aws ssm start-session --region "$(ops_get region)" --target "$instance" --document-name AWS-StartPortForwardingSession \
  --parameters "{\"portNumber\":[\"$port\"],\"localPortNumber\":[\"$local_port\"]}"
