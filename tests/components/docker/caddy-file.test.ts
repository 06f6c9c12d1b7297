import { test } from "node:test";
import assert from "node:assert/strict";
import { renderCaddyfile } from "../../../components/docker/caddy-file";
import { colourRoutes } from "../../../components/docker/colour-hosts";
import { caddyValidate, upstreamOf } from "./caddy-validate";

const sites = [
  ...colourRoutes("app.example.org", "green").map((r) => ({ hostnames: r.hostnames, upstream: `web-${r.colour}:5000`, maxBodySize: "500MB" })),
  { hostnames: ["flower.app.example.org"], upstream: "flower-green:5555", allowFrom: ["198.51.100.0/24", "2001:db8::/32"] },
];

test("the generated Caddyfile with colour routes, an admin-only site and staging CA passes caddy validate", () => {
  caddyValidate(renderCaddyfile({ email: "ops@example.org", sites, acmeStaging: true }));
  caddyValidate(renderCaddyfile({ email: "ops@example.org", sites }));
});

test("caddy validate rejects a broken Caddyfile (the check can fail)", () => {
  assert.throws(() => caddyValidate("app.example.org {\n\treverse_proxy\n\tnot_a_directive x\n}\n"));
});

test("the production name goes to the live colour and each colour name to itself", () => {
  assert.deepEqual(colourRoutes("app.example.org", "green"), [
    { hostnames: ["app.example.org"], colour: "green" },
    { hostnames: ["blue.app.example.org"], colour: "blue" },
    { hostnames: ["green.app.example.org"], colour: "green" },
  ]);
  const text = renderCaddyfile({ email: "ops@example.org", sites });
  assert.equal(upstreamOf(text, "app.example.org"), "web-green:5000");
  assert.equal(upstreamOf(text, "blue.app.example.org"), "web-blue:5000");
  assert.equal(upstreamOf(text, "green.app.example.org"), "web-green:5000");
});

test("an admin-only site answers 403 outside the admin networks", () => {
  const text = renderCaddyfile({ email: "ops@example.org", sites });
  assert.match(text, /flower\.app\.example\.org \{\n\tencode gzip\n\t@outside not remote_ip 198\.51\.100\.0\/24 2001:db8::\/32\n\trespond @outside 403\n/);
});

test("bad arguments are rejected naming the argument", () => {
  assert.throws(() => renderCaddyfile({ email: "nope", sites }), /email/);
  assert.throws(() => renderCaddyfile({ email: "ops@example.org", sites: [] }), /sites: at least one/);
  assert.throws(() => renderCaddyfile({ email: "ops@example.org", sites: [...sites, { hostnames: ["app.example.org"], upstream: "x:1" }] }), /served twice/);
  assert.throws(() => renderCaddyfile({ email: "ops@example.org", sites: [{ hostnames: ["a.example.org"], upstream: "http://x:1" }] }), /upstream/);
  assert.throws(() => renderCaddyfile({ email: "ops@example.org", sites: [{ hostnames: ["a.example.org"], upstream: "x:1", allowFrom: [] }] }), /allowFrom/);
});
