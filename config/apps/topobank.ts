/** Config of the `topobank` app. Placeholder until its issue lands: only `enabled: false` is accepted. */
import { z } from "zod";

export const topobankConfig = z.strictObject({
  /** Deploy this app in this stack. Only false until the app is built. */
  enabled: z.literal(false, { error: "the topobank app is not built yet; only enabled: false is accepted" }),
});
export type TopobankConfig = z.infer<typeof topobankConfig>;

/** Secrets of `topobank` (secret config `platform:secrets`, key `topobank`). */
export const topobankSecrets = z.strictObject({});
export type TopobankSecrets = z.infer<typeof topobankSecrets>;
