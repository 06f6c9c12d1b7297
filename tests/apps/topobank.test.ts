import { test } from "node:test";
import assert from "node:assert/strict";
import { renderStack, type RenderedResource, type RenderResult } from "../../tools/render/harness";
import { named } from "../support";
import { renderIsolatedOk } from "../../tools/render/isolated";
import { isStateful } from "../../tools/render/stateful";
import { caddyValidate, upstreamOf } from "../components/docker/caddy-validate";

const CONTAINER = "docker:index/container:Container";
const VERSIONS = ["apps.topobank.versions.blue=1.8.2", "apps.topobank.versions.green=1.9.0"];

const production: Promise<RenderResult> = renderStack({ stack: "production" });
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
  for (const [render, version] of [[await beforeSwitch, "1.8.2"], [await afterSwitch, "1.9.0"]] as const) {
    const beats = [...topobankContainers(render).values()].filter((c) => JSON.stringify(c.inputs.command) === JSON.stringify(["/start-celerybeat"]));
    assert.equal(beats.length, 1);
    const image = render.resources.find((x) => x.name === "topobank-production-celerybeat-image");
    assert.equal(image?.inputs.name, `ghcr.io/contactengineering/topobank:${version}`);
    assert.equal(envOf(beats[0]).DEPLOYMENT_COLOUR, version === "1.8.2" ? "blue" : "green");
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
    "topobank-production-admin-url", "topobank-production-django-secret-key", "topobank-production-flower-password", "topobank-production-flower-user",
    "topobank-production-postgres-password", "topobank-production-postgres-user", "topobank-production-rabbitmq-password", "topobank-production-rabbitmq-user",
  ]);
  const text = JSON.stringify(r.resources.filter((x) => x.name.startsWith("topobank")));
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

test("migrate and register_analysis_functions run once per colour version, inside that colour's django, green after blue", async () => {
  const r = await production;
  const commands = r.resources.filter((x) => x.type === "command:remote:Command" && x.name.startsWith("topobank-production-release-"));
  assert.deepEqual(commands.map((c) => c.name).sort(), ["topobank-production-release-blue", "topobank-production-release-blue-dump", "topobank-production-release-green", "topobank-production-release-green-dump"]);
  const blue = commands.find((c) => c.name === "topobank-production-release-blue");
  const green = commands.find((c) => c.name === "topobank-production-release-green");
  assert.equal(blue?.inputs.create, "set -eu\ndocker exec django-blue python manage.py migrate --noinput\ndocker exec django-blue python manage.py register_analysis_functions");
  assert.deepEqual(blue?.inputs.triggers, ["1.8.2"]);
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
