/** Config of the `ramascene` app. Placeholder until its issue lands: only `enabled: false` is accepted. */
import { z } from "zod";

export const ramasceneConfig = z.strictObject({
  /** Deploy this app in this stack. Only false until the app is built. */
  enabled: z.literal(false, { error: "the ramascene app is not built yet; only enabled: false is accepted" }),
});
export type RamasceneConfig = z.infer<typeof ramasceneConfig>;

/** Secrets of `ramascene` (secret config `platform:secrets`, key `ramascene`). */
export const ramasceneSecrets = z.strictObject({});
export type RamasceneSecrets = z.infer<typeof ramasceneSecrets>;
