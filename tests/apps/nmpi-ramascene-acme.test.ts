/**
 * Security review M5, wired into the apps: with `apps.<app>.acme.challengeZone`, nmpi's and
 * ramascene's certbot answer DNS-01 through a zone of a DigitalOcean team of its own, holding only
 * that team's token, and the program delegates `_acme-challenge.<name>` of every certificate name to
 * it; the account-wide token only with the explicit `acme.accountWideToken: true`.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { before, test } from "node:test";
import { ConfigError, parsePlatformConfig } from "../../config";
import { CHALLENGE_HOOK_PATH } from "../../components/docker/acme-dns";
import { type RenderedResource, type RenderResult, SECRET_MARKER } from "../../tools/render/harness";
import { renderIsolated } from "../../tools/render/isolated";
import { projectRoot, readStackConfig, toProgramConfig } from "../../tools/render/stack-config";
import { changeSet, named, ofType, renderOnce } from "../support";

const CONTAINER = "docker:index/container:Container";
const RECORD = "digitalocean:index/dnsRecord:DnsRecord";
const DOMAIN = "digitalocean:index/domain:Domain";
const ZONE = "acme-production.example.net";

/** Both apps as the runbooks ran them: certbot's DigitalOcean plugin with a token of the app zone's team. */
function accountWideOverrides(): string[] {
  const secrets = readStackConfig(projectRoot(), "production")["platform:secrets"] as Record<string, Record<string, unknown>>;
  return ["nmpi", "ramascene"].flatMap((app) => {
    const { acmeChallengeZoneToken: _zoneToken, ...rest } = secrets[app];
    // JSON is YAML: the whole secrets.<app> subtree, the challenge zone token swapped for the account-wide one.
    return [`apps.${app}.acme={"accountWideToken": true}`, `secrets.${app}=${JSON.stringify({ ...rest, acmeDnsToken: { secure: "v1:account-wide" } })}`];
  });
}

let zone: RenderResult;
let accountWide: RenderResult;
before(async () => {
  [zone, accountWide] = await Promise.all([renderOnce("production"), renderOnce("production", accountWideOverrides())]);
});

/**
 * The keyed digest the harness records for a secret input (tools/render/harness.ts `secretDigest`):
 * lets a test tell which secret reached an input without the render ever showing it.
 */
function digestOf(value: string): string {
  return createHmac("sha256", process.env.PLATFORM_PLAN_SECRET_KEY || "platform-offline-plan").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/** The placeholder the harness decrypts `secure:` config at `path` to (tools/render/stack-config.ts). */
const placeholder = (path: string) => `mock-secret(platform:secrets.${path})`;

/** The certbot containers of each app. */
const CERTBOTS = { nmpi: ["nmpi-production-blue-certbot", "nmpi-production-green-certbot"], ramascene: ["ramascene-production-certbot"] } as const;
type AcmeApp = keyof typeof CERTBOTS;

/** The host names on a certbot container's certificate (its `-d` arguments). */
function certificateNames(certbot: RenderedResource): string[] {
  const script = (certbot.inputs.command as string[])[0];
  return [...script.matchAll(/ -d ([a-z0-9.-]+)/g)].map((m) => m[1]);
}

/** The value the env list passes for `name` (the secret marker for a secret). */
function envOf(container: RenderedResource, name: string): string | undefined {
  const envs = container.inputs.envs as string[];
  const plain = envs.find((e) => e.startsWith(`${name}=`));
  return plain?.slice(name.length + 1);
}

/** The digests of every secret in a container's env. */
function secretEnvDigests(container: RenderedResource): string[] {
  return (container.inputs.envs as string[]).flatMap((e, i) => (e === SECRET_MARKER ? [container.secretDigests[`envs[${i}]`]] : []));
}

/** CNAME records of an app's DNS zone component. */
function challengeRecords(stack: RenderResult, app: AcmeApp): RenderedResource[] {
  return ofType(stack, RECORD).filter((r) => r.inputs.type === "CNAME" && r.parent.endsWith(`::${app}-production-dns`));
}

for (const app of ["nmpi", "ramascene"] as const) {
  test(`${app}: with a challenge zone, certbot runs the zone hook with ACME_CHALLENGE_ZONE and the challenge zone team's token only`, () => {
    for (const name of CERTBOTS[app]) {
      const certbot = named(zone, CONTAINER, name);
      const script = (certbot.inputs.command as string[])[0];
      assert.equal(envOf(certbot, "ACME_CHALLENGE_ZONE"), ZONE);
      assert.ok(script.includes(`--manual-auth-hook "python3 ${CHALLENGE_HOOK_PATH} auth"`), script);
      assert.ok(script.includes(`--manual-cleanup-hook "python3 ${CHALLENGE_HOOK_PATH} cleanup"`), script);
      assert.ok(!script.includes("--dns-digitalocean") && !script.includes("digitalocean.ini"), "the DigitalOcean plugin and its ini are gone");
      assert.ok((certbot.inputs.uploads as { file: string }[]).some((u) => u.file === CHALLENGE_HOOK_PATH), "the hook is in the container");
      // The one secret in certbot's env is the challenge zone team's token, passed as DO_DNS_TOKEN.
      assert.deepEqual(secretEnvDigests(certbot), [digestOf(`DO_DNS_TOKEN=${placeholder(`${app}.acmeChallengeZoneToken`)}`)]);
    }
  });

  test(`${app}: no resource receives a DNS token of the app zone's team when the challenge zone is set`, () => {
    const wide = digestOf(`DO_DNS_TOKEN=${placeholder(`${app}.acmeDnsToken`)}`);
    // The digest is what the account-wide render passes: the check would see the token if it were there.
    assert.ok(CERTBOTS[app].every((n) => secretEnvDigests(named(accountWide, CONTAINER, n)).includes(wide)));
    for (const r of zone.resources) assert.ok(!Object.values(r.secretDigests).includes(wide), `${r.name} holds the account-wide token`);
    assert.ok(!zone.secretValues.includes(placeholder(`${app}.acmeDnsToken`)), "the account-wide token is not even in the config");
  });

  test(`${app}: each certificate name gets _acme-challenge.<name> CNAME <name>.<challenge zone>. in the app's zone, after the zone`, () => {
    const names = [...new Set(CERTBOTS[app].flatMap((n) => certificateNames(named(zone, CONTAINER, n))))].sort();
    assert.ok(names.length >= (app === "nmpi" ? 6 : 3), `certificate names: ${names.join(", ")}`);
    const records = challengeRecords(zone, app);
    const dnsZone = app === "nmpi" ? "hbpneuromorphic.eu" : "cml.example.org";
    const domain = ofType(zone, DOMAIN).find((d) => d.inputs.name === dnsZone);
    assert.ok(domain, `the ${dnsZone} domain`);
    assert.deepEqual(
      records.map((r) => [`${String(r.inputs.name)}.${dnsZone}`, r.inputs.value]).sort(),
      names.map((n) => [`_acme-challenge.${n}`, `${n}.${ZONE}.`]),
    );
    for (const r of records) {
      assert.deepEqual(r.propertyDependencies.domain, [domain.urn], `${r.name} takes its domain from the zone resource`);
      assert.ok(r.name.startsWith(`${app}-production-dns-`), `${r.name} follows the app's naming rule`);
    }
  });

  test(`${app}: without a challenge zone there is no challenge CNAME and certbot keeps the DigitalOcean plugin`, () => {
    assert.deepEqual(challengeRecords(accountWide, app), []);
    for (const name of CERTBOTS[app]) {
      const certbot = named(accountWide, CONTAINER, name);
      assert.ok((certbot.inputs.command as string[])[0].includes("--dns-digitalocean"));
      assert.equal(envOf(certbot, "ACME_CHALLENGE_ZONE"), undefined);
    }
  });
}

test("switching the challenge zone on creates the CNAMEs and replaces only the certbot containers", () => {
  const changes = changeSet(accountWide, zone);
  assert.deepEqual(changes.create.sort(), [...challengeRecords(zone, "nmpi"), ...challengeRecords(zone, "ramascene")].map((r) => r.urn).sort());
  // The Docker provider replaces a container on any change to its command, env or uploaded files; the
  // proxies and services only start `after` certbot (an ordering, not an input), so they stay.
  const certbots = [...CERTBOTS.nmpi, ...CERTBOTS.ramascene].map((n) => named(zone, CONTAINER, n).urn).sort();
  assert.deepEqual(Object.keys(changes.replace).sort(), certbots);
  for (const urn of certbots) {
    assert.ok(changes.replace[urn].some((cause) => /command|envs|uploads/.test(cause)), `${urn}: ${changes.replace[urn].join(", ")}`);
  }
  assert.deepEqual(changes.update, {}, "nothing else changes in place");
  assert.deepEqual(changes.delete, []);
});

// --- Config: the choice is explicit, and each wrong combination names its key.

/** The production stack's config as the program receives it, with `apps.<app>.acme` and `secrets.<app>` token keys replaced. */
function productionWith(edit: (apps: Record<string, Record<string, unknown>>, secrets: Record<string, Record<string, unknown>>) => void): readonly string[] {
  const config = toProgramConfig(readStackConfig(projectRoot(), "production"));
  const apps = JSON.parse(config.values["platform:apps"]) as Record<string, Record<string, unknown>>;
  const secrets = JSON.parse(config.values["platform:secrets"]) as Record<string, Record<string, unknown>>;
  edit(apps, secrets);
  const values = { ...config.values, "platform:apps": JSON.stringify(apps), "platform:secrets": JSON.stringify(secrets) };
  try {
    parsePlatformConfig({ values, secretKeys: new Set(config.secretKeys) }, "production");
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

const TOKEN = "dop_v1_0123456789abcdef0123456789";
const cases: { rule: string; edit: Parameters<typeof productionWith>[0]; expect: RegExp }[] = [
  {
    rule: "no choice at all is refused, naming the challenge zone key and the opt-out",
    edit: (apps) => delete apps.nmpi.acme,
    expect: /^platform:apps\.nmpi\.acme\.challengeZone: missing; required: a zone in a DigitalOcean team of its own .*platform:apps\.nmpi\.acme\.accountWideToken/,
  },
  {
    rule: "a challenge zone that is the app's own zone is refused with its value",
    edit: (apps) => (apps.ramascene.acme = { challengeZone: "cml.example.org" }),
    expect: /^platform:apps\.ramascene\.acme\.challengeZone: got "cml\.example\.org"; must be a zone outside the app's DNS zone "cml\.example\.org"/,
  },
  {
    rule: "a challenge zone that is a parent of the app's zone is refused",
    edit: (apps) => (apps.ramascene.acme = { challengeZone: "example.org" }),
    expect: /^platform:apps\.ramascene\.acme\.challengeZone: got "example\.org"; must be a zone outside the app's DNS zone "cml\.example\.org"/,
  },
  {
    rule: "a challenge zone that is no DNS name is refused with its value",
    edit: (apps) => (apps.nmpi.acme = { challengeZone: "Acme_Zone" }),
    expect: /^platform:apps\.nmpi\.acme\.challengeZone: got "Acme_Zone"; a lower-case DNS name/,
  },
  {
    rule: "the account-wide token next to a challenge zone is refused: the nodes must not hold it",
    edit: (_apps, secrets) => (secrets.nmpi.acmeDnsToken = TOKEN),
    expect: /^platform:secrets\.nmpi\.acmeDnsToken: got \[secret\]; must be removed when platform:apps\.nmpi\.acme\.challengeZone is set/,
  },
  {
    rule: "a challenge zone without the challenge zone team's token is refused",
    edit: (_apps, secrets) => delete secrets.ramascene.acmeChallengeZoneToken,
    expect: /^platform:secrets\.ramascene\.acmeChallengeZoneToken: missing; required because platform:apps\.ramascene\.acme\.challengeZone is set/,
  },
  {
    rule: "both a challenge zone and the opt-out are refused",
    edit: (apps) => (apps.nmpi.acme = { challengeZone: ZONE, accountWideToken: true }),
    expect: /^platform:apps\.nmpi\.acme\.accountWideToken: got true; must not be true when platform:apps\.nmpi\.acme\.challengeZone is set/,
  },
  {
    rule: "the opt-out without the account-wide token is refused",
    edit: (apps, secrets) => {
      apps.nmpi.acme = { accountWideToken: true };
      delete secrets.nmpi.acmeChallengeZoneToken;
    },
    expect: /^platform:secrets\.nmpi\.acmeDnsToken: missing; required because platform:apps\.nmpi\.acme\.accountWideToken is true/,
  },
  {
    rule: "the opt-out with the challenge zone team's token still set is refused",
    edit: (apps, secrets) => {
      apps.ramascene.acme = { accountWideToken: true };
      secrets.ramascene.acmeDnsToken = TOKEN;
    },
    expect: /^platform:secrets\.ramascene\.acmeChallengeZoneToken: got \[secret\]; is used only with platform:apps\.ramascene\.acme\.challengeZone/,
  },
];
for (const c of cases) {
  test(`config: ${c.rule}`, () => {
    const problems = productionWith(c.edit);
    assert.ok(problems.some((p) => c.expect.test(p)), `no problem matches ${c.expect}; got:\n${problems.join("\n")}`);
  });
}

test("config: the explicit opt-out with the account-wide token passes, in production too", () => {
  const problems = productionWith((apps, secrets) => {
    apps.nmpi.acme = { accountWideToken: true };
    const { acmeChallengeZoneToken: _zoneToken, ...rest } = secrets.nmpi;
    secrets.nmpi = { ...rest, acmeDnsToken: TOKEN };
  });
  assert.deepEqual(problems, []);
});

test("the program refuses a stack without the choice before registering anything", async () => {
  const outcome = await renderIsolated({ stack: "staging", overrides: ["apps.ramascene.acme={}"] });
  assert.equal(outcome.ok, false);
  const text = outcome.ok ? "" : [outcome.message, ...(outcome.problems ?? [])].join("\n");
  assert.match(text, /platform:apps\.ramascene\.acme\.challengeZone: missing/);
  assert.equal(outcome.ok ? -1 : outcome.registered, 0, "nothing is registered");
});

test("each stack file sets a challenge zone of its own: staging's token cannot answer production's challenges", () => {
  const zoneOf = (stack: string, app: AcmeApp) => {
    const apps = readStackConfig(projectRoot(), stack)["platform:apps"] as Record<string, { acme?: { challengeZone?: string } }>;
    return apps[app].acme?.challengeZone;
  };
  for (const app of ["nmpi", "ramascene"] as const) {
    const production = zoneOf("production", app);
    const staging = zoneOf("staging", app);
    assert.ok(production && staging, `${app}: both stacks set apps.${app}.acme.challengeZone`);
    assert.notEqual(production, staging, `${app}: one challenge zone (and team, and token) per stack`);
  }
});
