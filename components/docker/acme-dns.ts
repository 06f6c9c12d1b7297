/**
 * Let's Encrypt certificates through DNS-01 against a DigitalOcean domain, for a proxy container.
 * DNS-01 lets a node hold a valid certificate for a host name that currently points elsewhere (the
 * idle colour's node for the production name), so a colour switch never waits for issuance.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type CnameRecord, relativeName } from "../digitalocean/dns-zone";
import type { ContainerSpec, Mount } from "./container-stack";

/** Where certbot keeps certificates; mount the same volume read-only into the proxy. */
export const LETSENCRYPT_DIR = "/etc/letsencrypt";

/** Paths of a certificate named `certName` as certbot writes them. */
export function certificatePaths(certName: string): { certificate: string; key: string } {
  return {
    certificate: `${LETSENCRYPT_DIR}/live/${certName}/fullchain.pem`,
    key: `${LETSENCRYPT_DIR}/live/${certName}/privkey.pem`,
  };
}

/** Where certificates are kept: a named volume of the stack, or a directory on the host. */
export type CertificateStore = { volume: string } | { hostPath: string };

function storeMount(store: CertificateStore, readOnly: boolean): Mount {
  return { ...store, target: LETSENCRYPT_DIR, readOnly };
}

/** Arguments of {@link certbotDnsContainer}. */
export interface CertbotDnsArgs {
  /** Container name. */
  name: string;
  /** Image, e.g. certbot/dns-digitalocean:v3.0.1 (pinned). */
  image: string;
  /** Certificate name (directory under live/). */
  certName: string;
  /** Host names on the certificate; the first is its subject. */
  hostnames: string[];
  /** Account e-mail for expiry notices. */
  email: pulumi.Input<string>;
  /** DigitalOcean token limited to the domain scopes (secret): of the challenge zone's own team when `challengeZone` is set. */
  dnsToken: pulumi.Input<string>;
  /** Where /etc/letsencrypt is kept; give the proxy the same store. */
  store: CertificateStore;
  /** Use Let's Encrypt's staging CA (untrusted certificates, generous limits). Default: false. */
  staging?: boolean;
  /** Other directory names under live/ the certificate must also be found at (an image expecting fixed paths). Default: none. */
  aliases?: string[];
  /**
   * Zone that answers the challenges instead of the names' own zone: `_acme-challenge.<name>` must
   * be a CNAME to `<name>.<challengeZone>` (see {@link challengeCname}), which Let's Encrypt
   * follows. The token then only needs to write this zone: keep the zone in a DigitalOcean team of
   * its own, whose token reaches nothing else (DigitalOcean token scopes cannot name a zone).
   * Default: none, certbot-dns-digitalocean writes into the names' own zone, so the token can
   * change every zone of its team (security review M5).
   */
  challengeZone?: string;
}

/** Where the challenge-zone hook is written in the certbot container. */
export const CHALLENGE_HOOK_PATH = "/usr/local/bin/acme-challenge-zone-hook";

/**
 * certbot `--manual-auth-hook` / `--manual-cleanup-hook` (argument `auth` or `cleanup`) that puts
 * the DNS-01 token into the challenge zone through the DigitalOcean API (POST and DELETE
 * /v2/domains/{zone}/records). certbot sets CERTBOT_DOMAIN and CERTBOT_VALIDATION for both hooks and
 * CERTBOT_AUTH_OUTPUT (the auth hook's stdout: the record ID) for the cleanup (certbot
 * plugins/manual.py). Python 3, which the certbot image runs on; DO_API_URL only for tests.
 */
export const CHALLENGE_HOOK = `#!/usr/bin/env python3
import json, os, sys, time, urllib.request

api = os.environ.get("DO_API_URL", "https://api.digitalocean.com")
zone = os.environ["ACME_CHALLENGE_ZONE"]
records = f"{api}/v2/domains/{zone}/records"
headers = {"Authorization": "Bearer " + os.environ["DO_DNS_TOKEN"], "Content-Type": "application/json"}

if sys.argv[1] == "auth":
    # <name>.<zone>, the target of the CNAME _acme-challenge.<name>
    body = {"type": "TXT", "name": os.environ["CERTBOT_DOMAIN"], "data": os.environ["CERTBOT_VALIDATION"], "ttl": 30}
    request = urllib.request.Request(records, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:
        print(json.load(response)["domain_record"]["id"])
    time.sleep(int(os.environ.get("ACME_PROPAGATION_SECONDS", "60")))
elif sys.argv[1] == "cleanup":
    record = int(os.environ["CERTBOT_AUTH_OUTPUT"].split()[0])
    urllib.request.urlopen(urllib.request.Request(f"{records}/{record}", headers=headers, method="DELETE")).close()
else:
    sys.exit(f"usage: {sys.argv[0]} auth|cleanup")
`;

/**
 * The CNAME that delegates `hostname`'s challenge to the challenge zone: create it in the name's own
 * zone. `name` is fully qualified without a dot; `target` with one (a CNAME's data is a domain name,
 * which DigitalOcean reads back absolute).
 */
export function challengeCname(hostname: string, challengeZone: string): { name: string; target: string } {
  return { name: `_acme-challenge.${hostname}`, target: `${hostname}.${challengeZone}.` };
}

/**
 * The challenge CNAMEs of every name in `hostnames` (names on the certificates, deduplicated), as
 * records of `zone`, the names' own DigitalOcean domain. None without a challenge zone.
 */
export function challengeCnameRecords(hostnames: readonly string[], challengeZone: string | undefined, zone: string): CnameRecord[] {
  if (challengeZone === undefined) return [];
  return [...new Set(hostnames)].map((host) => {
    const cname = challengeCname(host, challengeZone);
    return { name: relativeName(cname.name, zone), target: cname.target };
  });
}

/**
 * The certbot loop: issue (or expand) once, then try renewal twice a day. Renewal happens 30 days
 * before expiry; the proxy reloads every 6 hours, so a renewed certificate is served within a day.
 * The authenticator and its hooks are given to `renew` as well: certbot keeps the authenticator a
 * certificate was issued with (renewal/<name>.conf) unless the command line names another, so a
 * store whose certificate came from the DigitalOcean plugin would otherwise renew through it, or
 * fail on `--manual` without hooks, after the switch to a challenge zone (certbot renewal.py
 * restores only what the command line did not set).
 */
export function certbotScript(hostnames: readonly string[], staging: boolean, aliases: readonly string[] = [], challengeZone?: string): string {
  const domains = hostnames.map((h) => `-d ${h}`).join(" ");
  for (const alias of aliases) if (!/^[a-z0-9][a-z0-9.-]*$/.test(alias)) throw new Error(`certbotScript: alias ${JSON.stringify(alias)} must be a directory name`);
  // Relative links inside live/: they resolve wherever the store is mounted.
  const links = aliases.map((a) => `ln -sfn "$CERT_NAME" /etc/letsencrypt/live/${a}\n`).join("");
  const authenticator = challengeZone
    ? `--manual --preferred-challenges dns --manual-auth-hook "python3 ${CHALLENGE_HOOK_PATH} auth" --manual-cleanup-hook "python3 ${CHALLENGE_HOOK_PATH} cleanup"`
    : "--dns-digitalocean --dns-digitalocean-credentials /tmp/digitalocean.ini --dns-digitalocean-propagation-seconds 60";
  return `set -eu
umask 077
${challengeZone ? "" : `printf 'dns_digitalocean_token = %s\\n' "$DO_DNS_TOKEN" > /tmp/digitalocean.ini
`}# The options issue and renewal share, as the positional parameters (a hook command is one word).
set -- --non-interactive --agree-tos -m "$ACME_EMAIL" ${authenticator}${staging ? " --test-cert" : ""}
certbot certonly "$@" --keep-until-expiring --expand --cert-name "$CERT_NAME" ${domains}
${links}while :; do
  sleep 12h &
  wait $!
  certbot renew "$@" || echo "certbot renew failed; retrying in 12 h" >&2
done
`;
}

/** The certbot container: issues and renews one certificate through DNS-01. */
export function certbotDnsContainer(args: CertbotDnsArgs): ContainerSpec {
  if (args.hostnames.length === 0) throw new Error("certbotDnsContainer: hostnames must not be empty");
  const zone = args.challengeZone;
  if (zone !== undefined && !/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(zone)) {
    throw new Error(`certbotDnsContainer: challengeZone "${zone}" is not a lower-case DNS zone name`);
  }
  return {
    name: args.name,
    image: args.image,
    entrypoint: ["/bin/sh", "-c"],
    command: [certbotScript(args.hostnames, args.staging ?? false, args.aliases ?? [], zone)],
    env: { DO_DNS_TOKEN: args.dnsToken, ACME_EMAIL: args.email, CERT_NAME: args.certName, ...(zone ? { ACME_CHALLENGE_ZONE: zone } : {}) },
    mounts: [storeMount(args.store, false)],
    files: zone ? [{ path: CHALLENGE_HOOK_PATH, content: CHALLENGE_HOOK }] : undefined,
    restart: "unless-stopped",
  };
}

/** Proxy start-up: wait until the certificate exists, reload every 6 hours to pick up renewals. */
export function proxyStartScript(certificate: string): string {
  return `set -eu
while [ ! -s '${certificate}' ]; do
  echo "waiting for ${certificate}" >&2
  sleep 5
done
( while :; do sleep 6h; nginx -s reload; done ) &
exec nginx -g 'daemon off;'
`;
}

/** Arguments of {@link nginxTlsProxyContainer}. */
export interface NginxTlsProxyArgs {
  /** Container name. */
  name: string;
  /** Pinned nginx image. */
  image: string;
  /** The whole nginx.conf (see renderNginxConfig). */
  nginxConfig: string;
  /** Path of the certificate the proxy waits for before starting. */
  certificate: string;
  /** The certificate store certbot writes to; mounted read-only. */
  store: CertificateStore;
  /** Containers started first (the upstreams, certbot). Default: none. */
  after?: string[];
}

/** The front proxy: nginx on 80/443 of every address, started once its certificate exists. */
export function nginxTlsProxyContainer(args: NginxTlsProxyArgs): ContainerSpec {
  return {
    name: args.name,
    image: args.image,
    entrypoint: ["/bin/sh", "-c"],
    command: [proxyStartScript(args.certificate)],
    ports: [
      { internal: 80, external: 80, ip: "0.0.0.0" },
      { internal: 443, external: 443, ip: "0.0.0.0" },
    ],
    files: [{ path: "/etc/nginx/nginx.conf", content: args.nginxConfig }],
    mounts: [storeMount(args.store, true)],
    after: args.after,
  };
}
