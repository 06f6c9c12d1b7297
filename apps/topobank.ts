/** The `topobank` app. Placeholder: its issue builds it. */
import type { SecretValues } from "../config";
import type { TopobankConfig, TopobankSecrets } from "../config/apps/topobank";
import type { AppContext } from "./context";

export function deployTopobank(_ctx: AppContext, _config: TopobankConfig, _secrets: SecretValues<TopobankSecrets> | undefined): Record<string, unknown> {
  throw new Error("the topobank app is not built yet");
}
