/**
 * The ops scripts against every app's real `ops` output (rendered for production), with stub `pulumi`,
 * `ssh`, `docker` and `aws` on PATH that record their arguments. The ssh and SSM stubs run the remote
 * command line with a real `sh`, as the remote shell would, so any argument a remote shell could
 * re-parse shows up as a wrong argument list (or as a file the injection created).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { projectRoot, type RenderResult } from "../../tools/render/harness";
import { renderOnce, runTool } from "../support";

const root = projectRoot();
const opsDir = join(root, "tools", "ops");
const stubDir = join(root, "tests", "ops", "stubs");
const APPS = ["nmpi", "topobank", "ramascene", "aquamark", "grand-central"] as const;
type App = (typeof APPS)[number];

let plan: RenderResult;
let outputsDir: string;
before(async () => {
  plan = await renderOnce("production");
  outputsDir = mkdtempSync(join(tmpdir(), "ops-outputs-"));
  for (const app of APPS) writeFileSync(join(outputsDir, `${app}.json`), JSON.stringify(plan.outputs[app]));
});

interface Ops {
  nodes?: Record<string, { ip: string; knownHostsLine: string }>;
  manage: Record<string, { on: string; container: string }>;
  region?: string;
  writers: { containers?: { on: string; container: string }[]; autoScalingGroups?: string[] };
}
function opsOf(app: App): Ops {
  return (plan.outputs[app] as { ops: Ops }).ops;
}

/** Arguments no remote shell may re-parse: each must arrive as one argument, byte for byte. */
function hostile(dir: string): string[] {
  const marker = join(dir, "pwned");
  return [`x; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, "it's", 'say "hi"', "two words", "line\nbreak", "*", "--yes", "$HOME", "a\\b", ""];
}

interface Run {
  status: number;
  output: string;
  calls: string[][];
  dir: string;
}

function run(script: string, args: string[], env: Record<string, string> = {}, dir = mkdtempSync(join(tmpdir(), "ops-run-"))): Run {
  const log = join(dir, "calls.jsonl");
  writeFileSync(log, "");
  const result = spawnSync("bash", [join(opsDir, script), ...args], {
    encoding: "utf8",
    input: "",
    env: { ...process.env, PATH: `${stubDir}:${process.env.PATH}`, OPS_STUB_LOG: log, OPS_STUB_DIR: dir, OPS_STUB_OUTPUTS: outputsDir, ...env },
  });
  const calls: string[][] = [];
  let call: string[] = [];
  for (const word of readFileSync(log, "utf8").split("\0").slice(0, -1)) {
    if (word === "\u001e") {
      calls.push(call);
      call = [];
    } else call.push(word);
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`, calls, dir };
}

const byTool = (r: Run, tool: string) => r.calls.filter((c) => c[0] === tool).map((c) => c.slice(1));

test("every ops script and test stub passes shellcheck", () => {
  const scripts = readdirSync(opsDir).filter((f) => f.endsWith(".sh")).map((f) => join(opsDir, f));
  assert.deepEqual(scripts.map((s) => s.slice(opsDir.length + 1)).sort(), ["dump.sh", "handover.sh", "lib.sh", "logs.sh", "manage.sh", "restore-rds.sh", "restore-volume.sh", "restore.sh", "ssh.sh", "tunnel.sh"]);
  const stubs = ["aws", "docker", "doctl", "pulumi", "record.sh", "ssh"].map((f) => join(stubDir, f));
  const { status, output } = runTool("shellcheck", ["-x", "-P", "SCRIPTDIR", ...scripts, ...stubs]);
  assert.equal(status, 0, output);
});

test("the node scripts of the volume restore pass shellcheck as POSIX sh (they run under the node's sh -c)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-node-scripts-"));
  const files = ["OPS_VOLUME_STOP_SCRIPT", "OPS_VOLUME_COPY_SCRIPT", "OPS_VOLUME_UNMOUNT_SCRIPT"].map((name) => {
    const r = spawnSync("bash", ["-c", `. "$0"; printf '%s' "$${name}"`, join(opsDir, "restore-volume.sh")], { encoding: "utf8" });
    assert.ok(r.stdout.startsWith("# ops:volume-"), name);
    const file = join(dir, `${name}.sh`);
    writeFileSync(file, r.stdout);
    return file;
  });
  const { status, output } = runTool("shellcheck", ["-s", "sh", ...files]);
  assert.equal(status, 0, output);
});

test("outputs are read with --show-secrets from the named stack, one app at a time", () => {
  const r = run("ssh.sh", ["production", "topobank", "node", "true"]);
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(byTool(r, "pulumi")[0], ["stack", "output", "--stack", "production", "--json", "--show-secrets", "topobank"]);
});

for (const app of ["nmpi", "topobank", "ramascene"] as const) {
  test(`${app}: ssh trusts exactly the node's generated host key and passes hostile arguments through unchanged`, () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
    const words = hostile(dir);
    const node = Object.keys(opsOf(app).nodes ?? {})[0];
    const r = run("ssh.sh", ["production", app, node, "docker", "inspect", ...words], {}, dir);
    assert.equal(r.status, 0, r.output);
    const [sshArgs] = byTool(r, "ssh");
    assert.ok(sshArgs.includes("StrictHostKeyChecking=yes"), sshArgs.join(" "));
    assert.equal(sshArgs.at(-2), `root@${opsOf(app).nodes?.[node].ip}`);
    assert.deepEqual(byTool(r, "known_hosts"), [[opsOf(app).nodes?.[node].knownHostsLine]]);
    assert.deepEqual(byTool(r, "docker"), [["inspect", ...words]]);
    assert.equal(existsSync(join(dir, "pwned")), false, "an argument ran as a command");
  });

  test(`${app}: manage runs the management command in the live colour's container, or the named colour's`, () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
    const words = hostile(dir);
    const live = run("manage.sh", ["production", app, "--", "createsuperuser", ...words], {}, dir);
    assert.equal(live.status, 0, live.output);
    assert.deepEqual(byTool(live, "docker"), [["exec", opsOf(app).manage.blue.container, "python", "manage.py", "createsuperuser", ...words]]);
    assert.equal(existsSync(join(dir, "pwned")), false, "an argument ran as a command");
    const green = run("manage.sh", ["production", app, "--colour", "green", "--", "migrate"]);
    assert.deepEqual(byTool(green, "docker"), [["exec", opsOf(app).manage.green.container, "python", "manage.py", "migrate"]]);
  });

  test(`${app}: logs pass only validated options to docker logs`, () => {
    const service = opsOf(app).manage.blue.container;
    const r = run("logs.sh", ["production", app, service, "--since", "2h", "--follow"]);
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(byTool(r, "docker"), [["logs", "--since", "2h", "--follow", service]]);
    const bad = run("logs.sh", ["production", app, service, "--since", "1h; id"]);
    assert.equal(bad.status, 64);
    assert.deepEqual(byTool(bad, "ssh"), []);
  });

  test(`${app}: restore refuses without --yes and without a terminal, before touching any node`, () => {
    const r = run("restore.sh", ["production", app, "manual-20261125T000000Z.dump"]);
    assert.equal(r.status, 64, r.output);
    assert.deepEqual(byTool(r, "ssh"), []);
  });

  test(`${app}: restore stops every writer first and starts them again even when the restore fails`, () => {
    const writers = (opsOf(app).writers.containers ?? []).map((w) => w.container);
    assert.ok(writers.length > 0);
    const r = run("restore.sh", ["production", app, "manual-20261125T000000Z.dump", "--yes"], { OPS_STUB_FAIL: app === "ramascene" ? "never" : "pg_restore" });
    const docker = byTool(r, "docker");
    const stops = docker.filter((c) => c[0] === "stop").map((c) => c[1]);
    const starts = docker.filter((c) => c[0] === "start").map((c) => c[1]);
    assert.deepEqual(stops, writers);
    assert.deepEqual(starts, writers);
    const restoreAt = r.calls.findIndex((c) => (c[0] === "docker" && c[1] === "exec") || (c[0] === "ssh" && c.at(-1)?.includes("python3")));
    const lastStop = r.calls.map((c) => c[0] === "docker" && c[1] === "stop").lastIndexOf(true);
    const firstStart = r.calls.findIndex((c) => c[0] === "docker" && c[1] === "start");
    assert.ok(lastStop < restoreAt && restoreAt < firstStart, "writers stopped before the restore and started after it");
    if (app !== "ramascene") assert.notEqual(r.status, 0, "a failed pg_restore fails the command");
  });
}

test("dump of a Postgres container writes pg_dump -Fc of the app's database to the volume and prints its name", () => {
  const r = run("dump.sh", ["production", "topobank", "pre-upgrade"]);
  assert.equal(r.status, 0, r.output);
  const [call] = byTool(r, "docker");
  assert.deepEqual(call.slice(0, 3), ["exec", "postgres", "sh"]);
  assert.match(call[4], /pg_dump -Fc/);
  assert.deepEqual(call.slice(5, 7), ["/var/lib/postgresql/data/dumps", "topobank"]);
  assert.match(call[7], /^pre-upgrade-\d{8}T\d{6}Z\.dump$/);
  assert.match(r.output, /pre-upgrade-\d{8}T\d{6}Z\.dump/);
  assert.equal(run("dump.sh", ["production", "topobank", "x; id"]).status, 64, "a label is validated");
});

test("restore --offsite restores the bucket's newest or a named dump with the backup container's own restore, writers stopped", () => {
  const nmpi = run("restore.sh", ["production", "nmpi", "--offsite=2026-11-25T03:17:00", "--yes"]);
  assert.equal(nmpi.status, 0, nmpi.output);
  const docker = byTool(nmpi, "docker");
  assert.deepEqual(docker.find((c) => c[0] === "exec"), ["exec", "nmpi-db-backup", "sh", "restore.sh", "2026-11-25T03:17:00"]);
  assert.ok(docker.findIndex((c) => c[0] === "exec") > docker.findIndex((c) => c[0] === "stop"));
  assert.equal(docker.filter((c) => c[0] === "start").length, 4, "both colours' services start again");
  const topobank = run("restore.sh", ["production", "topobank", "--offsite", "--yes"]);
  assert.deepEqual(byTool(topobank, "docker").find((c) => c[0] === "exec"), ["exec", "dbbackup", "sh", "restore.sh"]);
  const named = run("restore.sh", ["production", "topobank", "--offsite=2026-11-25T03:17:00", "--yes"]);
  assert.deepEqual(byTool(named, "docker").find((c) => c[0] === "exec"), ["exec", "dbbackup", "sh", "restore.sh", "2026-11-25T03:17:00"]);
  assert.equal(run("restore.sh", ["production", "nmpi", "--offsite=$(id)", "--yes"]).status, 64);
});

test("dump and restore refuse a name that is not a plain file name, before any call", () => {
  for (const name of ["../etc/passwd", "a;b", "-rf"]) {
    const r = run("restore.sh", ["production", "nmpi", name, "--yes"]);
    assert.equal(r.status, 64, name);
    assert.deepEqual(r.calls, [], name);
  }
});

test("handover streams the old host's dump, with that host's key pinned, into the new database's pg_restore", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
  const known = join(dir, "old_known_hosts");
  writeFileSync(known, "old.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldHostKeyOldHostKeyOldHostKeyOldHostKey\n");
  const words = hostile(dir);
  const r = run("handover.sh", ["production", "topobank", "--from", "topobank@old.example.org", "--known-hosts", known, "--yes", "--", "docker", "exec", "old_postgres_1", "pg_dump", "-Fc", ...words], {}, dir);
  assert.equal(r.status, 0, r.output);
  const old = byTool(r, "ssh").find((c) => c.includes("topobank@old.example.org")) ?? [];
  assert.ok(old.includes(`UserKnownHostsFile=${known}`) && old.includes("StrictHostKeyChecking=yes"));
  assert.equal(old.at(-2), "topobank@old.example.org");
  const docker = byTool(r, "docker");
  assert.deepEqual(docker.find((c) => c.includes("old_postgres_1")), ["exec", "old_postgres_1", "pg_dump", "-Fc", ...words]);
  const into = docker.find((c) => c[1] === "-i");
  assert.deepEqual(into?.slice(0, 4), ["exec", "-i", "postgres", "sh"]);
  assert.match(into?.[5] ?? "", /pg_restore --clean/);
  assert.deepEqual(byTool(r, "stdin"), [["payload of docker pg_dump"]]);
  assert.equal(existsSync(join(dir, "pwned")), false);
});

test("handover refuses apps whose data is adopted in place (RDS, the CouchDB volume)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
  const known = join(dir, "k");
  writeFileSync(known, "h ssh-ed25519 AAAA\n");
  for (const app of ["aquamark", "grand-central"]) {
    const r = run("handover.sh", ["production", app, "--from", "ec2-user@old", "--known-hosts", known, "--yes", "--", "true"]);
    assert.equal(r.status, 64, r.output);
    assert.match(r.output, /import/);
  }
});

test("aquamark: manage runs through SSM on an in-service instance of the colour's group, hostile arguments intact", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
  const words = hostile(dir);
  const r = run("manage.sh", ["production", "aquamark", "--colour", "green", "--", "alembic", "current", ...words], {}, dir);
  assert.equal(r.status, 0, r.output);
  const aws = byTool(r, "aws");
  const describe = aws.find((c) => c[1] === "describe-auto-scaling-groups");
  assert.ok(describe?.includes(opsOf("aquamark").manage.green.on));
  const send = aws.find((c) => c[1] === "send-command");
  assert.ok(send?.includes("AWS-RunShellScript") && send.includes("i-0123456789abcdef0"));
  assert.deepEqual(byTool(r, "docker").at(-1), ["exec", "aquamark", "alembic", "current", ...words]);
  assert.equal(existsSync(join(dir, "pwned")), false);
});

test("grand-central: manage finds the ECS container by its label and execs in it", () => {
  const r = run("manage.sh", ["production", "grand-central", "--", "node", "-e", "console.log(1)"]);
  assert.equal(r.status, 0, r.output);
  const docker = byTool(r, "docker");
  assert.deepEqual(docker[0], ["ps", "-q", "--filter", "label=com.amazonaws.ecs.container-name=grand-central"]);
  assert.deepEqual(docker.at(-1)?.slice(2), ["node", "-e", "console.log(1)"]);
});

test("aquamark and grand-central: logs tail the CloudWatch group", () => {
  const r = run("logs.sh", ["production", "aquamark", "recalculate", "--since", "30m"]);
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(byTool(r, "aws"), [["logs", "tail", "/aquamark/production/recalculate", "--region", "eu-central-1", "--since", "30m"]]);
  const g = run("logs.sh", ["production", "grand-central", "grand-central", "--follow"]);
  assert.equal(byTool(g, "aws")[0][1], "tail");
  assert.ok(byTool(g, "aws")[0].includes("--follow"));
});

test("aquamark: a dump is a manual RDS snapshot, and a restore scales every group to 0 and back", () => {
  const dump = run("dump.sh", ["production", "aquamark"]);
  assert.equal(dump.status, 0, dump.output);
  const create = byTool(dump, "aws").find((c) => c[1] === "create-db-snapshot");
  assert.ok(create?.includes("aquamark-production-db"));
  assert.ok(byTool(dump, "aws").some((c) => c[1] === "wait" && c[2] === "db-snapshot-available"));
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"]);
  assert.equal(r.status, 0, r.output);
  const aws = byTool(r, "aws");
  const updates = aws.filter((c) => c[1] === "update-auto-scaling-group");
  const groups = opsOf("aquamark").writers.autoScalingGroups ?? [];
  assert.equal(updates.length, groups.length * 2);
  for (const g of groups) {
    const mine = updates.filter((c) => c.includes(g));
    assert.deepEqual(mine.map((c) => c.slice(-4)), [["--min-size", "0", "--desired-capacity", "0"], ["--min-size", "2", "--desired-capacity", "3"]]);
  }
  const restoreAt = aws.findIndex((c) => c[1] === "restore-db-instance-from-db-snapshot");
  assert.ok(restoreAt > aws.findIndex((c) => c[1] === "update-auto-scaling-group"));
});

test("grand-central: a restore stops the ECS service, copies the snapshot's files over the volume's, and starts it", () => {
  const r = run("restore.sh", ["production", "grand-central", "snap-0123456789abcdef0", "--yes"], { OPS_STUB_SSM_STATUS: "Success" });
  assert.equal(r.status, 0, r.output);
  const [line] = byTool(r, "ssm-line");
  assert.match(line[0], /rsync -a --delete \/mnt\/restore\/data\/ "\$1\/"/);
  assert.match(line[0], /' 'vol-0fedcba9876543210' '\/opt\/couchdb\/data'$/);
  const aws = byTool(r, "aws").map((c) => `${c[0]} ${c[1]}`);
  const order = ["ecs update-service", "ec2 create-volume", "ec2 attach-volume", "ssm send-command", "ec2 detach-volume", "ec2 delete-volume", "ecs update-service"];
  let at = -1;
  for (const step of order) {
    const next = aws.indexOf(step, at + 1);
    assert.ok(next > at, `${step} after step ${at}: ${aws.join(", ")}`);
    at = next;
  }
  const updates = byTool(r, "aws").filter((c) => c[1] === "update-service").map((c) => c.slice(-1)[0]);
  assert.deepEqual(updates, ["0", "1"]);
});

test("grand-central: a failed copy still detaches and deletes the temporary volume, restarts the service, and fails", () => {
  const r = run("restore.sh", ["production", "grand-central", "snap-0123456789abcdef0", "--yes"], { OPS_STUB_SSM_STATUS: "Failed" });
  assert.notEqual(r.status, 0);
  const aws = byTool(r, "aws").map((c) => `${c[0]} ${c[1]}`);
  assert.ok(aws.includes("ec2 detach-volume") && aws.includes("ec2 delete-volume"), aws.join(", "));
  assert.equal(aws.at(-1), "ecs update-service");
});

test("grand-central: ops:tunnel forwards Fauxton's port from an in-service instance through Session Manager; bad services and ports are refused", () => {
  const r = run("tunnel.sh", ["production", "grand-central", "fauxton", "15984"]);
  assert.equal(r.status, 0, r.output);
  const aws = byTool(r, "aws");
  assert.ok(aws[0]?.includes("describe-auto-scaling-groups") && aws[0].includes(opsOf("grand-central").manage.live.on), JSON.stringify(aws));
  assert.deepEqual(aws[1], [
    "ssm", "start-session", "--region", String(opsOf("grand-central").region), "--target", "i-0123456789abcdef0",
    "--document-name", "AWS-StartPortForwardingSession", "--parameters", '{"portNumber":["5984"],"localPortNumber":["15984"]}',
  ]);
  assert.match(r.output, /http:\/\/127\.0\.0\.1:15984\/_utils\//);
  const defaulted = run("tunnel.sh", ["production", "grand-central", "fauxton"]);
  assert.equal(flag(byTool(defaulted, "aws")[1], "--parameters"), '{"portNumber":["5984"],"localPortNumber":["5984"]}');
  for (const args of [["production", "grand-central", "fauxton", "80"], ["production", "grand-central", "fauxton", "1;id"], ["production", "grand-central", "Faux ton"]]) {
    const bad = run("tunnel.sh", args);
    assert.equal(bad.status, 64, bad.output);
    assert.deepEqual(byTool(bad, "aws"), [], args.join(" "));
  }
  const missing = run("tunnel.sh", ["production", "grand-central", "flower"]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.output, /no tunnel 'flower' \(it has: fauxton/);
  assert.deepEqual(byTool(missing, "aws"), []);
});

test("unknown apps and stacks with shell characters are refused before pulumi runs", () => {
  for (const args of [["production", "evil;id", "node"], ["prod;id", "nmpi", "db"]]) {
    const r = run("ssh.sh", args);
    assert.equal(r.status, 64, r.output);
    assert.deepEqual(r.calls, []);
  }
});

test("every script prints its usage and exits 64 when arguments are missing", () => {
  for (const script of ["ssh.sh", "logs.sh", "manage.sh", "dump.sh", "restore.sh", "handover.sh", "tunnel.sh"]) {
    const r = run(script, []);
    assert.equal(r.status, 64, script);
    assert.match(r.output, /usage:/, script);
  }
});

// ---------------------------------------------------------------------------------------------------------
// RDS restore (aquamark): the snapshot restored into a temporary instance with the live one's settings,
// then swapped in under the live identifier; the Pulumi state follows the restored instance.

const AQUAMARK_SNAPSHOT = "aquamark-production-db-manual-20261125t000000z";

function stateWithInstance(dir: string, identifier: string): string {
  const file = join(dir, "state.json");
  const resources = [
    { urn: "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production", type: "pulumi:pulumi:Stack" },
    {
      urn: "urn:pulumi:production::platform::platform:app:Aquamark$platform:aws:Postgres$aws:rds/instance:Instance::aquamark-production-db",
      type: "aws:rds/instance:Instance",
      id: "db-OLDOLDOLDOLDOLDOLDOLDOLD1",
      outputs: { identifier, resourceId: "db-OLDOLDOLDOLDOLDOLDOLDOLD1", address: `${identifier}.abcdefghijkl.eu-central-1.rds.amazonaws.com` },
    },
  ];
  writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
  return file;
}

/** `statuses`: the statuses an instance goes through (see tests/ops/stubs/aws), by identifier. */
function rdsRun(args: string[], env: Record<string, string> = {}, statuses: Record<string, string[]> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
  for (const [id, list] of Object.entries(statuses)) writeFileSync(join(dir, `rds-${id}`), list.map((s) => `${s}\n`).join(""));
  return run("restore.sh", ["production", "aquamark", ...args], { OPS_STUB_STATE: stateWithInstance(dir, "aquamark-production-db"), OPS_RDS_POLL_SECONDS: "0", ...env }, dir);
}

/** The aws calls as `<service> <operation>[ <waiter>]`, for order checks. */
const awsSteps = (r: Run) => byTool(r, "aws").map((c) => (c[1] === "wait" ? `${c[0]} wait ${c[2]}` : `${c[0]} ${c[1]}`));
const flag = (call: string[] | undefined, name: string) => (call && call.includes(name) ? call[call.indexOf(name) + 1] : undefined);

test("aquamark: a restore swaps the restored instance in under the live identifier, writers stopped throughout, and points the Pulumi state at it", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"]);
  assert.equal(r.status, 0, r.output);
  const aws = byTool(r, "aws");
  const renames = aws.filter((c) => c[1] === "modify-db-instance" && c.includes("--new-db-instance-identifier"));
  const temporary = /^aquamark-production-db-restored-\d{8}t\d{6}z$/;
  const kept = /^aquamark-production-db-before-restore-\d{8}t\d{6}z$/;
  assert.equal(renames.length, 2);
  assert.equal(flag(renames[0], "--db-instance-identifier"), "aquamark-production-db");
  assert.match(flag(renames[0], "--new-db-instance-identifier") ?? "", kept);
  assert.ok(renames[0].includes("--deletion-protection") && renames[0].includes("--apply-immediately"), "the kept instance is protected, now");
  assert.match(flag(renames[1], "--db-instance-identifier") ?? "", temporary);
  assert.equal(flag(renames[1], "--new-db-instance-identifier"), "aquamark-production-db");
  assert.ok(renames[1].includes("--apply-immediately"));

  const [restore, modify] = byTool(r, "cli-input").map((c) => JSON.parse(c[0]) as Record<string, unknown>);
  assert.match(String(restore.DBInstanceIdentifier), temporary);
  assert.deepEqual(
    { ...restore, DBInstanceIdentifier: "tmp" },
    {
      DBInstanceIdentifier: "tmp",
      DBSnapshotIdentifier: AQUAMARK_SNAPSHOT,
      DBInstanceClass: "db.t4g.small",
      DBSubnetGroupName: "aquamark-production-db",
      VpcSecurityGroupIds: ["sg-0aaa", "sg-0bbb"],
      DBParameterGroupName: "aquamark-production-db-pg",
      OptionGroupName: "default:postgres-16",
      Port: 5432,
      MultiAZ: true,
      PubliclyAccessible: false,
      StorageType: "gp3",
      AllocatedStorage: 30,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      AutoMinorVersionUpgrade: true,
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: "02:00-02:30",
      EnableIAMDatabaseAuthentication: false,
      CACertificateIdentifier: "rds-ca-rsa2048-g1",
      NetworkType: "IPV4",
      Tags: [{ Key: "app", Value: "aquamark" }, { Key: "stack", Value: "production" }],
    },
    "every setting of the live instance, read at restore time (gp3 under 400 GiB: no IOPS/throughput)",
  );
  assert.equal(modify.DBInstanceIdentifier, restore.DBInstanceIdentifier);
  assert.deepEqual({ ...modify, DBInstanceIdentifier: "tmp" }, { DBInstanceIdentifier: "tmp", ApplyImmediately: true, PreferredMaintenanceWindow: "sun:04:00-sun:04:30", MaxAllocatedStorage: 100, MonitoringInterval: 0, EnablePerformanceInsights: false });

  // Order: writers to 0; restore; wait; rename live away; rename restored in; writers back.
  const steps = awsSteps(r);
  const order = ["autoscaling update-auto-scaling-group", "rds restore-db-instance-from-db-snapshot", "rds describe-db-instances", "rds modify-db-instance", "rds describe-db-instances", "rds modify-db-instance", "rds describe-db-instances", "rds modify-db-instance", "rds describe-db-instances", "rds stop-db-instance", "autoscaling update-auto-scaling-group"];
  let at = -1;
  for (const step of order) {
    const next = steps.indexOf(step, at + 1);
    assert.ok(next > at, `${step} after step ${at}: ${steps.join(", ")}`);
    at = next;
  }
  const groups = opsOf("aquamark").writers.autoScalingGroups ?? [];
  const scaled = aws.map((c, i) => ({ c, i })).filter(({ c }) => c[1] === "update-auto-scaling-group");
  const lastDown = Math.max(...scaled.filter(({ c }) => c.at(-1) === "0").map(({ i }) => i));
  const firstUp = Math.min(...scaled.filter(({ c }) => c.at(-1) !== "0").map(({ i }) => i));
  const restoreAt = aws.findIndex((c) => c[1] === "restore-db-instance-from-db-snapshot");
  const lastRename = aws.lastIndexOf(renames[1]);
  assert.equal(scaled.length, groups.length * 2);
  assert.ok(lastDown < restoreAt && lastRename < firstUp, "every group is at 0 from before the restore until after the swap");

  // The state: the resource with the live identifier now has the restored instance's DbiResourceId.
  const [imported] = byTool(r, "state-import");
  const state = JSON.parse(imported[0]) as { deployment: { resources: { type: string; id?: string; outputs?: { resourceId?: string } }[] } };
  const instance = state.deployment.resources.find((x) => x.type === "aws:rds/instance:Instance");
  assert.equal(instance?.id, "db-RESTOREDRESTOREDRESTORED1");
  assert.equal(instance?.outputs?.resourceId, "db-RESTOREDRESTOREDRESTORED1");
  assert.deepEqual(byTool(r, "pulumi").map((c) => c.slice(0, 2).join(" ")), ["stack output", "stack export", "stack import"]);
  assert.match(r.output, /pulumi refresh --stack production --target/);
  assert.match(r.output, /--discard-before aquamark-production-db-before-restore-\d{8}t\d{6}z/);
  assert.match(r.output, /pulumi up --stack production/, "the app role setup re-runs on the restored data");

  // The kept instance is stopped once the swap is done, so no client with a stale DNS answer writes to it.
  const stop = aws.find((c) => c[1] === "stop-db-instance");
  assert.equal(flag(stop, "--db-instance-identifier"), flag(renames[0], "--new-db-instance-identifier"));
  assert.ok(aws.indexOf(stop ?? []) > lastRename);
  assert.match(r.output, /stopped/);
  assert.match(r.output, /7 days/);
  assert.match(r.output, /aws rds start-db-instance --region eu-central-1 --db-instance-identifier aquamark-production-db-before-restore-/);
});

test("aquamark: each rename waits until the instance reads available with no pending modification (a modify applied immediately reads available before modifying)", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_RDS_SETTLING: "available+pending modifying modifying" });
  assert.equal(r.status, 0, r.output);
  const renames = byTool(r, "aws").filter((c) => c[1] === "modify-db-instance" && c.includes("--new-db-instance-identifier"));
  assert.equal(renames.length, 2, "no rollback rename");
  assert.doesNotMatch(r.output, /InvalidDBInstanceState|rolled back/);
});

test("aquamark: a renamed instance not found yet under its new identifier is polled on; any other describe error ends the wait at once", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_RDS_SETTLING: "notfound notfound renaming" });
  assert.equal(r.status, 0, r.output);
  const failing = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_FAIL: "describe-db-instances --region eu-central-1 --db-instance-identifier aquamark-production-db-restored-" });
  assert.notEqual(failing.status, 0);
  assert.equal(byTool(failing, "aws").filter((c) => c[1] === "describe-db-instances" && /-restored-/.test(flag(c, "--db-instance-identifier") ?? "")).length, 1);
  assert.match(failing.output, /stub failure/);
});

test("aquamark: a restore that outlasts the AWS waiter's checks is waited for; at the cap the message says it may still be restoring", () => {
  // The stub's waiter gives up after 3 checks here (botocore's after 60, 30 s apart: 30 minutes).
  const long = Array.from({ length: 6 }, () => "creating").join(" ");
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_RDS_RESTORING: long, OPS_STUB_RDS_WAITER_ATTEMPTS: "3" });
  assert.equal(r.status, 0, r.output);
  const capped = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_RDS_RESTORING: long, OPS_RDS_WAIT_ATTEMPTS: "4" });
  assert.notEqual(capped.status, 0);
  assert.equal(byTool(capped, "aws").filter((c) => c.includes("--new-db-instance-identifier")).length, 0, "nothing renamed");
  const polls = byTool(capped, "aws").filter((c) => c[1] === "describe-db-instances" && /-restored-/.test(flag(c, "--db-instance-identifier") ?? ""));
  assert.equal(polls.length, 4, "polled up to the cap");
  assert.match(capped.output, /may still be restoring/);
  assert.match(capped.output, /last: creating/);
});

test("aquamark: a snapshot of another major engine version is refused before any writer stops", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_SNAPSHOT_ENGINE_VERSION: "15.7" });
  assert.notEqual(r.status, 0);
  assert.match(r.output, /postgres 15\.7.*major version 15.*16\.8/s);
  assert.deepEqual(byTool(r, "aws").filter((c) => c[1] !== "describe-db-instances" && c[1] !== "describe-db-snapshots"), [], "nothing scaled, nothing restored");
  const minor = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_SNAPSHOT_ENGINE_VERSION: "16.2" });
  assert.equal(minor.status, 0, minor.output);
});

test("aquamark: a failure to stop the kept instance is a warning, not a failed restore", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_FAIL: "stop-db-instance" });
  assert.equal(r.status, 0, r.output);
  assert.equal(byTool(r, "state-import").length, 1);
  assert.match(r.output, /could not stop aquamark-production-db-before-restore-\d{8}t\d{6}z/);
});

test("aquamark: when the restored instance never becomes available, the live instance is never renamed, the groups scale back, and the output says how to remove the copy", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_RDS_RESTORING: "creating incompatible-restore" });
  assert.notEqual(r.status, 0);
  const aws = byTool(r, "aws");
  assert.equal(aws.filter((c) => c.includes("--new-db-instance-identifier")).length, 0, "nothing renamed");
  assert.equal(byTool(r, "state-import").length, 0);
  const ups = aws.filter((c) => c[1] === "update-auto-scaling-group" && c.at(-1) !== "0");
  assert.equal(ups.length, (opsOf("aquamark").writers.autoScalingGroups ?? []).length, "every group scaled back");
  assert.ok(aws.indexOf(ups[0]) > aws.findIndex((c) => c[1] === "restore-db-instance-from-db-snapshot"));
  assert.match(r.output, /incompatible-restore/);
  assert.match(r.output, /nothing changed: the live instance aquamark-production-db still serves/);
  assert.match(r.output, /aws rds delete-db-instance --region eu-central-1 --db-instance-identifier aquamark-production-db-restored-\d{8}t\d{6}z --skip-final-snapshot/);
});

test("aquamark: when the restored instance cannot take the live identifier, the kept instance is renamed back and the groups scale back", () => {
  const r = rdsRun([AQUAMARK_SNAPSHOT, "--yes"], { OPS_STUB_FAIL: "--db-instance-identifier aquamark-production-db-restored-[0-9t]+z --new-db-instance-identifier" });
  assert.notEqual(r.status, 0);
  const renames = byTool(r, "aws").filter((c) => c.includes("--new-db-instance-identifier"));
  assert.equal(renames.length, 3);
  assert.match(flag(renames[2], "--db-instance-identifier") ?? "", /before-restore/);
  assert.equal(flag(renames[2], "--new-db-instance-identifier"), "aquamark-production-db");
  assert.equal(byTool(r, "state-import").length, 0, "the state is left alone");
  assert.match(r.output, /rolled back: aquamark-production-db holds the data it held/);
  assert.equal(awsSteps(r).at(-1), "autoscaling update-auto-scaling-group");
});

test("aquamark: --discard-before deletes only an instance a restore kept (started first if stopped), with a final snapshot, keeping its automated backups", () => {
  const kept = "aquamark-production-db-before-restore-20261125t203000z";
  const r = rdsRun(["--discard-before", kept, "--yes"], { OPS_STUB_RDS_SETTLING: "available+pending modifying" }, { [kept]: ["stopped"] });
  assert.equal(r.status, 0, r.output);
  const del = byTool(r, "aws").find((c) => c[1] === "delete-db-instance");
  assert.equal(flag(del, "--db-instance-identifier"), kept);
  assert.equal(flag(del, "--final-db-snapshot-identifier"), `${kept}-final`);
  assert.ok(del?.includes("--no-delete-automated-backups"), "DeleteDBInstance deletes the automated backups unless told not to");
  assert.match(r.output, /automated backups .*retention period/);
  const steps = awsSteps(r);
  assert.ok(steps.indexOf("rds start-db-instance") < steps.indexOf("rds modify-db-instance"), steps.join(", "));
  assert.ok(byTool(r, "aws").find((c) => c[1] === "modify-db-instance")?.includes("--no-deletion-protection"));
  for (const other of ["aquamark-production-db", "aquamark-production-db-before-restore-x", "other-db-before-restore-20261125t203000z"]) {
    const refused = rdsRun(["--discard-before", other, "--yes"]);
    assert.equal(refused.status, 64, other);
    assert.deepEqual(byTool(refused, "aws"), [], other);
  }
});

// ---------------------------------------------------------------------------------------------------------
// DigitalOcean volume restore: a volume made from the snapshot, attached beside the live one, synced over it.

const SNAPSHOT_ID = "5a5a5a5a-0000-4000-8000-000000000001";
const TEMP_VOLUME_ID = "7c7c7c7c-0000-4000-8000-00000000000c";
const VOLUME_APPS = [
  { app: "nmpi", key: "db", node: "db", volumeName: "nmpi-production-db-data", using: ["nmpi-db"] },
  { app: "topobank", key: "data", node: "node", volumeName: "topobank-production-node-data", using: ["postgres"] },
  { app: "ramascene", key: "data", node: "node", volumeName: "ramascene-production-node-data", using: ["daphne-blue", "daphne-green"] },
] as const;

function volumeEnv(app: App, key: string, node: string, volumeName: string, using: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
  const ops = plan.outputs[app] as { ops: Ops & { volumes: Record<string, string> } };
  return {
    OPS_STUB_VOLUME_ID: ops.ops.volumes[key],
    OPS_STUB_VOLUME_NAME: volumeName,
    OPS_STUB_DROPLET_IP: ops.ops.nodes?.[node].ip ?? "",
    OPS_STUB_REMOTE_volume_stop_OUT: [`mount /mnt/${app}-data`, ...using.map((c) => `stopped ${c}`)].join("\n"),
    ...extra,
  };
}

for (const { app, key, node, volumeName, using } of VOLUME_APPS) {
  test(`${app}: a volume snapshot restore copies a volume made from it over the live volume, with everything that uses it stopped`, () => {
    const r = run("restore.sh", ["production", app, "--volume-snapshot", SNAPSHOT_ID, "--yes"], volumeEnv(app, key, node, volumeName, using));
    assert.equal(r.status, 0, r.output);
    const doctl = byTool(r, "doctl");
    const create = doctl.find((c) => c[1] === "volume" && c[2] === "create");
    assert.match(create?.[3] ?? "", new RegExp(`^${volumeName}-restore-\\d{8}t\\d{6}z$`));
    assert.equal(flag(create, "--snapshot"), SNAPSHOT_ID);
    assert.equal(flag(create, "--size"), "80GiB", "at least the snapshot's minimum size (80 > the live 50)");
    assert.ok(!create?.includes("--region"), "doctl refuses --region with --snapshot");
    assert.deepEqual(doctl.find((c) => c[2] === "attach"), ["compute", "volume-action", "attach", TEMP_VOLUME_ID, "424242", "--wait", "--output", "json"]);
    assert.deepEqual(doctl.find((c) => c[2] === "detach"), ["compute", "volume-action", "detach", TEMP_VOLUME_ID, "424242", "--wait", "--output", "json"]);
    assert.deepEqual(doctl.find((c) => c[2] === "delete"), ["compute", "volume", "delete", TEMP_VOLUME_ID, "--force"]);
    const before = doctl.find((c) => c[2] === "snapshot" && c[1] === "volume");
    assert.equal(before?.[3], (plan.outputs[app] as { ops: { volumes: Record<string, string> } }).ops.volumes[key]);
    assert.match(flag(before, "--snapshot-name") ?? "", new RegExp(`^before-restore-${volumeName}-\\d{8}t\\d{6}z$`), "not the scheduled job's <app>- prefix, so its pruning never takes it");

    const remote = byTool(r, "remote");
    assert.deepEqual(remote.map((c) => [c[0], c[1], c[2].split("\n")[0], ...c.slice(3)]), [
      ["sh", "-c", "# ops:volume-stop", `/dev/disk/by-id/scsi-0DO_Volume_${volumeName}`],
      ["sh", "-c", "# ops:volume-copy", `/dev/disk/by-id/scsi-0DO_Volume_${create?.[3]}`, `/mnt/restore-${create?.[3]}`, `/mnt/${app}-data`],
    ]);
    assert.match(remote[1][2], /mount -o ro "\$0" "\$1"/);
    assert.match(remote[1][2], /rsync -a --delete "\$1\/" "\$2\/"/);

    // Order: create, attach, writers stop, stop users, before-snapshot, copy, detach, delete, users start, writers start.
    const writers = (opsOf(app).writers.containers ?? []).map((w) => w.container);
    const step = (c: string[]) =>
      c[0] === "doctl" ? `doctl ${c[2]} ${c[3]}` : c[0] === "remote" ? `remote ${c[3].split("\n")[0]}` : c[0] === "docker" ? `docker ${c[1]}` : c[0];
    const steps = r.calls.map(step);
    const order = ["doctl volume create", "doctl volume-action attach", "docker stop", "remote # ops:volume-stop", "doctl volume snapshot", "remote # ops:volume-copy", "doctl volume-action detach", "doctl volume delete", "docker start"];
    let at = -1;
    for (const s of order) {
      const next = steps.indexOf(s, at + 1);
      assert.ok(next > at, `${s} after step ${at}: ${steps.join(", ")}`);
      at = next;
    }
    const docker = byTool(r, "docker");
    assert.deepEqual(docker.filter((c) => c[0] === "stop").map((c) => c[1]), writers);
    assert.deepEqual(docker.filter((c) => c[0] === "start").map((c) => c[1]), [...using, ...writers], "the volume's own containers first, then the writers");
    assert.ok(steps.lastIndexOf("docker stop") < steps.indexOf("remote # ops:volume-copy"));
  });
}

test("the temporary volume's name fits DigitalOcean's 64 characters for every live volume name DigitalOcean allows", () => {
  const { app, key, node, using } = VOLUME_APPS[0];
  const stamp = "\\d{8}t\\d{6}z";
  for (const length of [39, 40, 64]) {
    const volumeName = `v${"a".repeat(length - 1)}`;
    const r = run("restore.sh", ["production", app, "--volume-snapshot", SNAPSHOT_ID, "--yes"], volumeEnv(app, key, node, volumeName, using));
    assert.equal(r.status, 0, `${length}: ${r.output}`);
    const temporary = byTool(r, "doctl").find((c) => c[1] === "volume" && c[2] === "create")?.[3] ?? "";
    assert.ok(temporary.length <= 64, `${length}: ${temporary} has ${temporary.length} characters`);
    assert.match(temporary, /^[a-z][a-z0-9-]*$/, "lower case, digits and '-', a letter first (DigitalOcean API, volume name)");
    assert.match(temporary, new RegExp(`^${volumeName.slice(0, 39)}-restore-${stamp}$`), String(length));
  }
});

test("nmpi: when the copy fails, the temporary volume is still detached and deleted, and everything stays stopped with the rollback command printed", () => {
  const { app, key, node, volumeName, using } = VOLUME_APPS[0];
  const r = run("restore.sh", ["production", app, "--volume-snapshot", SNAPSHOT_ID, "--yes"], volumeEnv(app, key, node, volumeName, using, { OPS_STUB_REMOTE_volume_copy_STATUS: "23" }));
  assert.notEqual(r.status, 0);
  const doctl = byTool(r, "doctl");
  assert.ok(doctl.some((c) => c[2] === "detach") && doctl.some((c) => c[2] === "delete"), doctl.map((c) => c.join(" ")).join("\n"));
  assert.deepEqual(byTool(r, "docker").filter((c) => c[0] === "start"), [], "nothing starts on a half-copied volume");
  assert.match(r.output, /--volume-snapshot 6b6b6b6b-0000-4000-8000-00000000000b --volume db --yes/);
  assert.match(r.output, /nmpi-db/);
  const unmount = byTool(r, "remote").find((c) => c[2].startsWith("# ops:volume-unmount"));
  assert.ok(unmount, "a mount left behind is undone before the detach");
});

test("nmpi: when the attach fails, the temporary volume is deleted, nothing is copied, and the writers run", () => {
  const { app, key, node, volumeName, using } = VOLUME_APPS[0];
  const r = run("restore.sh", ["production", app, "--volume-snapshot", SNAPSHOT_ID, "--yes"], volumeEnv(app, key, node, volumeName, using, { OPS_STUB_ACTION_STATUS: "errored" }));
  assert.notEqual(r.status, 0);
  assert.deepEqual(byTool(r, "remote").filter((c) => c[2].startsWith("# ops:volume-copy")), []);
  assert.ok(byTool(r, "doctl").some((c) => c[2] === "delete"));
  assert.deepEqual(byTool(r, "docker").filter((c) => c[0] === "stop"), []);
  assert.ok(byTool(r, "docker").filter((c) => c[0] === "start").length > 0);
});

test("volume and RDS restores refuse hostile snapshot IDs and volume names before any call, and the volume restore asks without --yes", () => {
  const dir = mkdtempSync(join(tmpdir(), "ops-run-"));
  for (const id of [`x; touch ${join(dir, "pwned")}`, "$(id)", "a b", "../x", ""]) {
    const r = run("restore.sh", ["production", "nmpi", "--volume-snapshot", id, "--yes"], {}, dir);
    assert.equal(r.status, 64, id);
    assert.deepEqual(r.calls, [], id);
  }
  for (const volume of ["db;id", "../db", "DB"]) {
    const r = run("restore.sh", ["production", "nmpi", "--volume-snapshot", SNAPSHOT_ID, "--volume", volume, "--yes"]);
    assert.equal(r.status, 64, volume);
    assert.deepEqual(r.calls, [], volume);
  }
  const unknown = run("restore.sh", ["production", "nmpi", "--volume-snapshot", SNAPSHOT_ID, "--volume", "nope", "--yes"]);
  assert.equal(unknown.status, 64);
  assert.match(unknown.output, /one of db/);
  const { app, key, node, volumeName, using } = VOLUME_APPS[0];
  const asked = run("restore.sh", ["production", app, "--volume-snapshot", SNAPSHOT_ID], volumeEnv(app, key, node, volumeName, using));
  assert.equal(asked.status, 64, asked.output);
  assert.ok(!byTool(asked, "doctl").some((c) => c[2] === "create"), "nothing created without confirmation");
  assert.equal(existsSync(join(dir, "pwned")), false);
  const aws = run("restore.sh", ["production", "aquamark", "--volume-snapshot", SNAPSHOT_ID, "--yes"]);
  assert.equal(aws.status, 64);
  for (const id of [`x; touch ${join(dir, "pwned")}`, "$(id)", "-rf", "a'b"]) {
    const r = rdsRun([id, "--yes"]);
    assert.equal(r.status, 64, id);
    assert.deepEqual(r.calls, [], id);
  }
  assert.equal(existsSync(join(dir, "pwned")), false);
});

test("restore --list shows the volume's own snapshots beside the dumps", () => {
  const { app, key, node, volumeName, using } = VOLUME_APPS[0];
  const r = run("restore.sh", ["production", app, "--list"], volumeEnv(app, key, node, volumeName, using));
  assert.equal(r.status, 0, r.output);
  assert.ok(byTool(r, "docker").some((c) => c.includes("ls")), "the dumps are listed");
  assert.deepEqual(byTool(r, "doctl"), [["compute", "snapshot", "list", "--resource", "volume", "--output", "json"]]);
  const lines = r.output.split("\n").filter((l) => l.startsWith("5a5a5a5a"));
  assert.deepEqual(lines.map((l) => l.split("\t")[1]), ["nmpi-20261124t0300z", "nmpi-20261125t0300z"], "this volume's only, oldest first");
  assert.doesNotMatch(r.output, /another-volume|\bother\b/);
});
