/** Config of the `grand-central` app. Placeholder until its issue lands: only `enabled: false` is accepted. */
import { z } from "zod";

export const grandCentralConfig = z.strictObject({
  /** Deploy this app in this stack. Only false until the app is built. */
  enabled: z.literal(false, { error: "the grand-central app is not built yet; only enabled: false is accepted" }),
});
export type GrandCentralConfig = z.infer<typeof grandCentralConfig>;

/** Secrets of `grand-central` (secret config `platform:secrets`, key `grand-central`). */
export const grandCentralSecrets = z.strictObject({});
export type GrandCentralSecrets = z.infer<typeof grandCentralSecrets>;
