#!/usr/bin/env bash
# Runs a command on one node of an app over SSH, trusting only the host key the program generated
# (the node's knownHostsLine stack output): never a key learned on first use.
#   tools/ops/node-ssh.sh <stack> <app> <node> [command...]     e.g. production nmpi db docker ps
set -euo pipefail
if [ "$#" -lt 3 ]; then
  echo "usage: $0 <stack> <app> <node> [command...]" >&2
  exit 64
fi
stack=$1 app=$2 node=$3
shift 3
outputs=$(pulumi stack output --stack "$stack" --json "$app")
# shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
read -r ip known_hosts_line < <(OUTPUTS="$outputs" NODE="$node" node -e '
  const nodes = JSON.parse(process.env.OUTPUTS).nodes ?? {};
  const n = nodes[process.env.NODE];
  if (!n) { console.error(`no node ${process.env.NODE}; nodes: ${Object.keys(nodes).join(", ")}`); process.exit(1); }
  console.log(n.ip, n.knownHostsLine);
')
known_hosts=$(mktemp)
trap 'rm -f "$known_hosts"' EXIT
printf '%s\n' "$known_hosts_line" > "$known_hosts"
ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" -o BatchMode=yes "root@$ip" "$@"
