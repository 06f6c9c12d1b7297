/**
 * Scheduled snapshots of a DigitalOcean block-storage volume with retention. DigitalOcean has no snapshot
 * schedule for volumes (droplet backups leave volumes out), so a small container on the node holding the
 * volume calls the API once a day: create a snapshot named `<prefix>-<UTC time>`, then delete this volume's
 * snapshots of that prefix beyond the newest `keep`. API: POST /v2/volumes/{id}/snapshots, GET the same
 * (paged), DELETE /v2/volumes/snapshots/{id} (docs.digitalocean.com, pydo volume_snapshots).
 */
import type * as pulumi from "@pulumi/pulumi";
import { TIME_OF_DAY } from "../../config/primitives";
import type { ContainerSpec } from "../docker/container-stack";

/** Arguments of {@link volumeSnapshotsContainer}. */
export interface VolumeSnapshotsArgs {
  /** Container name. */
  name: string;
  /** A pinned Python 3 image (the job uses only the standard library). */
  image: string;
  /** Volume ID (UUID). */
  volumeId: pulumi.Input<string>;
  /** DigitalOcean API token allowed to create, list and delete block-storage snapshots (a secret). */
  token: pulumi.Input<string>;
  /** Snapshot names start with this, and only such snapshots are ever deleted. */
  prefix: string;
  /** Time of day of the snapshot, `HH:MM` UTC. */
  at: string;
  /** Snapshots of this prefix kept. */
  keep: number;
}

/** The job: a loop that wakes each minute and, at `AT`, snapshots the volume and prunes old snapshots. */
export const VOLUME_SNAPSHOT_SCRIPT = `import datetime, json, os, sys, time, urllib.request
API = "https://api.digitalocean.com/v2"
VOLUME, PREFIX, AT, KEEP = os.environ["VOLUME_ID"], os.environ["SNAPSHOT_PREFIX"], os.environ["SNAPSHOT_AT"], int(os.environ["SNAPSHOT_KEEP"])

def call(method, path, body=None):
    request = urllib.request.Request(API + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + os.environ["DIGITALOCEAN_TOKEN"], "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        data = response.read()
        return json.loads(data) if data else None

def snapshot_and_prune():
    name = PREFIX + "-" + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dt%H%Mz")
    call("POST", "/volumes/%s/snapshots" % VOLUME, {"name": name})
    print("snapshot", name, flush=True)
    mine, page = [], 1
    while True:
        listing = call("GET", "/volumes/%s/snapshots?per_page=200&page=%d" % (VOLUME, page))
        mine += [s for s in listing["snapshots"] if s["name"].startswith(PREFIX + "-")]
        if not listing.get("links", {}).get("pages", {}).get("next"):
            break
        page += 1
    for old in sorted(mine, key=lambda s: s["created_at"])[:-KEEP]:
        call("DELETE", "/volumes/snapshots/%s" % old["id"])
        print("deleted", old["name"], flush=True)

while True:
    time.sleep(60 - time.time() % 60)
    if time.strftime("%H:%M", time.gmtime()) == AT:
        try:
            snapshot_and_prune()
        except Exception as error:
            print("snapshot failed; next try tomorrow:", error, file=sys.stderr, flush=True)
`;

/** The container that runs {@link VOLUME_SNAPSHOT_SCRIPT} for one volume. */
export function volumeSnapshotsContainer(args: VolumeSnapshotsArgs): ContainerSpec {
  if (!TIME_OF_DAY.test(args.at)) throw new Error(`volumeSnapshotsContainer ${args.name}: at must be HH:MM (UTC), got ${JSON.stringify(args.at)}`);
  if (!Number.isInteger(args.keep) || args.keep < 1) throw new Error(`volumeSnapshotsContainer ${args.name}: keep must be a whole number >= 1, got ${args.keep}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(args.prefix)) throw new Error(`volumeSnapshotsContainer ${args.name}: prefix must be lower-case letters, digits and '-'`);
  return {
    name: args.name,
    image: args.image,
    command: ["python", "-c", VOLUME_SNAPSHOT_SCRIPT],
    env: { VOLUME_ID: args.volumeId, DIGITALOCEAN_TOKEN: args.token, SNAPSHOT_PREFIX: args.prefix, SNAPSHOT_AT: args.at, SNAPSHOT_KEEP: String(args.keep) },
    memoryMiB: 64,
  };
}
