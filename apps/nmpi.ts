/** The `nmpi` app (seed 000). Being built in the foundation issue. */
import type { SecretValues } from "../config";
import type { NmpiConfig, NmpiSecrets } from "../config/apps/nmpi";
import type { AppContext } from "./context";

export function deployNmpi(_ctx: AppContext, _config: NmpiConfig, _secrets: SecretValues<NmpiSecrets>): Record<string, unknown> {
  return {};
}
