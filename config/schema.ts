/**
 * The one schema for everything under the `platform:` config namespace. Per-app shapes live in
 * `config/apps/<app>.ts`; this file only assembles them and adds the rules that span apps.
 */
import { z } from "zod";
import { acmeRules } from "./apps/acme";
import { aquamarkConfig, aquamarkSecrets } from "./apps/aquamark";
import { grandCentralConfig, grandCentralSecrets } from "./apps/grand-central";
import { nmpiConfig, nmpiSecrets } from "./apps/nmpi";
import { ramasceneConfig, ramasceneSecrets } from "./apps/ramascene";
import { topobankConfig, topobankSecrets } from "./apps/topobank";
import { ENVIRONMENTS } from "./primitives";

/** Config namespace of the project (Pulumi.yaml `name`). */
export const PROJECT = "platform";

/** App names as they appear in config keys and resource names. */
export const APP_NAMES = ["nmpi", "topobank", "aquamark", "ramascene", "grand-central"] as const;
export type AppName = (typeof APP_NAMES)[number];

const appsSchema = z.strictObject({
  nmpi: nmpiConfig.optional(),
  topobank: topobankConfig.optional(),
  aquamark: aquamarkConfig.optional(),
  ramascene: ramasceneConfig.optional(),
  "grand-central": grandCentralConfig.optional(),
});

/**
 * Every string under `secrets` with a control character (newline, carriage return, tab, NUL, ...),
 * with its path. Secrets end up in line-based files: aquamark's reach the containers through an
 * env file written line by line from SSM (container-host-cloud-init.ts), the DNS token an ini file
 * (acme-dns.ts). A newline there would add a variable or setting of the writer's choosing (security
 * review L4), so a secret must be one line of printable text.
 */
export function multiLineSecrets(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === "string") return /[\u0000-\u001f\u007f]/.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => multiLineSecrets(v, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => multiLineSecrets(v, [...path, k]));
  return [];
}

const secretsSchema = z.strictObject({
  nmpi: nmpiSecrets.optional(),
  topobank: topobankSecrets.optional(),
  aquamark: aquamarkSecrets.optional(),
  ramascene: ramasceneSecrets.optional(),
  "grand-central": grandCentralSecrets.optional(),
}).superRefine((secrets, ctx) => {
  for (const path of multiLineSecrets(secrets)) {
    ctx.addIssue({
      code: "custom",
      path,
      message: "a secret must be one line without control characters (newline, carriage return, tab): it is written into env and ini files line by line",
    });
  }
});

/** Apps whose certbot needs a DigitalOcean DNS token (one of two keys, config/apps/acme.ts). */
const ACME_APPS = ["nmpi", "ramascene"] as const;

/** Apps whose secrets schema has required fields, or a DNS token: enabling them without `platform:secrets.<app>` is an error. */
const APPS_NEEDING_SECRETS = APP_NAMES.filter((app) => (ACME_APPS as readonly string[]).includes(app) || !secretsSchema.shape[app].unwrap().safeParse({}).success);

/** Top-level keys of the `platform:` namespace. */
export const platformSchema = z
  .strictObject({
    /** Which kind of environment this stack is; production turns on protection of stateful resources. */
    environment: z.enum(ENVIRONMENTS),
    /** Per-app settings; an app that is absent or `enabled: false` is not deployed. */
    apps: appsSchema,
    /** Secret settings per app. Must be set with `pulumi config set --secret --path 'secrets.<app>.<key>'`. */
    secrets: secretsSchema.default({}),
  })
  .superRefine((cfg, ctx) => {
    for (const app of APPS_NEEDING_SECRETS) {
      if (cfg.apps[app]?.enabled && cfg.secrets[app] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["secrets", app],
          message: `required because apps.${app}.enabled is true (set with pulumi config set --secret --path 'secrets.${app}.<key>')`,
        });
      }
    }
    // certbot's DNS token (security review M5): a choice spanning apps.<app>.acme and secrets.<app>.
    for (const app of ACME_APPS) {
      const config = cfg.apps[app];
      if (config?.enabled) acmeRules(app, config, cfg.secrets[app], ctx);
    }
  });

export type PlatformSettings = z.infer<typeof platformSchema>;
