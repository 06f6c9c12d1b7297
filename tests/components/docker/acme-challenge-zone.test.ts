/**
 * DNS-01 through a separate challenge zone (security review M5): the certbot token then writes one
 * zone only. The hook is run for real against a local stand-in for the DigitalOcean API.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { CHALLENGE_HOOK, CHALLENGE_HOOK_PATH, certbotDnsContainer, certbotScript, challengeCname } from "../../../components/docker/acme-dns";
import { runTool, tempFile } from "../../support";

const run = promisify(execFile);

test("M5: with a challenge zone, certbot uses the zone hook and never writes the token into the DigitalOcean plugin's ini", () => {
  const spec = certbotDnsContainer({
    name: "certbot",
    image: "certbot/dns-digitalocean:v3.0.1",
    certName: "nmpi",
    hostnames: ["nmpi.example.org", "blue.nmpi.example.org"],
    email: "ops@example.org",
    dnsToken: "dop_v1_x",
    store: { volume: "letsencrypt" },
    challengeZone: "acme.example.net",
  });
  const script = String(spec.command?.[0]);
  assert.doesNotMatch(script, /dns-digitalocean|digitalocean\.ini/);
  assert.match(script, new RegExp(`--manual-auth-hook "python3 ${CHALLENGE_HOOK_PATH} auth" --manual-cleanup-hook "python3 ${CHALLENGE_HOOK_PATH} cleanup"`));
  assert.deepEqual(spec.files, [{ path: CHALLENGE_HOOK_PATH, content: CHALLENGE_HOOK }]);
  assert.equal(spec.env?.ACME_CHALLENGE_ZONE, "acme.example.net");
  for (const s of [script, certbotScript(["nmpi.example.org"], true)]) {
    const lint = runTool("shellcheck", ["-s", "sh", tempFile("certbot.sh", s)]);
    assert.equal(lint.status, 0, lint.output);
  }
  assert.deepEqual(challengeCname("nmpi.example.org", "acme.example.net"), { name: "_acme-challenge.nmpi.example.org", target: "nmpi.example.org.acme.example.net." });
  assert.throws(() => certbotDnsContainer({ ...{ name: "c", image: "i:1", certName: "n", hostnames: ["a.example.org"], email: "e", dnsToken: "t", store: { volume: "v" } }, challengeZone: "acme.example.net; rm -rf /" }), /challengeZone/);
});

test("M5: the hook creates the TXT record in the challenge zone only, and the cleanup deletes exactly that record", async () => {
  const requests: { method: string; url: string; auth: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      requests.push({ method: String(req.method), url: String(req.url), auth: String(req.headers.authorization), body });
      res.setHeader("Content-Type", "application/json");
      res.end(req.method === "POST" ? JSON.stringify({ domain_record: { id: 4242, type: "TXT" } }) : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const hook = tempFile("hook.py", CHALLENGE_HOOK);
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DO_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      DO_DNS_TOKEN: "dop_v1_token",
      ACME_CHALLENGE_ZONE: "acme.example.net",
      ACME_PROPAGATION_SECONDS: "0",
      CERTBOT_DOMAIN: "nmpi.example.org",
      CERTBOT_VALIDATION: "validation-token",
    };
    const auth = await run("python3", [hook, "auth"], { env });
    assert.equal(auth.stdout.trim(), "4242");
    await run("python3", [hook, "cleanup"], { env: { ...env, CERTBOT_AUTH_OUTPUT: auth.stdout } });
  } finally {
    server.close();
  }
  assert.deepEqual(
    requests.map((r) => [r.method, r.url, r.auth]),
    [
      ["POST", "/v2/domains/acme.example.net/records", "Bearer dop_v1_token"],
      ["DELETE", "/v2/domains/acme.example.net/records/4242", "Bearer dop_v1_token"],
    ],
  );
  assert.deepEqual(JSON.parse(requests[0].body), { type: "TXT", name: "nmpi.example.org", data: "validation-token", ttl: 30 });
});

test("M5: renewal runs with the same authenticator and hooks as issuance, so a store issued by the DigitalOcean plugin renews through the zone", async () => {
  // certbot restores a certificate's stored authenticator unless the command line names one (certbot
  // _internal/renewal.py restore_required_config_elements): `renew` must carry the hooks itself.
  const log = tempFile("calls", "");
  const bin = dirname(log);
  writeFileSync(join(bin, "certbot"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${log}.$1"\n[ "$1" = renew ] && kill -TERM "$PPID"\nexit 0\n`, { mode: 0o755 });
  writeFileSync(join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const script = certbotScript(["nmpi.example.org", "blue.nmpi.example.org"], false, [], "acme.example.net");
  const env = { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, ACME_EMAIL: "ops@example.org", CERT_NAME: "nmpi" };
  await run("sh", ["-c", script], { env }).catch((err: { signal?: string }) => assert.equal(err.signal, "SIGTERM", String(err)));
  const args = (call: string) => readFileSync(`${log}.${call}`, "utf8").split("\n").slice(1, -1);
  const issue = args("certonly");
  const renew = args("renew");
  assert.ok(renew.includes("--manual-auth-hook") && renew.includes(`python3 ${CHALLENGE_HOOK_PATH} auth`), renew.join(" "));
  assert.ok(renew.includes(`python3 ${CHALLENGE_HOOK_PATH} cleanup`), "each hook is one argument");
  assert.deepEqual(renew, issue.slice(0, renew.length), "renew takes the options issuance took");
  assert.deepEqual(issue.slice(renew.length), ["--keep-until-expiring", "--expand", "--cert-name", "nmpi", "-d", "nmpi.example.org", "-d", "blue.nmpi.example.org"]);
});
