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
  assert.deepEqual(scripts.map((s) => s.slice(opsDir.length + 1)).sort(), ["dump.sh", "handover.sh", "lib.sh", "logs.sh", "manage.sh", "restore.sh", "ssh.sh"]);
  const stubs = ["aws", "docker", "pulumi", "record.sh", "ssh"].map((f) => join(stubDir, f));
  const { status, output } = runTool("shellcheck", ["-x", "-P", "SCRIPTDIR", ...scripts, ...stubs]);
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
  const r = run("restore.sh", ["production", "aquamark", "aquamark-production-db-manual-20261125t000000z", "--yes"]);
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
  assert.ok(aws[restoreAt].includes("--no-publicly-accessible"));
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

test("unknown apps and stacks with shell characters are refused before pulumi runs", () => {
  for (const args of [["production", "evil;id", "node"], ["prod;id", "nmpi", "db"]]) {
    const r = run("ssh.sh", args);
    assert.equal(r.status, 64, r.output);
    assert.deepEqual(r.calls, []);
  }
});

test("every script prints its usage and exits 64 when arguments are missing", () => {
  for (const script of ["ssh.sh", "logs.sh", "manage.sh", "dump.sh", "restore.sh", "handover.sh"]) {
    const r = run(script, []);
    assert.equal(r.status, 64, script);
    assert.match(r.output, /usage:/, script);
  }
});
