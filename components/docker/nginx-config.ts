/**
 * A complete nginx.conf for a reverse proxy in a container, as a pure function so tests can run the
 * real `nginx -t` on it. Upstreams are resolved at request time through Docker's DNS, so the proxy
 * starts (and keeps serving the other hosts) even when one upstream container is absent.
 */

/** One server block: a set of host names proxied to one upstream. */
export interface ProxySite {
  /** Host names this block answers, e.g. ["nmpi.example.org"]. */
  hostnames: string[];
  /** Upstream as `http://<container>:<port>`. */
  upstream: string;
  /** Certificate and key paths inside the proxy container; absent means plain HTTP on port 80. */
  tls?: { certificate: string; key: string };
  /** Pass websocket upgrades (ASGI apps). Default: false. */
  websockets?: boolean;
  /** Static directories served by nginx itself: URL prefix → directory in the container. Default: none. */
  staticPaths?: Record<string, string>;
  /** Largest request body, nginx syntax. Default: "100m". */
  maxBodySize?: string;
  /** Host header sent upstream (an app that accepts one host name only). Default: the request's host. */
  upstreamHost?: string;
  /** Path prefixes sent to other upstreams, before `/`. Default: none. */
  routes?: ProxyRoute[];
}

/** A path prefix proxied to its own upstream. */
export interface ProxyRoute {
  /** URL prefix, absolute and ending in `/`, e.g. "/ws/". */
  prefix: string;
  /** Upstream as `http(s)://<container>:<port>`. */
  upstream: string;
  /** Remove the prefix before proxying (`/ws/x` reaches the upstream as `/x`). Default: false. */
  stripPrefix?: boolean;
  /** Pass websocket upgrades. Default: false. */
  websockets?: boolean;
}

/** Arguments of {@link renderNginxConfig}. */
export interface NginxConfigParams {
  sites: ProxySite[];
  /** Where `/.well-known/acme-challenge/` is served from on port 80. Default: none. */
  acmeWebroot?: string;
  /** DNS resolver for upstream names. Default: "127.0.0.11" (Docker's embedded DNS). */
  resolver?: string;
}

const HOST = /^[a-z0-9.-]+$/;
const UPSTREAM = /^https?:\/\/[a-z0-9._-]+(:[0-9]{1,5})?$/;
const PATH = /^\/[A-Za-z0-9._/-]*$/;

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`nginx config: ${message}`);
}

function proxyLocation(prefix: string, upstream: string, host: string, websockets: boolean, strip: boolean): string[] {
  const lines = [
    `    location ${prefix} {`,
    `      set $upstream ${upstream};`,
    // With a variable in proxy_pass nginx passes the request URI unchanged; a prefix is removed by rewrite.
    ...(strip ? [`      rewrite ^${prefix}(.*)$ /$1 break;`] : []),
    `      proxy_pass $upstream;`,
    `      proxy_set_header Host ${host};`,
    `      proxy_set_header X-Real-IP $remote_addr;`,
    `      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
    `      proxy_set_header X-Forwarded-Proto $scheme;`,
    `      proxy_read_timeout 300s;`,
  ];
  if (websockets) {
    lines.push(`      proxy_http_version 1.1;`, `      proxy_set_header Upgrade $http_upgrade;`, `      proxy_set_header Connection $connection_upgrade;`);
  }
  lines.push(`    }`);
  return lines;
}

function locationBlock(site: ProxySite): string {
  const host = site.upstreamHost ?? "$host";
  const lines = [
    ...(site.routes ?? []).flatMap((r) => proxyLocation(r.prefix, r.upstream, host, r.websockets ?? false, r.stripPrefix ?? false)),
    ...proxyLocation("/", site.upstream, host, site.websockets ?? false, false),
  ];
  for (const [prefix, dir] of Object.entries(site.staticPaths ?? {})) {
    lines.push(`    location ${prefix} {`, `      alias ${dir};`, `      expires 7d;`, `    }`);
  }
  return lines.join("\n");
}

export function renderNginxConfig(params: NginxConfigParams): string {
  check(params.sites.length > 0, "at least one site");
  const seen = new Set<string>();
  for (const site of params.sites) {
    check(site.hostnames.length > 0, "every site needs a host name");
    for (const h of site.hostnames) {
      check(HOST.test(h), `host name ${JSON.stringify(h)} is not a DNS name`);
      check(!seen.has(`${h}:${site.tls ? 443 : 80}`), `host name ${h} is served twice`);
      seen.add(`${h}:${site.tls ? 443 : 80}`);
    }
    check(UPSTREAM.test(site.upstream), `upstream ${JSON.stringify(site.upstream)} must look like http://container:port`);
    if (site.upstreamHost !== undefined) check(HOST.test(site.upstreamHost), `upstreamHost ${JSON.stringify(site.upstreamHost)} is not a DNS name`);
    for (const route of site.routes ?? []) {
      check(PATH.test(route.prefix) && route.prefix.endsWith("/") && route.prefix !== "/", `route prefix ${route.prefix} must be absolute, not /, and end in /`);
      check(UPSTREAM.test(route.upstream), `route upstream ${JSON.stringify(route.upstream)} must look like http://container:port`);
    }
    if (site.tls) check(PATH.test(site.tls.certificate) && PATH.test(site.tls.key), "TLS paths must be absolute");
    for (const [prefix, dir] of Object.entries(site.staticPaths ?? {})) {
      check(PATH.test(prefix) && prefix.endsWith("/") && PATH.test(dir) && dir.endsWith("/"), `static path ${prefix} -> ${dir} must be absolute and end in /`);
    }
  }
  if (params.acmeWebroot) check(PATH.test(params.acmeWebroot), "acmeWebroot must be absolute");

  const tlsSites = params.sites.filter((s) => s.tls);
  const plainSites = params.sites.filter((s) => !s.tls);
  const acme = params.acmeWebroot ? `    location /.well-known/acme-challenge/ {\n      root ${params.acmeWebroot};\n    }\n` : "";
  const blocks: string[] = [];

  // Port 80: ACME challenges, then a redirect to HTTPS for every TLS host; unknown hosts get 444.
  blocks.push(`  server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
${acme}    location / {
      return 444;
    }
  }`);
  if (tlsSites.length) {
    blocks.push(`  server {
    listen 80;
    listen [::]:80;
    server_name ${tlsSites.flatMap((s) => s.hostnames).join(" ")};
${acme}    location / {
      return 301 https://$host$request_uri;
    }
  }`);
  }
  for (const site of plainSites) {
    blocks.push(`  server {
    listen 80;
    listen [::]:80;
    server_name ${site.hostnames.join(" ")};
    client_max_body_size ${site.maxBodySize ?? "100m"};
${acme}${locationBlock(site)}
  }`);
  }
  for (const site of tlsSites) {
    const tls = site.tls as { certificate: string; key: string };
    blocks.push(`  server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name ${site.hostnames.join(" ")};
    ssl_certificate ${tls.certificate};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:TLS:10m;
    add_header Strict-Transport-Security "max-age=31536000" always;
    client_max_body_size ${site.maxBodySize ?? "100m"};
${locationBlock(site)}
  }`);
  }

  return `# Generated by the platform program; edits on the host are overwritten.
worker_processes auto;
error_log stderr warn;
pid /tmp/nginx.pid;

events {
  worker_connections 1024;
}

http {
  access_log /dev/stdout;
  server_tokens off;
  sendfile on;
  keepalive_timeout 65;
  resolver ${params.resolver ?? "127.0.0.11"} valid=10s ipv6=off;
  client_body_temp_path /tmp/nginx-client-body;
  proxy_temp_path /tmp/nginx-proxy;
  fastcgi_temp_path /tmp/nginx-fastcgi;
  uwsgi_temp_path /tmp/nginx-uwsgi;
  scgi_temp_path /tmp/nginx-scgi;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }

${blocks.join("\n\n")}
}
`;
}
