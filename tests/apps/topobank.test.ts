import { test } from "node:test";
import assert from "node:assert/strict";
import { type RenderedResource, type RenderResult } from "../../tools/render/harness";
import { named, renderedValues, renderOnce, runTool, tempFile } from "../support";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { isStateful } from "../../tools/render/stateful";
import { caddyValidate, upstreamOf } from "../components/docker/caddy-validate";
import { TOPOBANK } from "../../apps/contracts/topobank";
import { BACKUP_ALPINE_FOR_POSTGRES } from "../../components/docker/postgres-backup-s3";

const CONTAINER = "docker:index/container:Container";
const VERSIONS = ["apps.topobank.versions.blue=0.16.2", "apps.topobank.versions.green=0.17.0"];

const production: Promise<RenderResult> = renderOnce("production");
const beforeSwitch = renderIsolatedOk({ stack: "production", overrides: [...VERSIONS, "apps.topobank.live=blue"] });
const afterSwitch = renderIsolatedOk({ stack: "production", overrides: [...VERSIONS, "apps.topobank.live=green"] });

function topobankContainers(r: { resources: RenderedResource[] }): Map<string, RenderedResource> {
  return new Map(r.resources.filter((x) => x.type === CONTAINER && x.parent.endsWith("$platform:docker:ContainerStack::topobank-production")).map((x) => [String(x.inputs.name), x]));
}
function keyed(r: { resources: RenderedResource[] }): Map<string, RenderedResource> {
  return new Map(r.resources.map((x) => [`${x.type}::${x.name}`, x]));
}
function caddyfileOf(r: { resources: RenderedResource[] }): string {
  const uploads = topobankContainers(r).get("caddy")?.inputs.uploads as { file: string; content: string }[];
  const file = uploads.find((u) => u.file === "/etc/caddy/Caddyfile");
  assert.ok(file, "the caddy container carries a Caddyfile");
  return file.content;
}
function envOf(c: RenderedResource | undefined): Record<string, string> {
  assert.ok(c, "container exists");
  return Object.fromEntries((c.inputs.envs as string[]).map((e) => (e === "[secret]" ? ["[secret]", e] : [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])));
}

test("switching topobank's live colour changes only caddy's config and moves celery beat/worker; nothing stateful changes", async () => {
  const [before, after] = await Promise.all([beforeSwitch, afterSwitch]);
  const a = keyed(before);
  const b = keyed(after);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), "a switch adds or removes no resource");
  const changed = [...a.keys()].filter((k) => JSON.stringify(a.get(k)?.inputs) !== JSON.stringify(b.get(k)?.inputs));
  const allowed = new Set([
    `${CONTAINER}::topobank-production-caddy`,
    `${CONTAINER}::topobank-production-celerybeat`,
    `${CONTAINER}::topobank-production-celeryworker`,
    "docker:index/remoteImage:RemoteImage::topobank-production-celerybeat-image",
    "docker:index/remoteImage:RemoteImage::topobank-production-celeryworker-image",
  ]);
  assert.ok(changed.includes(`${CONTAINER}::topobank-production-caddy`), "the proxy's routing changes");
  assert.deepEqual(changed.filter((k) => !allowed.has(k)), [], "nothing else changes");
  assert.deepEqual(changed.filter((k) => isStateful(k.split("::")[0])), []);
  // The production name now reaches green; the colour names still reach their own colour.
  assert.equal(upstreamOf(caddyfileOf(before), "topobank.contact.engineering"), "django-blue:5000");
  assert.equal(upstreamOf(caddyfileOf(after), "topobank.contact.engineering"), "django-green:5000");
  assert.equal(upstreamOf(caddyfileOf(after), "blue.topobank.contact.engineering"), "django-blue:5000");
});

test("celery beat runs in exactly one container, from the live colour's version", async () => {
  for (const [render, version] of [[await beforeSwitch, "0.16.2"], [await afterSwitch, "0.17.0"]] as const) {
    const beats = [...topobankContainers(render).values()].filter((c) => JSON.stringify(c.inputs.command) === JSON.stringify(["/start-celerybeat"]));
    assert.equal(beats.length, 1);
    const image = render.resources.find((x) => x.name === "topobank-production-celerybeat-image");
    assert.match(String(image?.inputs.name), new RegExp(`^platform/topobank-app:${version.replaceAll(".", "\\.")}-[0-9a-f]{12}$`));
    assert.equal(envOf(beats[0]).DEPLOYMENT_COLOUR, version === "0.16.2" ? "blue" : "green");
  }
});

test("web-facing containers exist in both colours; postgres, rabbitmq, memcached and dbbackup exist once", async () => {
  const names = [...topobankContainers(await production).keys()].sort();
  assert.deepEqual(names, ["caddy", "celerybeat", "celeryworker", "dbbackup", "django-blue", "django-green", "flower-blue", "flower-green", "memcached", "postgres", "rabbitmq"]);
});

test("the rendered Caddyfile passes caddy validate and admits flower only from the admin networks", async () => {
  const text = caddyfileOf(await production);
  caddyValidate(text);
  assert.match(text, /@outside not remote_ip 198\.51\.100\.0\/24/);
  assert.equal(upstreamOf(text, "flower.topobank.contact.engineering"), "flower-blue:5555");
});

test("only caddy publishes ports beyond the host; the firewall opens only SSH to admins and 80/443 to all", async () => {
  const r = await production;
  for (const [name, c] of topobankContainers(r)) {
    const ports = (c.inputs.ports ?? []) as { ip: string; external: number }[];
    if (name === "caddy") assert.deepEqual(ports.map((p) => [p.ip, p.external]), [["0.0.0.0", 80], ["0.0.0.0", 443]]);
    else assert.deepEqual(ports.filter((p) => p.ip !== "127.0.0.1"), [], `${name} publishes nothing beyond the host`);
  }
  const firewall = r.resources.find((x) => x.type === "digitalocean:index/firewall:Firewall" && x.name === "topobank-production-firewall");
  const rules = firewall?.inputs.inboundRules as { portRange?: string; sourceAddresses?: string[] }[];
  const publicPorts = rules.filter((x) => x.sourceAddresses?.includes("0.0.0.0/0") && x.portRange).map((x) => x.portRange);
  assert.deepEqual(publicPorts, ["80", "443"]);
  assert.deepEqual(rules.find((x) => x.portRange === "22")?.sourceAddresses, ["198.51.100.0/24"]);
});

test("every topobank secret is generated or secret config and never appears in plain text", async () => {
  const r = await production;
  const env = envOf(topobankContainers(r).get("django-blue"));
  const secretKeys = ["DJANGO_SECRET_KEY", "DJANGO_ADMIN_URL", "POSTGRES_USER", "POSTGRES_PASSWORD", "DATABASE_URL", "CELERY_FLOWER_USER", "CELERY_FLOWER_PASSWORD", "CELERY_BROKER_URL", "ORCID_CLIENT_ID", "ORCID_SECRET", "DJANGO_EMAIL_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  for (const key of secretKeys) {
    assert.ok(!(key in env), `${key} is not plain text`);
  }
  assert.equal(env.WEB_CONCURRENCY, "4");
  assert.equal(env.DBBACKUP_SCHEDULE, "@daily");
  assert.equal((topobankContainers(r).get("django-blue")?.inputs.envs as string[]).filter((e) => e === "[secret]").length, secretKeys.length);
  const generated = r.resources.filter((x) => x.type === "random:index/randomPassword:RandomPassword" && x.name.startsWith("topobank-production-")).map((x) => x.name).sort();
  assert.deepEqual(generated, [
    "topobank-production-admin-url", "topobank-production-backup-passphrase", "topobank-production-django-secret-key", "topobank-production-flower-password", "topobank-production-flower-user",
    "topobank-production-postgres-password", "topobank-production-postgres-superuser-password", "topobank-production-postgres-user", "topobank-production-rabbitmq-password", "topobank-production-rabbitmq-user",
  ]);
  const text = renderedValues({ ...r, resources: r.resources.filter((x) => x.name.startsWith("topobank")) });
  for (const secret of r.secretValues) assert.ok(!text.includes(secret), `secret value ${secret.slice(0, 12)}... leaks`);
});

test("postgres data lives on the node's protected block-storage volume; containers are replaced delete-first", async () => {
  const r = await production;
  const volume = r.resources.find((x) => x.type === "digitalocean:index/volume:Volume" && x.name === "topobank-production-data");
  assert.equal(volume?.options.protect, true);
  assert.equal(volume?.options.retainOnDelete, true);
  const postgres = topobankContainers(r).get("postgres");
  assert.deepEqual(postgres?.inputs.volumes, [{ hostPath: "/mnt/topobank-data/postgres", containerPath: "/var/lib/postgresql/data", readOnly: false }]);
  assert.equal(r.resources.find((x) => x.name === "topobank-production-postgres-image")?.inputs.name, "postgres:16.4-bookworm");
  for (const [name, c] of topobankContainers(r)) assert.equal(c.options.deleteBeforeReplace, true, name);
  const bucket = r.resources.find((x) => x.type === "digitalocean:index/spacesBucket:SpacesBucket" && x.name === "topobank-production-bucket");
  assert.equal(bucket?.options.protect, true);
});

test("migrate, register_analysis_functions, the ORCID loaddata and import_terms run once per colour version, inside that colour's django, green after blue", async () => {
  const r = await production;
  const commands = r.resources.filter((x) => x.type === "command:remote:Command" && x.name.startsWith("topobank-production-release-"));
  assert.deepEqual(commands.map((c) => c.name).sort(), ["topobank-production-release-blue", "topobank-production-release-blue-dump", "topobank-production-release-green", "topobank-production-release-green-dump"]);
  const blue = commands.find((c) => c.name === "topobank-production-release-blue");
  const green = commands.find((c) => c.name === "topobank-production-release-green");
  const lines = String(blue?.inputs.create).split("\n");
  assert.deepEqual(lines.slice(0, 3), ["set -eu", "docker exec django-blue python manage.py migrate --noinput", "docker exec django-blue python manage.py register_analysis_functions"]);
  // Seed 001: envsubst < orcid.yaml.template > orcid.yaml; manage.py loaddata orcid.yaml (ORCID login needs it).
  assert.match(lines[3], /^docker exec django-blue sh -c 'envsubst < orcid\.yaml\.template > \/tmp\/orcid\.yaml && python manage\.py loaddata \/tmp\/orcid\.yaml/);
  // import_terms always creates a row: guarded so a second release does not duplicate the terms.
  assert.match(lines[4], /exists\(\) else 1\)\\?"? ?.*\|\| python manage\.py import_terms site-terms 1\.0 topobank\/static\/other\/TermsConditions\.md'$/);
  assert.equal(lines.length, 5);
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("release.sh", `#!/bin/sh\n${String(blue?.inputs.create)}`)]);
  assert.equal(status, 0, output);
  // The version, then the droplet's ID (a new droplet runs the steps again).
  assert.equal((blue?.inputs.triggers as unknown[])[0], "0.16.2");
  const release = (colour: string) => named(r, "platform:docker:ColourRelease", `topobank-production-release-${colour}`);
  const django = (colour: string) => named(r, CONTAINER, `topobank-production-django-${colour}`).urn;
  // Each also waits for the dump taken just before it (issue 16; tests/ops/render.test.ts).
  assert.deepEqual(release("green").options.dependsOn.sort(), [django("green"), release("blue").urn, release("green-dump").urn].sort());
  assert.ok(green);
  assert.deepEqual(release("blue").options.dependsOn, [django("blue"), release("blue-dump").urn]);
});

test("topobank exports live and colour URLs, the node IP and its known_hosts line", async () => {
  const out = (await production).outputs.topobank as Record<string, unknown>;
  assert.equal(out.liveColour, "blue");
  assert.equal(out.liveUrl, "https://topobank.contact.engineering");
  assert.equal(out.greenUrl, "https://green.topobank.contact.engineering");
  assert.match(String(out.nodeIp), /^203\.0\.113\.\d+$/);
  assert.match((out.knownHostsLines as string[])[0], /^203\.0\.113\.\d+ ssh-ed25519 [A-Za-z0-9+/=]+$/);
});

test("django, the workers and flower run the seed-era commands, ports and settings the image provides", async () => {
  const c = topobankContainers(await production);
  const command = (name: string) => c.get(name)?.inputs.command;
  assert.deepEqual(command("django-blue"), ["/start"]);
  assert.deepEqual(command("flower-green"), ["/start-flower"]);
  assert.deepEqual(command("celeryworker"), ["/start-celeryworker"]);
  assert.deepEqual(command("celerybeat"), ["/start-celerybeat"]);
  // production.yml: shm_size '2gb' for Firefox thumbnails, on django and the worker that renders them.
  assert.equal(c.get("django-blue")?.inputs.shmSize, 2048);
  assert.equal(c.get("celeryworker")?.inputs.shmSize, 2048);
  const env = envOf(c.get("django-blue"));
  assert.equal(env.DJANGO_SETTINGS_MODULE, "config.settings.production");
  assert.equal(env.FIREFOX_BINARY_PATH, "/opt/conda/bin/FirefoxApp/firefox");
  assert.equal(env.GECKODRIVER_PATH, "/opt/conda/bin/geckodriver");
  assert.equal(env.POSTGRES_HOST, "postgres");
  assert.equal(env.POSTGRES_DB, "topobank");
  assert.deepEqual(c.get("postgres")?.inputs.command, ["postgres", "-c", "max_connections=400"]);
  const pg = c.get("postgres");
  assert.ok((pg?.inputs.envs as string[]).includes("POSTGRES_USER=postgres"), "the superuser is postgres …");
  assert.ok((pg?.inputs.envs as string[]).includes("APP_DATABASE=topobank"), "… and the app's role owns topobank");
});

test("each colour's django image is built on the node from topobank at the colour's ref, with the production Dockerfile", async () => {
  const r = await production;
  for (const colour of ["blue", "green"]) {
    const build = named(r, "command:remote:Command", `topobank-production-${colour}-image`);
    const script = String(build.inputs.create);
    assert.ok(script.includes("fetch -q --depth 1 https://github.com/ContactEngineering/topobank.git 0.16.2"), script);
    assert.ok(script.includes('--file "$src/compose/production/django/Dockerfile"'));
    assert.ok(script.includes('"$src/."'), "context is the repository root (production.yml: context: .)");
    const tag = String(named(r, "docker:index/remoteImage:RemoteImage", `topobank-production-django-${colour}-image`).inputs.name);
    assert.ok(script.includes(`tag=${tag}`));
    const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("build.sh", `#!/bin/sh\n${script}`)]);
    assert.equal(status, 0, output);
  }
});

test("dbbackup is postgres-backup-s3 built on the node at the pinned commit, with the Alpine release upstream builds its Postgres 16 tag from", async () => {
  const r = await production;
  const script = String(named(r, "command:remote:Command", "topobank-production-dbbackup-image").inputs.create);
  assert.ok(script.includes("fetch -q --depth 1 https://github.com/eeshugerman/postgres-backup-s3.git ecb08ff41ca994cab9ead491aee30262a22fd66c"), script);
  // Upstream's build matrix (.github/workflows/build-and-push-images.yml @ecb08ff): postgres 16 <- alpine 3.19.
  assert.ok(script.includes("--build-arg ALPINE_VERSION=3.19"), script);
  // install.sh fetches go-cron for linux_${TARGETARCH}: given, so the classic builder works too.
  assert.ok(script.includes("--build-arg TARGETARCH=amd64"), script);
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("backup-build.sh", `#!/bin/sh\n${script}`)]);
  assert.equal(status, 0, output);
  const tag = String(named(r, "docker:index/remoteImage:RemoteImage", "topobank-production-dbbackup-image").inputs.name);
  assert.match(tag, /^platform\/postgres-backup-s3:/);
  assert.ok(script.includes(`tag=${tag}`));
});

test("the backup's pg_dump major is the Postgres server's major: ALPINE_VERSION follows the postgres image", async () => {
  const r = await production;
  // The server's major, read from the image the postgres container runs.
  const image = String(r.resources.find((x) => x.name === "topobank-production-postgres-image")?.inputs.name);
  const major = /^postgres:([0-9]+)\./.exec(image)?.[1];
  assert.ok(major, image);
  assert.equal(TOPOBANK.postgresMajor, major, "the contract's postgresMajor is the image's major");
  // pg_dump refuses a newer server: the backup must be built on the Alpine release whose client is that major.
  const alpine = (BACKUP_ALPINE_FOR_POSTGRES as Record<string, string>)[major];
  assert.ok(alpine, `upstream builds no image for Postgres ${major}`);
  const script = String(named(r, "command:remote:Command", "topobank-production-dbbackup-image").inputs.create);
  assert.deepEqual([...script.matchAll(/--build-arg ALPINE_VERSION=(\S+)/g)].map((m) => m[1]), [alpine]);
});

test("scheduled dumps are gpg-encrypted: PASSPHRASE is generated, protected, secret and only in dbbackup, with postgres-backup-s3's env", async () => {
  const r = await production;
  const passphrase = named(r, "random:index/randomPassword:RandomPassword", "topobank-production-backup-passphrase");
  assert.equal(passphrase.inputs.length, 40);
  assert.equal(passphrase.options.protect, true, "losing the passphrase loses every dump");
  const c = topobankContainers(r);
  const backup = c.get("dbbackup");
  assert.ok(backup?.propertyDependencies.envs.includes(passphrase.urn), "dbbackup gets the passphrase");
  const users = r.resources.filter((x) => Object.values(x.propertyDependencies).some((urns) => urns.includes(passphrase.urn))).map((x) => x.name);
  assert.deepEqual(users, ["topobank-production-dbbackup"], "no other resource holds it");
  const env = envOf(backup);
  assert.ok(!("PASSPHRASE" in env), "the passphrase is never plain text");
  // The image's CMD (`sh run.sh`) runs go-cron with SCHEDULE; nothing of go-s3-backup remains.
  assert.equal(backup?.inputs.command, undefined);
  assert.deepEqual(Object.keys(env).filter((k) => k !== "[secret]").sort(), [
    "BACKUP_KEEP_DAYS", "POSTGRES_DATABASE", "POSTGRES_HOST", "POSTGRES_PORT", "S3_BUCKET", "S3_ENDPOINT", "S3_PREFIX", "S3_REGION", "SCHEDULE",
  ]);
  // Secret: PASSPHRASE, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, POSTGRES_USER, POSTGRES_PASSWORD.
  assert.equal((backup?.inputs.envs as string[]).filter((e) => e === "[secret]").length, 5);
  assert.equal(env.S3_PREFIX, "backup");
  assert.equal(env.SCHEDULE, "@daily");
  assert.equal(env.BACKUP_KEEP_DAYS, "14", "Pulumi.production.yaml keepDays");
  assert.equal(env.POSTGRES_HOST, "postgres");
  assert.equal(env.POSTGRES_DATABASE, "topobank");
  assert.equal(env.S3_ENDPOINT, "https://fra1.digitaloceanspaces.com");
});

test("a version roll of the idle colour rebuilds and replaces only that colour's image and containers", async () => {
  const [before, after] = await Promise.all([
    beforeSwitch,
    renderIsolatedOk({ stack: "production", overrides: ["apps.topobank.versions.blue=0.16.2", "apps.topobank.versions.green=0.17.1", "apps.topobank.live=blue"] }),
  ]);
  const a = keyed(before);
  const b = keyed(after);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  const changed = [...a.keys()].filter((k) => JSON.stringify(a.get(k)?.inputs) !== JSON.stringify(b.get(k)?.inputs)).map((k) => k.split("::")[1]).sort();
  // The build, the images green's containers pull, and green's release step; nothing of blue's or shared.
  assert.deepEqual(changed, [
    "topobank-production-django-green-image",
    "topobank-production-flower-green-image",
    "topobank-production-green-image",
    "topobank-production-release-green",
    // The dump the release waits for (issue 16) runs again for the new version.
    "topobank-production-release-green-dump",
  ]);
  // Green's containers take their image from the changed image resources, so the engine replaces them too.
  for (const name of ["django-green", "flower-green"]) {
    const container = named(after, CONTAINER, `topobank-production-${name}`);
    assert.deepEqual(container.propertyDependencies.image, [named(after, "docker:index/remoteImage:RemoteImage", `topobank-production-${name}-image`).urn]);
  }
});

test("dumps go to a versioned bucket of their own whose key and passphrase only the backup container holds", async () => {
  const r = await production;
  const backups = named(r, "digitalocean:index/spacesBucket:SpacesBucket", "topobank-production-backups");
  assert.equal(backups.inputs.name, "topobank-assets-production-backups");
  assert.deepEqual(backups.inputs.versioning, { enabled: true });
  assert.equal(backups.options.protect, true);
  const backupKey = named(r, "digitalocean:index/spacesKey:SpacesKey", "topobank-production-backups-key").urn;
  const mediaKey = named(r, "digitalocean:index/spacesKey:SpacesKey", "topobank-production-bucket-key").urn;
  const c = topobankContainers(r);
  assert.equal(envOf(c.get("dbbackup")).S3_BUCKET, "topobank-assets-production-backups");
  assert.ok(c.get("dbbackup")?.propertyDependencies.envs.includes(backupKey), "dbbackup uses the backup key");
  const passphrase = named(r, "random:index/randomPassword:RandomPassword", "topobank-production-backup-passphrase").urn;
  for (const name of ["django-blue", "django-green", "flower-blue", "flower-green", "celeryworker", "celerybeat"]) {
    const deps = c.get(name)?.propertyDependencies.envs ?? [];
    assert.ok(!deps.includes(backupKey), `${name} never holds the backup key`);
    assert.ok(!deps.includes(passphrase), `${name} never holds the backup passphrase`);
    assert.ok(deps.includes(mediaKey), `${name} uses the media key`);
  }
});

test("with an existing S3 bucket (which shares the app's key), dumps are still encrypted with a passphrase only dbbackup holds", async () => {
  const r = await renderIsolatedOk({
    stack: "production",
    overrides: [
      "apps.topobank.bucket={kind: s3, name: topobank-media, endpoint: 'https://s3.eu-central-1.amazonaws.com', region: eu-central-1}",
      "platform:secrets.topobank.s3={accessKeyId: {secure: a}, secretAccessKey: {secure: b}}",
      // nmpi's backup has a PASSPHRASE too: without it, any PASSPHRASE= secret below is topobank's.
      "apps.nmpi.enabled=false",
    ],
  });
  assert.equal(r.resources.filter((x) => x.type === "digitalocean:index/spacesBucket:SpacesBucket" && x.name.startsWith("topobank-")).length, 0);
  const c = topobankContainers(r);
  const env = envOf(c.get("dbbackup"));
  assert.deepEqual([env.S3_BUCKET, env.S3_ENDPOINT, env.S3_REGION, env.S3_PREFIX], ["topobank-media", "https://s3.eu-central-1.amazonaws.com", "eu-central-1", "backup"]);
  // The env entry itself is a secret, so its value is collected whole and never rendered.
  assert.equal(r.secretValues.filter((v) => /^PASSPHRASE=mock-password-[0-9a-f]{40}$/.test(v)).length, 1, "dbbackup has a secret PASSPHRASE");
  const passphrase = named(r, "random:index/randomPassword:RandomPassword", "topobank-production-backup-passphrase").urn;
  const users = r.resources.filter((x) => Object.values(x.propertyDependencies).some((urns) => urns.includes(passphrase))).map((x) => x.name);
  assert.deepEqual(users, ["topobank-production-dbbackup"]);
  const text = renderedValues({ ...r, resources: r.resources.filter((x) => x.name.startsWith("topobank")) });
  assert.ok(!text.includes("PASSPHRASE=mock"), "never plain text");
});
