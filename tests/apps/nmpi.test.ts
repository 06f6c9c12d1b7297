/** The nmpi app as rendered for production: exposure, protection, secrets, generated files. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { SECRET_MARKER, type RenderResult } from "../../tools/render/harness";
import { named, ofType, renderedValues, renderOnce, runTool, tempFile } from "../support";

let plan: RenderResult;
before(async () => {
  plan = await renderOnce("production");
});

const FIREWALL = "digitalocean:index/firewall:Firewall";
const CONTAINER = "docker:index/container:Container";
const WORLD = ["0.0.0.0/0", "::/0"];

interface InboundRule {
  protocol: string;
  portRange?: string;
  sourceAddresses?: string[];
  sourceTags?: string[];
}

function coversPort(rule: InboundRule, port: number): boolean {
  if (rule.protocol !== "tcp" || !rule.portRange) return false;
  const [lo, hi = lo] = rule.portRange.split("-").map(Number);
  return port >= lo && port <= hi;
}

test("SSH and Postgres are never reachable from 0.0.0.0/0 or ::/0", () => {
  const firewalls = ofType(plan, FIREWALL).filter((f) => f.name.startsWith("nmpi-"));
  assert.equal(firewalls.length, 3, "one firewall per node (blue, green, db)");
  for (const fw of firewalls) {
    const rules = fw.inputs.inboundRules as InboundRule[];
    for (const port of [22, 5432]) {
      for (const rule of rules.filter((r) => coversPort(r, port))) {
        const open = (rule.sourceAddresses ?? []).filter((a) => WORLD.includes(a));
        assert.deepEqual(open, [], `${fw.name} opens ${port} to ${open.join(", ")}`);
      }
    }
    const ssh = rules.find((r) => coversPort(r, 22));
    assert.deepEqual(ssh?.sourceAddresses, ["198.51.100.0/24"], `${fw.name}: SSH only from the admin CIDRs`);
  }
  const dbRules = named(plan, FIREWALL, "nmpi-production-db-firewall").inputs.inboundRules as InboundRule[];
  assert.deepEqual(dbRules.find((r) => coversPort(r, 5432))?.sourceTags, ["nmpi-production-app"], "Postgres only from the app nodes");
  assert.ok(!dbRules.some((r) => coversPort(r, 443) || coversPort(r, 80)), "the database node serves no web ports");
});

test("Postgres publishes its port on the private address only", () => {
  const db = named(plan, CONTAINER, "nmpi-production-db-nmpi-db");
  const ports = db.inputs.ports as { internal: number; ip: string }[];
  assert.equal(ports.length, 1);
  assert.match(ports[0].ip, /^10\./, "bound to the VPC address, not 0.0.0.0");
});

test("in production the database volume and the backup bucket are protected and retained", () => {
  for (const [type, name] of [
    ["digitalocean:index/volume:Volume", "nmpi-production-db-data"],
    ["digitalocean:index/spacesBucket:SpacesBucket", "nmpi-production-backups"],
  ]) {
    const r = named(plan, type, name);
    assert.equal(r.options.protect, true, `${name} protect`);
    assert.equal(r.options.retainOnDelete, true, `${name} retainOnDelete`);
  }
});

test("the backup bucket is private and expires dumps under backup/ after the configured days", () => {
  const bucket = named(plan, "digitalocean:index/spacesBucket:SpacesBucket", "nmpi-production-backups");
  assert.equal(bucket.inputs.acl, "private");
  const rules = bucket.inputs.lifecycleRules as { prefix: string; enabled: boolean; expiration: { days: number } }[];
  assert.deepEqual(rules.map((r) => [r.prefix, r.enabled, r.expiration.days]), [["backup/", true, 30]]);
  const key = named(plan, "digitalocean:index/spacesKey:SpacesKey", "nmpi-production-backups-key");
  assert.deepEqual(key.inputs.grants, [{ bucket: bucket.inputs.name, permission: "readwrite" }], "the key may use this bucket only");
});

test("no secret value appears unmasked in any rendered input or output", () => {
  const text = renderedValues(plan);
  assert.ok(plan.secretValues.length >= 8, `the harness saw ${plan.secretValues.length} secret values`);
  for (const secret of plan.secretValues) assert.ok(!text.includes(secret), `secret value leaked: ${secret.slice(0, 12)}…`);
  const envs = named(plan, CONTAINER, "nmpi-production-blue-nmpi-blue").inputs.envs as string[];
  assert.ok(envs.includes(SECRET_MARKER), "the database password reaches the job queue as a secret");
  assert.ok(envs.includes("NMPI_DATABASE_PORT=5432"));
  assert.ok(envs.some((e) => /^NMPI_DATABASE_HOST=10\./.test(e)), "the job queue reaches Postgres on its private address");
  const droplet = named(plan, "digitalocean:index/droplet:Droplet", "nmpi-production-blue");
  assert.equal(droplet.inputs.userData, SECRET_MARKER, "user data carries the host private key: secret");
});

test("the database never depends on a colour", () => {
  const colourOf = /-(blue|green)(-|$)/;
  for (const r of plan.resources.filter((r) => r.name.includes("-db") || r.name.includes("backup"))) {
    assert.doesNotMatch(r.name, colourOf, `${r.name} is named after a colour`);
    assert.doesNotMatch(JSON.stringify(r.inputs), /blue|green/, `${r.name} has colour-dependent inputs`);
  }
});

test("the reserved IP assignment is replaced create-before-delete, never deleteBeforeReplace", () => {
  const assignment = named(plan, "digitalocean:index/reservedIpAssignment:ReservedIpAssignment", "nmpi-production-live-live");
  assert.equal(assignment.options.deleteBeforeReplace, false);
  assert.equal(named(plan, "digitalocean:index/reservedIp:ReservedIp", "nmpi-production-live").options.protect, true);
});

test("containers wait for their node to be ready and reach Docker through the node's pinned-key provider", () => {
  const proxy = named(plan, CONTAINER, "nmpi-production-green-proxy");
  const provider = named(plan, "pulumi:providers:docker", "nmpi-production-green-docker");
  assert.equal(proxy.options.provider, provider.urn);
  const image = named(plan, "docker:index/remoteImage:RemoteImage", "nmpi-production-green-nmpi-green-image");
  assert.ok(image.options.dependsOn.includes(named(plan, "command:remote:Command", "nmpi-production-green-ready").urn));
  // Provider inputs reach the engine JSON-encoded.
  const sshOpts = JSON.parse(String(provider.inputs.sshOpts)) as string[];
  assert.ok(sshOpts.includes("StrictHostKeyChecking=yes"));
  assert.ok(sshOpts.some((o) => /^KnownHostsCommand=\/bin\/echo 203\.0\.113\.\d+ ssh-ed25519 /.test(o)), "the generated host key is pinned");
  const ready = named(plan, "command:remote:Command", "nmpi-production-green-ready");
  // @pulumi/command keeps the whole connection secret (it may hold keys), so only its secretness shows here.
  assert.equal(ready.inputs.connection, SECRET_MARKER);
  assert.match(String(ready.inputs.create), /cloud-init status --wait/);
});

test("images are pinned: every pulled image has a tag and none is latest", () => {
  for (const image of ofType(plan, "docker:index/remoteImage:RemoteImage")) {
    const ref = String(image.inputs.name);
    assert.match(ref, /(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/, `${ref} has a tag or digest`);
    assert.doesNotMatch(ref, /:latest$/, `${ref} is latest`);
  }
});

const BUILD = "command:remote:Command";
const NMPI_REF = "b5da88dd32d0b75a196de9ceb6124e7c4ae92c1c";

test("each colour's two service images are built on that colour's node from the configured git ref", () => {
  for (const colour of ["blue", "green"]) {
    for (const [container, dockerfile] of [["nmpi", "job_manager/Dockerfile.prod"], ["quotas", "resource_manager/Dockerfile.prod"]]) {
      const build = named(plan, BUILD, `nmpi-production-${colour}-image-${container}`);
      const script = String(build.inputs.create);
      assert.ok(script.includes(`fetch -q --depth 1 https://github.com/HumanBrainProject/ebrains-neuromorphic-job-queue-api.git ${NMPI_REF}`), script);
      assert.ok(script.includes(`--file "$src/${dockerfile}"`), `${container} builds ${dockerfile}`);
      assert.ok(script.includes(`"$src/."`), "the context is the repository root (the Dockerfiles COPY job_manager, packages, quotas …)");
      // COPY build_info.json needs the file deploy.py used to write.
      assert.match(script, /printf '%s' '\{"git":"b5da88d[0-9a-f]+","colour":"(blue|green)","date":"pulumi"\}' > "\$src\/build_info\.json"/);
      assert.ok(build.options.dependsOn.includes(named(plan, BUILD, `nmpi-production-${colour}-ready`).urn), "built once the node is ready");
      const tag = String(named(plan, "docker:index/remoteImage:RemoteImage", `nmpi-production-${colour}-${container}-${colour}-image`).inputs.name);
      assert.match(tag, new RegExp(`^platform/nmpi-${container}:b5da88dd32d0-[0-9a-f]{12}$`));
      assert.ok(script.includes(`tag=${tag}`), "the container runs the image the build tagged");
      const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("build.sh", `#!/bin/sh\n${script}`)]);
      assert.equal(status, 0, output);
    }
  }
});

test("the services listen on 443 with TLS only: the proxy re-encrypts to them, and they get the certificate store", () => {
  const conf = proxyConfig("blue");
  assert.ok(conf.includes("set $upstream https://nmpi-blue:443;"), conf);
  assert.ok(conf.includes("set $upstream https://quotas-blue:443;"), conf);
  assert.ok(!conf.includes("http://nmpi-blue"), "never plain HTTP to the services");
  for (const name of ["nmpi-blue", "quotas-blue"]) {
    const volumes = named(plan, CONTAINER, `nmpi-production-blue-${name}`).inputs.volumes as { hostPath?: string; containerPath: string; readOnly: boolean }[];
    assert.deepEqual(volumes, [{ hostPath: "/srv/letsencrypt", containerPath: "/etc/letsencrypt", readOnly: true }]);
  }
  const script = (named(plan, CONTAINER, "nmpi-production-blue-certbot").inputs.command as string[])[0];
  // The images' nginx-app.conf reads /etc/letsencrypt/live/{nmpi,quotas}.hbpneuromorphic.eu/fullchain.pem.
  assert.ok(script.includes('ln -sfn "$CERT_NAME" /etc/letsencrypt/live/nmpi.hbpneuromorphic.eu'));
  assert.ok(script.includes('ln -sfn "$CERT_NAME" /etc/letsencrypt/live/quotas.hbpneuromorphic.eu'));
});

test("both services reach database nmpi as nmpi_dbadmin through NMPI_DATABASE_*", () => {
  const env = (name: string) => new Map((named(plan, CONTAINER, name).inputs.envs as string[]).map((e) => [e.split("=")[0], e.slice(e.indexOf("=") + 1)]));
  for (const name of ["nmpi-production-green-nmpi-green", "nmpi-production-green-quotas-green"]) {
    const e = env(name);
    assert.match(String(e.get("NMPI_DATABASE_HOST")), /^10\./);
    assert.equal(e.get("NMPI_DATABASE_PORT"), "5432");
  }
  const db = named(plan, CONTAINER, "nmpi-production-db-nmpi-db");
  const dbEnv = db.inputs.envs as string[];
  // nmpi_dbadmin owns nmpi but is no superuser (security review M9); the superuser is postgres.
  assert.ok(dbEnv.includes("APP_ROLE=nmpi_dbadmin") && dbEnv.includes("APP_DATABASE=nmpi") && dbEnv.includes("POSTGRES_USER=postgres"), dbEnv.join(" "));
  assert.deepEqual((db.inputs.healthcheck as { tests: string[] }).tests, ["CMD-SHELL", 'pg_isready -U "$APP_ROLE" -d "$APP_DATABASE"']);
  const init = (db.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === "/docker-entrypoint-initdb.d/10-app-role.sh");
  assert.match(String(init?.content), /SET password_encryption = 'scram-sha-256';\nCREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';\nCREATE DATABASE :"db" OWNER :"role";/);
  assert.doesNotMatch(String(init?.content), /SUPERUSER/);
  assert.equal(db.inputs.command, undefined, "scram-sha-256 (the default) needs no server flags");
  const backup = named(plan, CONTAINER, "nmpi-production-db-nmpi-db-backup").inputs.envs as string[];
  for (const e of ["POSTGRES_DATABASE=nmpi", "POSTGRES_USER=nmpi_dbadmin", "S3_PREFIX=backup", "POSTGRES_HOST=nmpi-db"]) assert.ok(backup.includes(e), `backup env has ${e}`);
});

test("the backup image is built on the database node from postgres-backup-s3 at a pinned commit, as its :16 tag is, with TARGETARCH for a classic builder", () => {
  const build = named(plan, BUILD, "nmpi-production-db-backup-image");
  const script = String(build.inputs.create);
  assert.ok(script.includes("https://github.com/eeshugerman/postgres-backup-s3.git ecb08ff41ca994cab9ead491aee30262a22fd66c"));
  assert.ok(script.includes("--build-arg ALPINE_VERSION=3.19"));
  assert.ok(script.includes("--build-arg TARGETARCH=amd64"), "install.sh downloads go-cron for linux_${TARGETARCH}");
  assert.ok(build.options.dependsOn.includes(named(plan, BUILD, "nmpi-production-db-ready").urn));
});

test("outputs give URLs, node IPs, known_hosts lines and the database endpoint, never the password", () => {
  const out = plan.outputs.nmpi as Record<string, unknown>;
  assert.equal(out.liveUrl, "https://nmpi.hbpneuromorphic.eu");
  assert.deepEqual(out.urls, { blue: "https://blue.nmpi.hbpneuromorphic.eu", green: "https://green.nmpi.hbpneuromorphic.eu" });
  const nodes = out.nodes as Record<string, { ip: string; knownHostsLine: string }>;
  assert.match(nodes.blue.knownHostsLine, /^blue\.nmpi\.hbpneuromorphic\.eu,203\.0\.113\.\d+ ssh-ed25519 AAAA/);
  const database = out.database as Record<string, unknown>;
  assert.deepEqual(Object.keys(database).sort(), ["host", "name", "port", "user", "volumeId"]);
  assert.equal(database.user, "nmpi_dbadmin");
  assert.equal(database.name, "nmpi");
});

test("the generated known_hosts lines are valid for ssh-keygen", () => {
  const nodes = (plan.outputs.nmpi as { nodes: Record<string, { knownHostsLine: string }> }).nodes;
  const file = tempFile("known_hosts", `${Object.values(nodes).map((n) => n.knownHostsLine).join("\n")}\n`);
  const { status, output } = runTool("ssh-keygen", ["-l", "-f", file]);
  assert.equal(status, 0, output);
  assert.equal(output.trim().split("\n").length, 3);
});

function proxyConfig(colour: string): string {
  const proxy = named(plan, CONTAINER, `nmpi-production-${colour}-proxy`);
  const upload = (proxy.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === "/etc/nginx/nginx.conf");
  assert.ok(upload, "nginx.conf is uploaded into the proxy");
  return upload.content;
}

test("each colour's proxy config passes the real nginx -t", () => {
  for (const colour of ["blue", "green"]) {
    const upload = { content: proxyConfig(colour) };
    // nginx -t opens the certificate files: point them at a throwaway self-signed pair.
    const dir = dirname(tempFile("placeholder", ""));
    const certDir = join(dir, "live", "nmpi");
    mkdirSync(certDir, { recursive: true });
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
      "-keyout", join(certDir, "privkey.pem"), "-out", join(certDir, "fullchain.pem")], { stdio: "ignore" });
    const config = upload.content.replaceAll("/etc/letsencrypt/", `${dir}/`).replace("access_log /dev/stdout", `access_log ${dir}/access.log`);
    assert.ok(config.includes(`server_name nmpi.hbpneuromorphic.eu ${colour}.nmpi.hbpneuromorphic.eu;`));
    writeFileSync(join(dir, "nginx.conf"), config);
    const { status, output } = runTool("nginx", ["-t", "-c", join(dir, "nginx.conf"), "-p", dir]);
    assert.equal(status, 0, output);
  }
});

test("each colour requests a certificate for the production names and its own through DNS-01", () => {
  const certbot = named(plan, CONTAINER, "nmpi-production-blue-certbot");
  const script = (certbot.inputs.command as string[])[0];
  for (const host of ["nmpi.hbpneuromorphic.eu", "blue.nmpi.hbpneuromorphic.eu", "quotas.hbpneuromorphic.eu", "blue.quotas.hbpneuromorphic.eu"]) {
    assert.ok(script.includes(`-d ${host}`), `certificate covers ${host}`);
  }
  // Through the production stack's challenge zone (security review M5; tests/apps/nmpi-ramascene-acme.test.ts).
  assert.ok(script.includes("--manual-auth-hook"));
  assert.ok((certbot.inputs.envs as string[]).includes(SECRET_MARKER), "the DNS token is passed as a secret");
});

test("the scripts the containers run pass shellcheck", () => {
  const scripts = [
    (named(plan, CONTAINER, "nmpi-production-blue-certbot").inputs.command as string[])[0],
    (named(plan, CONTAINER, "nmpi-production-blue-proxy").inputs.command as string[])[0],
  ];
  for (const script of scripts) {
    const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("script.sh", `#!/bin/sh\n${script}`)]);
    assert.equal(status, 0, output);
  }
});

test("monitoring checks the live URL and each colour, and watches CPU, memory and disk by e-mail", () => {
  const checks = ofType(plan, "digitalocean:index/uptimeCheck:UptimeCheck").map((c) => c.inputs.target).sort();
  // `/` is a 404 in both services: the job queue's API root and the quotas admin login answer 200.
  assert.deepEqual(checks, [
    "https://blue.nmpi.hbpneuromorphic.eu/api/v2/",
    "https://green.nmpi.hbpneuromorphic.eu/api/v2/",
    "https://nmpi.hbpneuromorphic.eu/api/v2/",
    "https://quotas.hbpneuromorphic.eu/admin/login/",
  ]);
  const alerts = ofType(plan, "digitalocean:index/monitorAlert:MonitorAlert");
  assert.deepEqual(alerts.map((a) => String(a.inputs.type).split("/").pop()).sort(), ["cpu", "disk_utilization_percent", "memory_utilization_percent"]);
  for (const a of alerts) assert.deepEqual((a.inputs.alerts as { emails: string[] }).emails, ["webmaster@hbpneuromorphic.eu"]);
  for (const a of alerts) assert.equal((a.inputs.entities as string[]).length, 3, "both colours and the database node");
});
