/** Config of the `aquamark` app. Placeholder until its issue lands: only `enabled: false` is accepted. */
import { z } from "zod";

export const aquamarkConfig = z.strictObject({
  /** Deploy this app in this stack. Only false until the app is built. */
  enabled: z.literal(false, { error: "the aquamark app is not built yet; only enabled: false is accepted" }),
});
export type AquamarkConfig = z.infer<typeof aquamarkConfig>;

/** Secrets of `aquamark` (secret config `platform:secrets`, key `aquamark`). */
export const aquamarkSecrets = z.strictObject({});
export type AquamarkSecrets = z.infer<typeof aquamarkSecrets>;
