import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { CLEAR_MODELS_AT, weeklyJobScript } from "../../apps/ramascene";
import { type RenderedResource, type RenderResult } from "../../tools/render/harness";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { isStateful } from "../../tools/render/stateful";
import { renderOnce, runTool, tempFile } from "../support";

const CONTAINER = "docker:index/container:Container";
const BLUE_REF = "0fe501457443371d24f07f1a05998e2b6107dee5";
const GREEN_REF = "10c24a2c0877f27afac9efb765a33e3746ac5215";
const VERSIONS = [`apps.ramascene.versions.blue=${BLUE_REF}`, `apps.ramascene.versions.green=${GREEN_REF}`];

const production: Promise<RenderResult> = renderOnce("production");
const beforeSwitch = renderIsolatedOk({ stack: "production", overrides: [...VERSIONS, "apps.ramascene.live=blue"] });
const afterSwitch = renderIsolatedOk({ stack: "production", overrides: [...VERSIONS, "apps.ramascene.live=green"] });

function containers(r: { resources: RenderedResource[] }): Map<string, RenderedResource> {
  return new Map(r.resources.filter((x) => x.type === CONTAINER && x.parent.endsWith("$platform:docker:ContainerStack::ramascene-production")).map((x) => [String(x.inputs.name), x]));
}
function keyed(r: { resources: RenderedResource[] }): Map<string, RenderedResource> {
  return new Map(r.resources.map((x) => [`${x.type}::${x.name}`, x]));
}
function nginxConfOf(r: { resources: RenderedResource[] }): string {
  const uploads = containers(r).get("nginx")?.inputs.uploads as { file: string; content: string }[];
  const conf = uploads.find((u) => u.file === "/etc/nginx/nginx.conf");
  assert.ok(conf, "nginx.conf is uploaded into the proxy");
  return conf.content;
}
/** The upstream of the TLS server block for `host`. */
function upstreamOf(conf: string, host: string): string | undefined {
  const block = conf.split("server {").find((b) => b.includes(`server_name ${host};`) && b.includes("listen 443"));
  return block?.match(/set \$upstream (\S+);/)?.[1];
}
function imageOf(r: { resources: RenderedResource[] }, container: string): unknown {
  return r.resources.find((x) => x.name === `ramascene-production-${container}-image`)?.inputs.name;
}

test("switching ramascene's live colour changes only nginx's config and moves the live-only workers and weekly job", async () => {
  const [before, after] = await Promise.all([beforeSwitch, afterSwitch]);
  const a = keyed(before);
  const b = keyed(after);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), "a switch adds or removes no resource");
  const changed = [...a.keys()].filter((k) => JSON.stringify(a.get(k)?.inputs) !== JSON.stringify(b.get(k)?.inputs));
  const moving = ["worker1", "worker2", "clear-models"];
  const allowed = new Set([
    `${CONTAINER}::ramascene-production-nginx`,
    ...moving.map((m) => `${CONTAINER}::ramascene-production-${m}`),
    ...moving.map((m) => `docker:index/remoteImage:RemoteImage::ramascene-production-${m}-image`),
  ]);
  assert.ok(changed.includes(`${CONTAINER}::ramascene-production-nginx`), "the proxy's routing changes");
  assert.deepEqual(changed.filter((k) => !allowed.has(k)), [], "nothing else changes");
  assert.deepEqual(changed.filter((k) => isStateful(k.split("::")[0])), [], "no volume, bucket or database changes");
  assert.equal(upstreamOf(nginxConfOf(before), "ramascene.cml.example.org"), "http://daphne-blue:8001");
  assert.equal(upstreamOf(nginxConfOf(after), "ramascene.cml.example.org"), "http://daphne-green:8001");
  assert.equal(upstreamOf(nginxConfOf(after), "blue.ramascene.cml.example.org"), "http://daphne-blue:8001");
});

test("the weekly clear_models job and both celery workers run once, from the live colour's version", async () => {
  for (const [render, version] of [[await beforeSwitch, BLUE_REF], [await afterSwitch, GREEN_REF]] as const) {
    const all = [...containers(render).values()];
    const jobs = all.filter((c) => String((c.inputs.command as string[] | undefined)?.[0] ?? "").includes("manage.py clear_models"));
    assert.equal(jobs.length, 1);
    for (const name of ["clear-models", "worker1", "worker2"]) assert.match(String(imageOf(render, name)), new RegExp(`^platform/ramascene-app:${version.slice(0, 12)}-[0-9a-f]{12}$`));
  }
});

test("the celery workers are exactly the seed's: queues calc_default and modelling, concurrency 1, one task per child", async () => {
  const c = containers(await production);
  assert.deepEqual(c.get("worker1")?.inputs.command, ["celery", "-A", "ramasceneMasterProject", "worker", "-l", "info", "--concurrency", "1", "--max-tasks-per-child", "1", "--queue", "calc_default", "-n", "worker1.%h"]);
  assert.deepEqual(c.get("worker2")?.inputs.command, ["celery", "-A", "ramasceneMasterProject", "worker", "-l", "info", "--concurrency", "1", "--max-tasks-per-child", "1", "--queue", "modelling", "-n", "worker2.%h"]);
  assert.deepEqual(c.get("daphne-green")?.inputs.command, ["daphne", "-b", "0.0.0.0", "-p", "8001", "ramasceneMasterProject.asgi:application"]);
  const env = (c.get("daphne-blue")?.inputs.envs as string[]).filter((e) => e !== "[secret]");
  for (const expected of [
    "DJANGO_SETTINGS_MODULE=ramasceneMasterProject.config.production",
    "DATASETS_VERSION=v3",
    "DATASETS_DIR=/mnt/datasets",
    "HOST=ramascene.cml.example.org",
    "OPENBLAS_NUM_THREADS=2",
    "REDIS_HOST=redis",
    // base.py reads DATABASES_DEFAULT_NAME; every container must open the one file on the shared volume.
    "DATABASES_DEFAULT_NAME=/mnt/data/db.sqlite3",
  ]) {
    assert.ok(env.includes(expected), expected);
  }
  assert.ok(!env.some((e) => e.startsWith("SQLITE_PATH=")), "SQLITE_PATH is read nowhere");
  assert.equal(env.some((e) => e.startsWith("SECRET_KEY=") || e.startsWith("BROKER_URL=")), false, "secret key and broker URL are secrets");
});

test("the weekly job script fires on Sundays at 05:00 UTC and passes shellcheck", () => {
  const script = weeklyJobScript(["python", "manage.py", "clear_models"], CLEAR_MODELS_AT);
  assert.match(script, /date -u \+%u%H%M\)" = "70500"/);
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("job.sh", `#!/bin/sh\n${script}`)]);
  assert.equal(status, 0, output);
  assert.throws(() => weeklyJobScript(["x"], { weekday: 0, hour: 5, minute: 0 }), /weekday/);
});

test("the rendered nginx config passes the real nginx -t", async () => {
  const conf = nginxConfOf(await production);
  const dir = dirname(tempFile("placeholder", ""));
  const certDir = join(dir, "live", "ramascene");
  mkdirSync(certDir, { recursive: true });
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
    "-keyout", join(certDir, "privkey.pem"), "-out", join(certDir, "fullchain.pem")], { stdio: "ignore" });
  const local = conf.replaceAll("/etc/letsencrypt/", `${dir}/`).replace("access_log /dev/stdout", `access_log ${dir}/access.log`);
  assert.ok(local.includes("proxy_set_header Upgrade $http_upgrade;"), "websocket upgrades reach daphne");
  assert.ok(local.includes("location /ws/ {") && local.includes("location /static/ {"), "the /ws/ and /static/ routes are in the file nginx -t checks");
  writeFileSync(join(dir, "nginx.conf"), local);
  const { status, output } = runTool("nginx", ["-t", "-c", join(dir, "nginx.conf"), "-p", dir]);
  assert.equal(status, 0, output);
});

test("only nginx publishes ports beyond the host; redis and rabbitmq are private", async () => {
  const r = await production;
  for (const [name, c] of containers(r)) {
    const ports = (c.inputs.ports ?? []) as { ip: string; external: number }[];
    if (name === "nginx") assert.deepEqual(ports.map((p) => [p.ip, p.external]), [["0.0.0.0", 80], ["0.0.0.0", 443]]);
    else assert.deepEqual(ports.filter((p) => p.ip !== "127.0.0.1"), [], `${name} publishes nothing beyond the host`);
  }
  const firewall = r.resources.find((x) => x.type === "digitalocean:index/firewall:Firewall" && x.name === "ramascene-production-firewall");
  const rules = firewall?.inputs.inboundRules as { portRange?: string; sourceAddresses?: string[] }[];
  assert.deepEqual(rules.filter((x) => x.sourceAddresses?.includes("0.0.0.0/0") && x.portRange).map((x) => x.portRange), ["80", "443"]);
});

test("datasets and the SQLite database live on the protected block-storage volume, shared by both colours", async () => {
  const r = await production;
  const volume = r.resources.find((x) => x.type === "digitalocean:index/volume:Volume" && x.name === "ramascene-production-data");
  assert.equal(volume?.options.protect, true);
  for (const name of ["daphne-blue", "daphne-green"]) {
    assert.deepEqual(containers(r).get(name)?.inputs.volumes, [
      { hostPath: "/mnt/ramascene-data/datasets", containerPath: "/mnt/datasets", readOnly: true },
      { hostPath: "/mnt/ramascene-data/db", containerPath: "/mnt/data", readOnly: false },
    ]);
  }
  for (const [name, c] of containers(r)) assert.equal(c.options.deleteBeforeReplace, true, name);
});

test("every ramascene secret is generated or secret config and none appears in plain text", async () => {
  const r = await production;
  const generated = r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword" && x.name.startsWith("ramascene-production-")).map((x) => x.name).sort();
  assert.deepEqual(generated, ["ramascene-production-django-secret-key", "ramascene-production-rabbitmq-password", "ramascene-production-rabbitmq-user"]);
  const text = JSON.stringify(r.resources.filter((x) => x.name.startsWith("ramascene")));
  for (const secret of r.secretValues) assert.ok(!text.includes(secret), `secret value ${secret.slice(0, 12)}... leaks`);
  const out = r.outputs.ramascene as Record<string, unknown>;
  assert.equal(out.liveColour, "blue");
  assert.equal(out.blueUrl, "https://blue.ramascene.cml.example.org");
  assert.match((out.knownHostsLines as string[])[0], /^203\.0\.113\.\d+ ssh-ed25519 /);
});

/** The location block for `prefix` in the TLS server block of `host`. */
function locationOf(conf: string, host: string, prefix: string): string | undefined {
  const block = conf.split("server {").find((b) => b.includes(`server_name ${host};`) && b.includes("listen 443"));
  return block?.split(`    location ${prefix} {`)[1]?.split("    }")[0];
}

test("nginx sends /ws/ to daphne without the prefix, /static/ to the colour's static files, and the production Host", async () => {
  const conf = nginxConfOf(await production);
  for (const [host, colour] of [["ramascene.cml.example.org", "blue"], ["green.ramascene.cml.example.org", "green"]]) {
    const ws = locationOf(conf, host, "/ws/");
    assert.ok(ws, `${host} has a /ws/ route`);
    // routing.py serves the consumer at ramascene/; the bundle connects to /ws/ramascene/.
    assert.ok(ws.includes(`set $upstream http://daphne-${colour}:8001;`));
    assert.ok(ws.includes("rewrite ^/ws/(.*)$ /$1 break;"));
    assert.ok(ws.includes("proxy_set_header Upgrade $http_upgrade;"));
    const statics = locationOf(conf, host, "/static/");
    assert.ok(statics?.includes(`set $upstream http://static-${colour}:80;`), `${host} serves /static/ from static-${colour}`);
    // ALLOWED_HOSTS holds HOST only: a colour preview reaches Django under the production name.
    assert.ok(locationOf(conf, host, "/")?.includes("proxy_set_header Host ramascene.cml.example.org;"));
  }
});

test("each colour's app and static images are built from ramascene at its ref with the production URLs baked in", async () => {
  const r = await production;
  const builds = r.resources.filter((x) => x.type === "command:remote:Command" && /^ramascene-.*-image$/.test(x.name)).map((x) => x.name).sort();
  assert.deepEqual(builds, ["ramascene-production-blue-image", "ramascene-production-blue-static-image", "ramascene-production-green-image", "ramascene-production-green-static-image"]);
  for (const [name, target] of [["ramascene-production-blue-image", "python"], ["ramascene-production-blue-static-image", "nginx"]]) {
    const script = String(r.resources.find((x) => x.name === name && x.type === "command:remote:Command")?.inputs.create);
    assert.ok(script.includes(`https://github.com/CMLPlatform/ramascene.git ${BLUE_REF}`), script);
    assert.ok(script.includes(`--target ${target}`));
    // webpack.config.js bakes WS_PROTOCOL://WS_HOST/ws/ramascene/ and PROTOCOL://HOST/ajaxhandling/ into the bundle.
    for (const arg of ["HOST=ramascene.cml.example.org", "WS_HOST=ramascene.cml.example.org", "PROTOCOL=https", "WS_PROTOCOL=wss", "PUBLIC_DIR=public", "DJANGO_SETTINGS_MODULE=ramasceneMasterProject.config.production"]) {
      assert.ok(script.includes(`--build-arg ${arg}`), `${name} passes ${arg}`);
    }
    const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("build.sh", `#!/bin/sh\n${script}`)]);
    assert.equal(status, 0, output);
  }
  const statics = containers(r).get("static-blue");
  assert.match(String(imageOf(r, "static-blue")), /^platform\/ramascene-static:0fe501457443-/);
  const env = statics?.inputs.envs as string[];
  for (const e of ["NGINX_BACKEND_HOST=daphne-blue", "NGINX_BACKEND_PORT=8001"]) assert.ok(env.includes(e), e);
  const text = JSON.stringify(r.resources.filter((x) => x.type === "command:remote:Command"));
  for (const secret of r.secretValues) assert.ok(!text.includes(secret), "no secret reaches a build argument");
});

test("migrate and the idempotent populateHierarchies run once per colour version inside its daphne", async () => {
  const r = await production;
  const release = r.resources.find((x) => x.type === "command:remote:Command" && x.name === "ramascene-production-release-green");
  assert.equal(release?.inputs.create, "set -eu\ndocker exec daphne-green python manage.py migrate --noinput\ndocker exec daphne-green python manage.py populateHierarchies");
});

test("a version roll of the idle colour rebuilds only that colour's images", async () => {
  const [before, after] = await Promise.all([
    beforeSwitch,
    renderIsolatedOk({ stack: "production", overrides: [`apps.ramascene.versions.blue=${BLUE_REF}`, `apps.ramascene.versions.green=${BLUE_REF}`, "apps.ramascene.live=blue"] }),
  ]);
  const a = keyed(before);
  const b = keyed(after);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  const changed = [...a.keys()].filter((k) => JSON.stringify(a.get(k)?.inputs) !== JSON.stringify(b.get(k)?.inputs)).map((k) => k.split("::")[1]).sort();
  assert.deepEqual(changed, [
    "ramascene-production-daphne-green-image",
    "ramascene-production-green-image",
    "ramascene-production-green-static-image",
    "ramascene-production-release-green",
    // The dump the release waits for (issue 16) runs again for the new version.
    "ramascene-production-release-green-dump",
    "ramascene-production-static-green-image",
  ]);
});

test("the shared SQLite directory is created owned by the image's uid 1000 before any container starts", async () => {
  const r = await production;
  const dirs = r.resources.find((x) => x.type === "command:remote:Command" && x.name === "ramascene-production-data-dirs");
  assert.equal(dirs?.inputs.create, "set -eu\ninstall -d -o 1000 -g 1000 /mnt/ramascene-data/db\n");
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("dirs.sh", `#!/bin/sh\n${String(dirs?.inputs.create)}`)]);
  assert.equal(status, 0, output);
  for (const name of ["daphne-blue", "worker1", "clear-models"]) {
    assert.ok(containers(r).get(name)?.options.dependsOn.includes(String(dirs?.urn)), `${name} waits for the directory`);
  }
});
