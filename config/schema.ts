/**
 * The one schema for everything under the `platform:` config namespace. Per-app shapes live in
 * `config/apps/<app>.ts`; this file only assembles them and adds the rules that span apps.
 */
import { z } from "zod";
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

const secretsSchema = z.strictObject({
  nmpi: nmpiSecrets.optional(),
  topobank: topobankSecrets.optional(),
  aquamark: aquamarkSecrets.optional(),
  ramascene: ramasceneSecrets.optional(),
  "grand-central": grandCentralSecrets.optional(),
});

/** Apps whose secrets schema has required fields: enabling them without `platform:secrets.<app>` is an error. */
const APPS_NEEDING_SECRETS = APP_NAMES.filter((app) => !secretsSchema.shape[app].unwrap().safeParse({}).success);

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
  });

export type PlatformSettings = z.infer<typeof platformSchema>;
