/** The `grand-central` app. Placeholder: its issue builds it. */
import type { SecretValues } from "../config";
import type { GrandCentralConfig, GrandCentralSecrets } from "../config/apps/grand-central";
import type { AppContext } from "./context";

export function deployGrandCentral(_ctx: AppContext, _config: GrandCentralConfig, _secrets: SecretValues<GrandCentralSecrets> | undefined): Record<string, unknown> {
  throw new Error("the grand-central app is not built yet");
}
