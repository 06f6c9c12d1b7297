# shellcheck shell=bash disable=SC2317 # its functions run from the scripts that source it
# Shared by every ops script (sourced, never run). Reads an app's `ops` stack output (apps/ops-outputs.ts)
# and reaches its machines: DigitalOcean nodes over SSH with the generated host key pinned, AWS instances
# through SSM. No argument is ever re-parsed by a remote shell unquoted: remote command lines are built by
# ops_quote, which single-quotes every word (POSIX sh, so bash, dash and SSM's sh all read it back verbatim).

declare -A OPS=()
OPS_STACK=""
OPS_APP=""

ops_die() {
  echo "$*" >&2
  exit 1
}

# Apps the program deploys; anything else is refused before any command runs.
ops_check_app() {
  case "$1" in
    nmpi | topobank | ramascene | aquamark | grand-central) ;;
    *) echo "unknown app '$1': one of nmpi, topobank, ramascene, aquamark, grand-central" >&2; exit 64 ;;
  esac
}

# ops_load <stack> <app>: reads `ops` of the app from the stack's outputs into OPS, flattened once (one
# node process): `nodes.db.ip` -> value, `<path>.@keys` -> the object's keys (array indexes), one a line.
ops_load() {
  OPS_STACK=$1 OPS_APP=$2
  ops_check_app "$OPS_APP"
  if ! [[ $OPS_STACK =~ ^[A-Za-z0-9._/-]+$ ]]; then
    echo "stack '$OPS_STACK': letters, digits, '.', '_', '-', '/' only" >&2
    exit 64
  fi
  local all key value
  all=$(pulumi stack output --stack "$OPS_STACK" --json --show-secrets "$OPS_APP") || ops_die "no outputs for app $OPS_APP in stack $OPS_STACK (is it enabled and deployed?)"
  # shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
  while IFS= read -r -d '' key && IFS= read -r -d '' value; do OPS[$key]=$value; done < <(ALL="$all" node -e '
    const all = JSON.parse(process.env.ALL);
    if (!all || typeof all.ops !== "object") { console.error("the app exports no ops output; deploy this version of the program first"); process.exit(1); }
    const out = [];
    const walk = (v, path) => {
      if (v !== null && typeof v === "object") {
        out.push(`${path}.@keys`, Object.keys(v).join("\n"));
        for (const k of Object.keys(v)) walk(v[k], path ? `${path}.${k}` : k);
      } else if (v !== null && v !== undefined) out.push(path, String(v));
    };
    walk(all.ops, "");
    process.stdout.write(out.map((s) => `${s}\0`).join(""));
  ')
  [ -n "${OPS[platform]:-}" ] || exit 1
}

# ops_get <path>: the value at a path of the ops output, e.g. `database.at.container`; fails if absent.
ops_get() {
  if [ -z "${OPS[$1]+set}" ]; then
    echo "the $OPS_APP ops output has no ${1%.@keys}" >&2
    return 1
  fi
  printf '%s\n' "${OPS[$1]}"
}

# ops_has <path>: whether the ops output has a value or object at the path.
ops_has() {
  [ -n "${OPS[$1]+set}" ] || [ -n "${OPS[$1.@keys]+set}" ]
}

# ops_keys <path>: the keys of the object (or indexes of the array) at the path, one a line; none if absent.
ops_keys() {
  [ -n "${OPS[$1.@keys]:-}" ] && printf '%s\n' "${OPS[$1.@keys]}"
  return 0
}

# ops_name <what> <value>: refuses an operator-given name that could reach into another path.
ops_name() {
  [[ $2 =~ ^[A-Za-z0-9][A-Za-z0-9_/-]*$ ]] || { echo "$1 '$2': letters, digits, '_', '-', '/'" >&2; exit 64; }
}

# ops_quote <word>...: one command line that any POSIX shell splits back into exactly these words.
ops_quote() {
  local out="" word q="'" escaped="'\\''"
  for word in "$@"; do
    out+="'${word//"$q"/"$escaped"}' "
  done
  printf '%s' "${out% }"
}

# ops_ssh <node> [ssh options...] -- <word>...: runs the words on a DigitalOcean node as root, trusting
# only the node's generated host key (never one learned on first use).
ops_ssh() {
  local node=$1
  shift
  local opts=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  local ip known
  ops_name node "$node"
  ip=$(ops_get "nodes.$node.ip") || { echo "nodes: $(ops_keys nodes | tr '\n' ' ')" >&2; exit 64; }
  known=$(ops_get "nodes.$node.knownHostsLine") || exit 1
  local known_hosts
  known_hosts=$(mktemp)
  printf '%s\n' "$known" >"$known_hosts"
  local status=0
  if [ "$#" -gt 0 ]; then
    ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" -o BatchMode=yes "${opts[@]}" -- "root@$ip" "$(ops_quote "$@")" || status=$?
  else
    ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" "${opts[@]}" -- "root@$ip" || status=$?
  fi
  rm -f "$known_hosts"
  return "$status"
}

# ops_instance <auto-scaling group>: one in-service instance of the group.
ops_instance() {
  local id
  # shellcheck disable=SC2016 # a JMESPath query, not shell
  id=$(aws autoscaling describe-auto-scaling-groups --region "$(ops_get region)" --auto-scaling-group-names "$1" \
    --query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService`].InstanceId | [0]' --output text) || exit 1
  [[ $id =~ ^i-[0-9a-f]+$ ]] || ops_die "no instance in service in the group $1"
  printf '%s\n' "$id"
}

# ops_ssm <auto-scaling group> <word>...: runs the words on an instance of the group through SSM
# (AWS-RunShellScript) and prints their output; the command line is built by ops_quote and passed
# in a JSON file, never through a local shell.
ops_ssm() {
  local group=$1
  shift
  local region instance params command_id
  region=$(ops_get region) || exit 1
  instance=$(ops_instance "$group") || exit 1
  params=$(mktemp)
  LINE="$(ops_quote "$@")" node -e 'process.stdout.write(JSON.stringify({ commands: [process.env.LINE] }))' >"$params"
  command_id=$(aws ssm send-command --region "$region" --instance-ids "$instance" --document-name AWS-RunShellScript \
    --parameters "file://$params" --query Command.CommandId --output text) || { rm -f "$params"; exit 1; }
  rm -f "$params"
  aws ssm wait command-executed --region "$region" --command-id "$command_id" --instance-id "$instance" || true
  local status
  status=$(aws ssm get-command-invocation --region "$region" --command-id "$command_id" --instance-id "$instance" --query Status --output text)
  aws ssm get-command-invocation --region "$region" --command-id "$command_id" --instance-id "$instance" --query StandardOutputContent --output text
  aws ssm get-command-invocation --region "$region" --command-id "$command_id" --instance-id "$instance" --query StandardErrorContent --output text >&2
  [ "$status" = Success ] || { echo "the command on $instance ended $status" >&2; return 1; }
}

# ops_exec <path of an OpsContainer, e.g. manage.blue or database.at> <word>...: `docker exec` the words in that
# container of the app, wherever it runs.
ops_exec() {
  local target=$1
  shift
  local on container
  on=$(ops_get "$target.on") || exit 1
  container=$(ops_get "$target.container") || exit 1
  if [ "$(ops_get platform)" = digitalocean ]; then
    ops_ssh "$on" -- docker exec "$container" "$@"
  else
    # shellcheck disable=SC2016 # expanded by the remote sh, on purpose
    # ECS names containers ecs-<family>-<revision>-<name>-<hash>; its label holds the plain name.
    ops_ssm "$on" sh -c 'c=$(docker ps -q --filter "label=com.amazonaws.ecs.container-name=$0" | head -n 1); [ -n "$c" ] || c=$0; shift; exec docker exec "$c" "$@"' "$container" _ "$@"
  fi
}

# ops_writers <start|stop>: starts or stops the containers in writers.containers (DigitalOcean).
ops_writers() {
  local i
  while IFS= read -r i; do
    [ -n "$i" ] || continue
    ops_ssh "$(ops_get "writers.containers.$i.on")" -- docker "$1" "$(ops_get "writers.containers.$i.container")" || {
      [ "$1" = start ] || return 1
      echo "could not start $(ops_get "writers.containers.$i.container"): start it by hand" >&2
    }
  done < <(ops_keys writers.containers)
}

# ops_colour_target <colour or empty>: the key of manage a command runs in (`live` resolves to the live colour).
ops_colour_target() {
  local want=${1:-live}
  case "$want" in
    blue | green | live) ;;
    *) echo "colour '$want': blue, green or live" >&2; exit 64 ;;
  esac
  if [ "$want" = live ]; then
    if ops_has manage.live; then echo live; else ops_get liveColour; fi
  else
    printf '%s\n' "$want"
  fi
}

# ops_confirm <what>: asks before a destructive step unless OPS_YES=yes (the scripts' --yes).
ops_confirm() {
  if [ "${OPS_YES:-no}" = yes ]; then return 0; fi
  if [ ! -t 0 ]; then
    echo "$1: refusing without --yes (no terminal to ask)" >&2
    exit 64
  fi
  local answer
  read -r -p "$1 Type the app name to go on: " answer
  [ "$answer" = "$OPS_APP" ] || ops_die "not confirmed; nothing changed"
}

# ops_utc_stamp: a file-name-safe UTC time stamp.
ops_utc_stamp() {
  date -u +%Y%m%dT%H%M%SZ
}
