# shellcheck shell=bash disable=SC2317 # sourced by restore.sh; its functions run from there
# Restore of a DigitalOcean block-storage volume from one of its snapshots, in one command, on the operator's
# machine with doctl (DigitalOcean's CLI) and ssh to the node that holds the volume:
#   1. read the live volume (doctl compute volume get: name, region, size, droplet) and the snapshot
#      (doctl compute snapshot get: a volume snapshot, in that region, its minimum size);
#   2. create a temporary volume from the snapshot and attach it to the same droplet;
#   3. stop the app's writers and every container on the node with a mount on the live volume;
#   4. snapshot the live volume (`before-restore-<volume>-<stamp>`: the rollback point);
#   5. mount the temporary volume read-only beside the live one and `rsync -a --delete` it over the live mount;
#   6. unmount, detach and delete the temporary volume; start the containers again.
# If anything fails before the copy, the live volume is as it was and everything starts again. If the copy
# itself fails, the live volume may hold a mix: its containers stay stopped and the command prints how to
# restore the rollback snapshot (or retry).
#
# doctl, from its source (digitalocean/doctl, commands/volumes.go, commands/volume_actions.go,
# commands/snapshots.go, commands/command.go, commands/actions.go):
# - `compute volume get <id>` / `compute snapshot get <id>` / `compute droplet get <id>`; `--output json`
#   (global, doit.go) prints the godo structs (Volume: id, name, region.slug, size_gigabytes, droplet_ids;
#   Snapshot: id, name, resource_id, resource_type, regions, min_disk_size, created_at);
# - `compute volume create <name> --snapshot <id> --size <n>GiB --desc <text>`; `--region` is "not compatible
#   with the --snapshot flag": a volume made from a snapshot is made in the snapshot's region;
# - `compute volume-action attach|detach <volume-id> <droplet-id> --wait`: --wait polls the action until it
#   is no longer in-progress (actionWait), and does NOT fail on "errored", so the status is checked here;
# - `compute volume snapshot <id> --snapshot-name <name> --snapshot-desc <text>` (prints nothing);
# - `compute snapshot list [glob] --resource volume`; `compute volume delete <id> --force`;
# - `--format <columns> --no-header` on commands with a displayer (volume create, droplet get, snapshot list).
# DigitalOcean exposes an attached volume on the droplet as /dev/disk/by-id/scsi-0DO_Volume_<name>
# (components/digitalocean/cloud-init.ts volumeDevicePath; DigitalOcean docs, "How to mount volumes").
# findmnt --source resolves such a symlink to its device (util-linux libmount canonicalizes the source).

# ops_volume_json <json> <expression over v>: evaluates a JavaScript expression on the parsed JSON (first
# element when it is an array, as doctl prints lists), printing the result (arrays one item a line).
ops_volume_json() {
  # shellcheck disable=SC2016 # JavaScript
  JSON=$1 EXPR=$2 node -e '
    let v = JSON.parse(process.env.JSON);
    if (Array.isArray(v)) v = v[0];
    const r = new Function("v", `return (${process.env.EXPR});`)(v);
    if (Array.isArray(r)) process.stdout.write(r.map(String).join("\n") + "\n");
    else if (r !== undefined && r !== null) process.stdout.write(`${r}\n`);
  '
}

# ops_volume_pick <name or empty>: the key of `volumes` to restore (the only one when not named).
ops_volume_pick() {
  local want=$1 keys
  keys=$(ops_keys volumes)
  [ -n "$keys" ] || { echo "$OPS_APP has no data volume" >&2; exit 64; }
  if [ -z "$want" ]; then
    [ "$(printf '%s\n' "$keys" | wc -l)" -eq 1 ] || { echo "name the volume with --volume: $(printf '%s' "$keys" | tr '\n' ' ')" >&2; exit 64; }
    printf '%s\n' "$keys"
    return
  fi
  printf '%s\n' "$keys" | grep -qxF -- "$want" || { echo "volume '$want': one of $(printf '%s' "$keys" | tr '\n' ' ')" >&2; exit 64; }
  printf '%s\n' "$want"
}

# ops_volume_list: the snapshots of each of the app's volumes, newest last.
ops_volume_list() {
  local key all
  [ -n "$(ops_keys volumes)" ] || return 0
  all=$(doctl compute snapshot list --resource volume --output json) || { echo "(doctl could not list the volume snapshots: is it installed and authenticated, doctl auth init?)" >&2; return 0; }
  while IFS= read -r key; do
    echo "volume snapshots of $key ($(ops_get "volumes.$key")):"
    # shellcheck disable=SC2016 # JavaScript
    ALL=$all VOLUME=$(ops_get "volumes.$key") node -e '
      const mine = (JSON.parse(process.env.ALL) ?? []).filter((s) => s.resource_id === process.env.VOLUME);
      mine.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
      for (const s of mine) console.log([s.id, s.name, s.created_at, `${s.min_disk_size} GiB`].join("\t"));
    '
  done < <(ops_keys volumes)
}

# Node scripts (sh -c '<script>' <args...>: every argument is single-quoted by ops_quote). The first line
# names the step, so the tests' ssh stub can stand in for the parts that need a real node.

# Prints `mount <live mount point>`, stops every running container with a mount on it (60 s to shut down
# cleanly, e.g. Postgres, before docker kills it), printing
# `stopped <name>` for each, and flushes the page cache to the volume. $0: the live volume's device path.
# shellcheck disable=SC2016 # expanded on the node
OPS_VOLUME_STOP_SCRIPT='# ops:volume-stop
set -eu
mnt=$(findmnt -l -n -o TARGET --source "$0" | head -n 1)
[ -n "$mnt" ] || { echo "$0 is not mounted on this node" >&2; exit 1; }
echo "mount $mnt"
for c in $(docker ps --format "{{.Names}}"); do
  if docker inspect --format "{{range .Mounts}}{{println .Source}}{{end}}" "$c" | awk -v m="$mnt" "\$0 == m || index(\$0, m \"/\") == 1 { f = 1 } END { exit !f }"; then
    docker stop -t 60 "$c" >/dev/null
    echo "stopped $c"
  fi
done
sync'

# Mounts the temporary volume read-only at $1 and copies its files over the live mount $2 (rsync -a --delete:
# owners, modes, times, links; files the snapshot lacks are removed), then unmounts it. A DigitalOcean
# droplet may mount a freshly attached formatted volume by itself (doctl volume-action attach help), so any
# such mount (and an /etc/fstab line naming the device) is undone first. $0: the temporary volume's device path.
# shellcheck disable=SC2016 # expanded on the node
OPS_VOLUME_COPY_SCRIPT='# ops:volume-copy
set -eu
i=0
while [ ! -e "$0" ]; do
  i=$((i + 1)); [ "$i" -le 60 ] || { echo "$0 did not appear" >&2; exit 1; }
  sleep 2
done
for m in $(findmnt -l -n -o TARGET --source "$0"); do umount "$m"; done
sed -i "\\|^$0 |d" /etc/fstab
mkdir -p "$1"
mount -o ro "$0" "$1"
trap "umount \"\$1\" && rmdir \"\$1\"" EXIT
rsync -a --delete "$1/" "$2/"
sync'

# Undoes any mount of the temporary volume left behind (after a lost connection). $0: its device path.
# shellcheck disable=SC2016 # expanded on the node
OPS_VOLUME_UNMOUNT_SCRIPT='# ops:volume-unmount
for m in $(findmnt -l -n -o TARGET --source "$0"); do umount "$m"; done
sed -i "\\|^$0 |d" /etc/fstab
true'

# ops_volume_restore <snapshot id> <volume key>: the whole restore. Writers (restore.sh's trap) are handled
# here, because the copy's failure must leave them stopped.
# Its variables are global on purpose: the EXIT trap that cleans up reads them after the function returned.
ops_volume_restore() {
  snapshot=$1 key=$2
  live_id=$(ops_get "volumes.$key") || exit 1
  [[ $live_id =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || ops_die "volume ID '$live_id' of $key: letters, digits and '-' expected"
  volume=$(doctl compute volume get "$live_id" --output json) || ops_die "doctl cannot read the volume $live_id"
  snap=$(doctl compute snapshot get "$snapshot" --output json) || ops_die "doctl cannot read the snapshot '$snapshot' (ops:restore ... --list)"
  name=$(ops_volume_json "$volume" v.name)
  region=$(ops_volume_json "$volume" v.region?.slug)
  size=$(ops_volume_json "$volume" v.size_gigabytes)
  droplet=$(ops_volume_json "$volume" '(v.droplet_ids ?? []).length === 1 ? v.droplet_ids[0] : ""')
  # DigitalOcean volume names: "lowercase ... numbers, letters and "-", up to a limit of 64 characters. The name
  # must begin with a letter" (digitalocean/openapi specification/resources/volumes/models/volume_base.yml).
  [[ $name =~ ^[a-z][a-z0-9-]{0,63}$ ]] || ops_die "unexpected volume name '$name'"
  [[ $region =~ ^[a-z0-9]+$ ]] || ops_die "unexpected region '$region'"
  [[ $droplet =~ ^[0-9]+$ ]] || ops_die "the volume $name is not attached to exactly one droplet"
  [ "$(ops_volume_json "$snap" v.resource_type)" = volume ] || ops_die "'$snapshot' is not a volume snapshot"
  ops_volume_json "$snap" "(v.regions ?? []).includes('$region')" | grep -qx true || ops_die "the snapshot '$snapshot' is not in $region, where $name is"
  [ "$(ops_volume_json "$snap" v.resource_id)" = "$live_id" ] || echo "note: '$snapshot' was taken of another volume ($(ops_volume_json "$snap" v.resource_id))" >&2
  min_size=$(ops_volume_json "$snap" v.min_disk_size)
  [[ $min_size =~ ^[0-9]+$ ]] || ops_die "the snapshot has no minimum size"
  [ "$min_size" -gt "$size" ] && size=$min_size
  ip=$(doctl compute droplet get "$droplet" --format PublicIPv4 --no-header) || ops_die "doctl cannot read the droplet $droplet"
  node=""
  while IFS= read -r n; do
    [ "$(ops_get "nodes.$n.ip")" = "$ip" ] && node=$n
  done < <(ops_keys nodes)
  [ -n "$node" ] || ops_die "the droplet $droplet ($ip) holding $name is none of the app's nodes"
  stamp=$(ops_utc_stamp | tr 'TZ' 'tz')
  # The temporary volume's name, within those 64 characters: the live name cut to 39, "-restore-" and the
  # 16-character stamp (unique by the stamp).
  temporary="${name:0:$((64 - 9 - ${#stamp}))}-restore-$stamp"
  live_dev="/dev/disk/by-id/scsi-0DO_Volume_$name" temp_dev="/dev/disk/by-id/scsi-0DO_Volume_$temporary" temp_mount="/mnt/restore-$temporary"

  ops_confirm "Replace the files on $OPS_APP's volume $name (node $node, stack $OPS_STACK) with the snapshot '$snapshot' (the app stops meanwhile)?"

  temp_id=$(doctl compute volume create "$temporary" --snapshot "$snapshot" --size "${size}GiB" --desc "ops:restore of $snapshot into $name" --format ID --no-header) || ops_die "creating the temporary volume failed; nothing changed"
  [[ $temp_id =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || ops_die "unexpected volume ID '$temp_id' (delete the volume $temporary by hand)"

  # From here, on any exit: undo the temporary volume, then start what was stopped (unless the copy failed).
  OPS_VOLUME_STOPPED=()
  OPS_VOLUME_STAGE=created
  ops_volume_cleanup() {
    local status=$? c
    trap - EXIT
    if [ "$OPS_VOLUME_STAGE" = attached ] || [ "$OPS_VOLUME_STAGE" = copying ]; then
      ops_ssh "$node" -- sh -c "$OPS_VOLUME_UNMOUNT_SCRIPT" "$temp_dev" || true
    fi
    if [ "$OPS_VOLUME_STAGE" != created ]; then
      ops_volume_action detach "$temp_id" "$droplet" || echo "could not detach $temporary: doctl compute volume-action detach $temp_id $droplet --wait" >&2
    fi
    doctl compute volume delete "$temp_id" --force || echo "could not delete $temporary: doctl compute volume delete $temp_id --force" >&2
    if [ "$OPS_VOLUME_STAGE" = copying ]; then
      cat >&2 <<EOF
copying the snapshot's files failed midway: $name may hold a mix of old and restored files, so the
containers that use it (${OPS_VOLUME_STOPPED[*]:-none}) and the app's writers stay STOPPED.
Either restore the rollback snapshot taken just before the copy (what the volume held):
  npm run ops:restore -- $OPS_STACK $OPS_APP --volume-snapshot ${OPS_VOLUME_BEFORE:-<the ID that doctl compute snapshot list before-restore-$name-* --resource volume prints>} --volume $key --yes
or retry: npm run ops:restore -- $OPS_STACK $OPS_APP --volume-snapshot $snapshot --volume $key --yes
To start them on the mixed data anyway: npm run ops:ssh -- $OPS_STACK $OPS_APP $node docker start <container>
EOF
      exit 1
    fi
    for c in "${OPS_VOLUME_STOPPED[@]}"; do
      ops_ssh "$node" -- docker start "$c" || echo "could not start $c: start it by hand" >&2
    done
    ops_writers start
    exit "$status"
  }
  trap ops_volume_cleanup EXIT

  OPS_VOLUME_STAGE=attaching
  ops_volume_action attach "$temp_id" "$droplet"
  OPS_VOLUME_STAGE=attached

  ops_writers stop
  local line
  live_mount=""
  out=$(ops_ssh "$node" -- sh -c "$OPS_VOLUME_STOP_SCRIPT" "$live_dev") || { ops_volume_stopped "$out"; ops_die "stopping the containers on $node failed"; }
  ops_volume_stopped "$out"
  while IFS= read -r line; do
    case "$line" in "mount "*) live_mount=${line#mount } ;; esac
  done <<<"$out"
  [[ $live_mount =~ ^/[A-Za-z0-9._/-]+$ ]] || ops_die "unexpected mount point '$live_mount' of $name"

  OPS_VOLUME_BEFORE=""
  before="before-restore-$name-$stamp"
  doctl compute volume snapshot "$live_id" --snapshot-name "$before" --snapshot-desc "$name before ops:restore of $snapshot" || ops_die "the rollback snapshot of $name failed; nothing changed"
  OPS_VOLUME_BEFORE=$(doctl compute snapshot list "$before" --resource volume --format ID --no-header | head -n 1)

  OPS_VOLUME_STAGE=copying
  ops_ssh "$node" -- sh -c "$OPS_VOLUME_COPY_SCRIPT" "$temp_dev" "$temp_mount" "$live_mount"
  OPS_VOLUME_STAGE=copied
  echo "restored $OPS_APP's volume $name from $snapshot (rollback snapshot: $before${OPS_VOLUME_BEFORE:+, $OPS_VOLUME_BEFORE})"
}

# ops_volume_stopped <output of the stop script>: records the containers it stopped (to start them again).
ops_volume_stopped() {
  local line
  while IFS= read -r line; do
    case "$line" in "stopped "*) OPS_VOLUME_STOPPED+=("${line#stopped }") ;; esac
  done <<<"$1"
}

# ops_volume_action <attach|detach> <volume id> <droplet id>: the action, waited for, and failing unless
# it completed (doctl's --wait returns on "errored" too).
ops_volume_action() {
  local out status
  out=$(doctl compute volume-action "$1" "$2" "$3" --wait --output json) || return 1
  status=$(ops_volume_json "$out" v.status)
  [ "$status" = completed ] || { echo "volume $1 ended $status" >&2; return 1; }
}
