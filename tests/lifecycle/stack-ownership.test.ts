/**
 * Production and staging in one DigitalOcean account: neither creates what the other owns, so both
 * can be deployed and staging can be destroyed without touching production.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { RenderResult } from "../../tools/render/harness";
import { renderIsolated, renderIsolatedOk } from "../../tools/render/isolated";
import { named, ofType, renderOnce } from "../support";

const DOMAIN = "digitalocean:index/domain:Domain";
const RECORD = "digitalocean:index/dnsRecord:DnsRecord";

let production: RenderResult;
let staging: RenderResult;
before(async () => {
  [production, staging] = await Promise.all([renderOnce("production"), renderOnce("staging")]);
});

/** Zones a stack creates (a Domain without `import`). */
function createdZones(stack: RenderResult): string[] {
  return ofType(stack, DOMAIN).filter((d) => d.options.import === undefined).map((d) => String(d.inputs.name));
}

test("staging and production share no created zone, and production adopts its zones and keeps them", () => {
  const stagingZones = createdZones(staging);
  const productionZones = createdZones(production);
  assert.deepEqual(stagingZones.filter((z) => productionZones.includes(z)), []);
  assert.deepEqual(ofType(staging, DOMAIN), [], "staging owns no zone: it manages only its records");
  const adopted = ofType(production, DOMAIN);
  assert.deepEqual(adopted.map((d) => String(d.inputs.name)).sort(), ["cml.example.org", "contact.engineering", "hbpneuromorphic.eu"]);
  for (const domain of adopted) {
    assert.equal(domain.options.import, domain.inputs.name, `${String(domain.inputs.name)} is imported`);
    assert.equal(domain.options.retainOnDelete, true, `${String(domain.inputs.name)} outlives the stack`);
  }
});

test("staging's DNS records use names production never manages, and none at a zone's apex", () => {
  const key = (r: RenderResult["resources"][number]) => `${String(r.inputs.name)}.${String(r.inputs.domain)}`;
  const productionNames = new Set(ofType(production, RECORD).map(key));
  const stagingRecords = ofType(staging, RECORD);
  assert.ok(stagingRecords.length >= 10, "staging still publishes its records");
  for (const record of stagingRecords) {
    assert.ok(!productionNames.has(key(record)), `${key(record)} is production's`);
    assert.notEqual(record.inputs.name, "@", `${key(record)} is a zone apex`);
  }
});

test("staging's load balancer takes the live colour only after its proxy container is up", () => {
  const lb = named(staging, "digitalocean:index/loadBalancer:LoadBalancer", "nmpi-staging-live");
  const liveProxy = named(staging, "docker:index/container:Container", "nmpi-staging-blue-proxy");
  assert.ok(lb.options.dependsOn.includes(liveProxy.urn));
});

test("a records-only stack must not manage its zone's apex", async () => {
  const outcome = await renderIsolated({ stack: "staging", overrides: ["apps.ramascene.domain=cml.example.org"] });
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? "" : outcome.message + (outcome.problems ?? []).join("\n"), /platform:apps\.ramascene\.domain/);
  assert.equal(outcome.ok ? -1 : outcome.registered, 0, "nothing is registered");
});

test("config rejects a region Spaces does not serve for an app with a Spaces bucket, naming the key", async () => {
  const outcome = await renderIsolated({ stack: "production", overrides: ["apps.nmpi.region=nyc1"] });
  assert.equal(outcome.ok, false);
  const text = outcome.ok ? "" : outcome.message + (outcome.problems ?? []).join("\n");
  assert.match(text, /platform:apps\.nmpi\.region/);
  assert.match(text, /nyc1/);
  assert.match(text, /ams3/, "says what is allowed");
  assert.equal(outcome.ok ? -1 : outcome.registered, 0, "nothing is registered");
  // ramascene has no bucket: nyc1 stays allowed for it.
  const ramascene = await renderIsolated({ stack: "production", overrides: ["apps.ramascene.region=nyc1"] });
  assert.equal(ramascene.ok, true, ramascene.ok ? "" : ramascene.message);
});

test("staging's load-balancer certificate is named after its host names, so a new set never collides with the old", async () => {
  const cert = named(staging, "digitalocean:index/certificate:Certificate", "nmpi-staging-live-cert");
  assert.match(String(cert.inputs.name), /^nmpi-staging-live-cert-[0-9a-f]{8}$/);
  const other = await renderIsolatedOk({ stack: "staging", overrides: ["apps.nmpi.domain=nmpi-staging2.hbpneuromorphic.eu"] });
  const renamed = named(other, "digitalocean:index/certificate:Certificate", "nmpi-staging-live-cert");
  assert.notEqual(renamed.inputs.name, cert.inputs.name);
  const lb = named(other, "digitalocean:index/loadBalancer:LoadBalancer", "nmpi-staging-live");
  const rules = lb.inputs.forwardingRules as { certificateName?: string }[];
  assert.ok(rules.some((r) => r.certificateName === renamed.inputs.name), "the load balancer takes the new certificate");
});
