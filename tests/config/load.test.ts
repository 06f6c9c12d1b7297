/** Config validation as a pure function: every bad value named with its key, value and what is allowed. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ConfigError, parsePlatformConfig, plaintextSecretLeaves, type RawConfig } from "../../config";
import { projectRoot, stackFile } from "../../tools/render/stack-config";

const nmpi = {
  enabled: true,
  live: "blue",
  versions: { blue: "1.0.0", green: "1.0.1" },
  domain: "nmpi.example.org",
  dnsZone: "example.org",
  dnsZoneOwnership: "create",
  region: "ams3",
  nodeSize: "s-1vcpu-2gb",
  adminCidrs: ["198.51.100.0/24"],
  adminSshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfA8ZrVqk1cS9s6bI3dVZ7K3m0C1oUa7c9lB2PqWxYz ops@example.org"],
  alertEmail: "ops@example.org",
  database: { nodeSize: "s-2vcpu-4gb", volumeGiB: 20 },
  backup: { schedule: "17 3 * * *", retentionDays: 30 },
  // The runbooks' account-wide certbot token, accepted explicitly (security review M5).
  acme: { accountWideToken: true },
};
const secrets = { nmpi: { acmeDnsToken: "dop_v1_0123456789abcdef0123" } };

function raw(apps: unknown, extra: Record<string, string> = {}, secretKeys: string[] = ["platform:secrets"]): RawConfig {
  return {
    values: {
      "platform:environment": "production",
      "platform:apps": JSON.stringify(apps),
      "platform:secrets": JSON.stringify(secrets),
      ...extra,
    },
    secretKeys: new Set(secretKeys),
  };
}

function problemsOf(config: RawConfig): readonly string[] {
  try {
    parsePlatformConfig(config, "production");
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("expected the config to be rejected");
}

test("a valid config parses, with secrets as secret Outputs and production protection on", () => {
  const config = parsePlatformConfig(raw({ nmpi }), "production");
  assert.equal(config.apps.nmpi?.live, "blue");
  assert.equal(config.apps.nmpi?.routing, "reserved-ip", "routing defaults to reserved-ip");
  assert.equal(config.protectState, true);
  assert.equal(typeof config.secrets.nmpi?.acmeDnsToken, "object", "a secret is an Output, never a plain string");
});

const cases: { rule: string; apps: unknown; extra?: Record<string, string>; secretKeys?: string[]; expect: RegExp[] }[] = [
  {
    rule: "an invalid colour names the full key, the value and the allowed values",
    apps: { nmpi: { ...nmpi, live: "purple" } },
    expect: [/^platform:apps\.nmpi\.live: got "purple"; expected one of "blue", "green"$/],
  },
  {
    rule: "a missing required value is reported as missing, never defaulted",
    apps: { nmpi: { ...nmpi, alertEmail: undefined } },
    expect: [/^platform:apps\.nmpi\.alertEmail: missing; required/],
  },
  {
    rule: "an unknown key is an error that lists the allowed keys",
    apps: { nmpi: { ...nmpi, lvie: "green" } },
    expect: [/^platform:apps\.nmpi\.lvie: unknown key \(a typo\?\); allowed here: enabled, live, versions/],
  },
  {
    rule: "an unknown app is an error",
    apps: { nmpi, nmpy: { enabled: true } },
    expect: [/^platform:apps\.nmpy: unknown key/],
  },
  {
    rule: "SSH from the whole internet is refused",
    apps: { nmpi: { ...nmpi, adminCidrs: ["0.0.0.0/0"] } },
    expect: [/^platform:apps\.nmpi\.adminCidrs\[0\]: got "0\.0\.0\.0\/0"; 0\.0\.0\.0\/0 covers more than an IPv4 \/8/],
  },
  {
    // Each of these passed the string comparison with "0.0.0.0/0" and "::/0" (security review L5).
    rule: "L5: admin networks are compared as networks: the internet spelled otherwise, or halves of it, are refused with the key named",
    apps: { nmpi: { ...nmpi, adminCidrs: ["1.2.3.4/0", "0.0.0.0/1", "128.0.0.0/1", "::0/0", "0::/0", "2000::/3", "0:0:0:0:0:0:0:0/0", "10.0.0.0/7", "::ffff:0.0.0.0/96"] } },
    expect: [
      /^platform:apps\.nmpi\.adminCidrs\[0\]: got "1\.2\.3\.4\/0"; 1\.2\.3\.4\/0 covers more than an IPv4 \/8/,
      /^platform:apps\.nmpi\.adminCidrs\[1\]: .*covers more than an IPv4 \/8/,
      /^platform:apps\.nmpi\.adminCidrs\[2\]: .*covers more than an IPv4 \/8/,
      /^platform:apps\.nmpi\.adminCidrs\[3\]: got "::0\/0"; ::0\/0 covers more than an IPv6 \/16/,
      /^platform:apps\.nmpi\.adminCidrs\[4\]: .*covers more than an IPv6 \/16/,
      /^platform:apps\.nmpi\.adminCidrs\[5\]: got "2000::\/3"; .*covers more than an IPv6 \/16/,
      /^platform:apps\.nmpi\.adminCidrs\[6\]: .*covers more than an IPv6 \/16/,
      /^platform:apps\.nmpi\.adminCidrs\[7\]: got "10\.0\.0\.0\/7"; .*covers more than an IPv4 \/8/,
      /^platform:apps\.nmpi\.adminCidrs\[8\]: got "::ffff:0\.0\.0\.0\/96"; .*covers more than an IPv4 \/8/,
    ],
  },
  {
    rule: "L5: an admin network with host bits set (a typo'd prefix) is refused",
    apps: { nmpi: { ...nmpi, adminCidrs: ["198.51.100.7/8"] } },
    expect: [/^platform:apps\.nmpi\.adminCidrs\[0\]: got "198\.51\.100\.7\/8"; .*host bits set after the \/8 prefix/],
  },
  {
    rule: "L4: a secret with a newline is refused with its key, never echoed",
    apps: { nmpi },
    extra: { "platform:secrets": JSON.stringify({ nmpi: { acmeDnsToken: "dop_v1_0123456789abcdef0123\ndns_digitalocean_propagation_seconds = 1", jobQueue: { API_KEY: "k\r\nPYTHONWARNINGS=all" } } }) },
    expect: [
      /^platform:secrets\.nmpi\.acmeDnsToken: got \[secret\]; a secret must be one line/,
      /^platform:secrets\.nmpi\.jobQueue\.API_KEY: got \[secret\]; a secret must be one line/,
    ],
  },
  {
    rule: "a malformed CIDR names the array element",
    apps: { nmpi: { ...nmpi, adminCidrs: ["198.51.100.0/24", "not-a-net"] } },
    expect: [/^platform:apps\.nmpi\.adminCidrs\[1\]: got "not-a-net"; a network in CIDR notation/],
  },
  {
    rule: "a DNS zone that does not contain the domain is refused",
    apps: { nmpi: { ...nmpi, dnsZone: "example.com" } },
    expect: [/^platform:apps\.nmpi\.dnsZone: got "example\.com"; must be the domain "nmpi\.example\.org" itself or one of its parent domains/],
  },
  {
    rule: "app secrets given as plain text are refused",
    apps: { nmpi },
    secretKeys: [],
    expect: [/^platform:secrets: given as plain text; every value under it must be set with pulumi config set --secret/],
  },
  {
    rule: "a provider token given as plain text is refused",
    apps: { nmpi },
    extra: { "digitalocean:token": "dop_v1_plain" },
    expect: [/^digitalocean:token: given as plain text; set it with pulumi config set --secret digitalocean:token/],
  },
  {
    rule: "AWS access keys in stack config are refused: a role or profile serves",
    apps: { nmpi },
    extra: { "aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "x" },
    expect: [/^aws:accessKey: do not store AWS access keys/, /^aws:secretKey: do not store AWS access keys/],
  },
  {
    rule: "an enabled app without its secrets is refused",
    apps: { nmpi },
    extra: { "platform:secrets": JSON.stringify({}) },
    expect: [/^platform:secrets\.nmpi: missing; required because apps\.nmpi\.enabled is true/],
  },
];

for (const c of cases) {
  test(c.rule, () => {
    const problems = problemsOf(raw(c.apps, c.extra, c.secretKeys));
    for (const pattern of c.expect) {
      assert.ok(problems.some((p) => pattern.test(p)), `no problem matches ${pattern}; got:\n${problems.join("\n")}`);
    }
  });
}

test("narrow admin networks pass: an IPv4 /8, an IPv6 /16, single hosts, mapped IPv4 hosts", () => {
  const config = parsePlatformConfig(
    raw({ nmpi: { ...nmpi, adminCidrs: ["10.0.0.0/8", "2001::/16", "2001:db8::/32", "198.51.100.7/32", "2001:db8::1/128", "::ffff:198.51.100.0/120"] } }),
    "production",
  );
  assert.equal(config.apps.nmpi?.adminCidrs.length, 6);
});

test("every problem is reported at once, not only the first", () => {
  const problems = problemsOf(
    raw({ nmpi: { ...nmpi, live: "purple", region: "mars1", database: { nodeSize: "s-2vcpu-4gb", volumeGiB: 0 } } }, {
      "digitalocean:token": "plain",
    }),
  );
  assert.ok(problems.length >= 4, problems.join("\n"));
  for (const key of ["platform:apps.nmpi.live", "platform:apps.nmpi.region", "platform:apps.nmpi.database.volumeGiB", "digitalocean:token"]) {
    assert.ok(problems.some((p) => p.startsWith(`${key}:`)), `${key} not reported:\n${problems.join("\n")}`);
  }
});

test("a secret value is never echoed in an error message", () => {
  const leaky = "tooshort-SECRET";
  const config = raw({ nmpi });
  const values = { ...config.values, "platform:secrets": JSON.stringify({ nmpi: { acmeDnsToken: leaky } }) };
  const problems = problemsOf({ ...config, values });
  assert.ok(problems.some((p) => p.startsWith("platform:secrets.nmpi.acmeDnsToken: got [secret];")), problems.join("\n"));
  assert.ok(!problems.join("\n").includes(leaky));
});

test("L13: a plain-text leaf under platform:secrets in the stack file is refused, named by its path, value hidden", () => {
  const file = `config:
  platform:environment: production
  platform:secrets:
    nmpi:
      acmeDnsToken:
        secure: AAABAJ0cZq1
      mailPassword: hunter2-plain
    topobank:
      orcid:
        - secure: AAABAKx
        - plain-in-a-list
`;
  const paths = plaintextSecretLeaves(file);
  assert.deepEqual(paths, ["secrets.nmpi.mailPassword", "secrets.topobank.orcid[1]"]);
  // The CLI marks platform:secrets secret as a whole, so only the file shows the plain leaf.
  const problems = problemsOf({ ...raw({ nmpi }), plaintextSecretPaths: paths });
  assert.ok(problems.some((p) => p.startsWith("platform:secrets.nmpi.mailPassword: plain text in Pulumi.production.yaml")), problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("pulumi config set --secret --path 'secrets.topobank.orcid[1]'")), problems.join("\n"));
  assert.ok(!problems.join("\n").includes("hunter2"), "the plain value is not echoed");
});

test("L13: the committed stack files hold every platform:secrets leaf encrypted", () => {
  for (const stack of ["staging", "production"]) {
    assert.deepEqual(plaintextSecretLeaves(readFileSync(stackFile(projectRoot(), stack), "utf8")), [], stack);
  }
});
