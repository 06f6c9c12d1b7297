/**
 * Let's Encrypt certificates through DNS-01 against a DigitalOcean domain, for a proxy container.
 * DNS-01 lets a node hold a valid certificate for a host name that currently points elsewhere (the
 * idle colour's node for the production name), so a colour switch never waits for issuance.
 */
import type * as pulumi from "@pulumi/pulumi";
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
  /** DigitalOcean token limited to the domain scopes (secret). */
  dnsToken: pulumi.Input<string>;
  /** Where /etc/letsencrypt is kept; give the proxy the same store. */
  store: CertificateStore;
  /** Use Let's Encrypt's staging CA (untrusted certificates, generous limits). Default: false. */
  staging?: boolean;
  /** Other directory names under live/ the certificate must also be found at (an image expecting fixed paths). Default: none. */
  aliases?: string[];
}

/**
 * The certbot loop: issue (or expand) once, then try renewal twice a day. Renewal happens 30 days
 * before expiry; the proxy reloads every 6 hours, so a renewed certificate is served within a day.
 */
export function certbotScript(hostnames: readonly string[], staging: boolean, aliases: readonly string[] = []): string {
  const domains = hostnames.map((h) => `-d ${h}`).join(" ");
  for (const alias of aliases) if (!/^[a-z0-9][a-z0-9.-]*$/.test(alias)) throw new Error(`certbotScript: alias ${JSON.stringify(alias)} must be a directory name`);
  // Relative links inside live/: they resolve wherever the store is mounted.
  const links = aliases.map((a) => `ln -sfn "$CERT_NAME" /etc/letsencrypt/live/${a}\n`).join("");
  return `set -eu
umask 077
printf 'dns_digitalocean_token = %s\\n' "$DO_DNS_TOKEN" > /tmp/digitalocean.ini
flags="--non-interactive --agree-tos -m $ACME_EMAIL --dns-digitalocean --dns-digitalocean-credentials /tmp/digitalocean.ini --dns-digitalocean-propagation-seconds 60${staging ? " --test-cert" : ""}"
# shellcheck disable=SC2086 # flags is a word list on purpose
certbot certonly $flags --keep-until-expiring --expand --cert-name "$CERT_NAME" ${domains}
${links}while :; do
  sleep 12h &
  wait $!
  # shellcheck disable=SC2086
  certbot renew $flags || echo "certbot renew failed; retrying in 12 h" >&2
done
`;
}

/** The certbot container: issues and renews one certificate through DNS-01. */
export function certbotDnsContainer(args: CertbotDnsArgs): ContainerSpec {
  if (args.hostnames.length === 0) throw new Error("certbotDnsContainer: hostnames must not be empty");
  return {
    name: args.name,
    image: args.image,
    entrypoint: ["/bin/sh", "-c"],
    command: [certbotScript(args.hostnames, args.staging ?? false, args.aliases ?? [])],
    env: { DO_DNS_TOKEN: args.dnsToken, ACME_EMAIL: args.email, CERT_NAME: args.certName },
    mounts: [storeMount(args.store, false)],
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
