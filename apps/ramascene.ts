/** The `ramascene` app. Placeholder: its issue builds it. */
import type { SecretValues } from "../config";
import type { RamasceneConfig, RamasceneSecrets } from "../config/apps/ramascene";
import type { AppContext } from "./context";

export function deployRamascene(_ctx: AppContext, _config: RamasceneConfig, _secrets: SecretValues<RamasceneSecrets> | undefined): Record<string, unknown> {
  throw new Error("the ramascene app is not built yet");
}
