/** The `aquamark` app. Placeholder: its issue builds it. */
import type { SecretValues } from "../config";
import type { AquamarkConfig, AquamarkSecrets } from "../config/apps/aquamark";
import type { AppContext } from "./context";

export function deployAquamark(_ctx: AppContext, _config: AquamarkConfig, _secrets: SecretValues<AquamarkSecrets> | undefined): Record<string, unknown> {
  throw new Error("the aquamark app is not built yet");
}
