/** The registry of apps: each enabled app is deployed and its outputs exported under its name. */
import type { PlatformConfig } from "../config";
import { deployAquamark } from "./aquamark";
import type { AppContext } from "./context";
import { deployGrandCentral } from "./grand-central";
import { deployNmpi } from "./nmpi";
import { deployRamascene } from "./ramascene";
import { deployTopobank } from "./topobank";

export async function deployEnabledApps(config: PlatformConfig): Promise<Record<string, unknown>> {
  const ctx: AppContext = { stack: config.stack, environment: config.environment, protectState: config.protectState };
  const { apps, secrets } = config;
  const outputs: Record<string, unknown> = {};
  if (apps.nmpi?.enabled) {
    // The schema requires secrets.nmpi whenever nmpi is enabled; this only narrows the type.
    if (!secrets.nmpi) throw new Error("secrets.nmpi is required when apps.nmpi.enabled is true");
    outputs.nmpi = deployNmpi(ctx, apps.nmpi, secrets.nmpi);
  }
  if (apps.topobank?.enabled) outputs.topobank = deployTopobank(ctx, apps.topobank, secrets.topobank);
  if (apps.aquamark?.enabled) outputs.aquamark = deployAquamark(ctx, apps.aquamark, secrets.aquamark);
  if (apps.ramascene?.enabled) outputs.ramascene = deployRamascene(ctx, apps.ramascene, secrets.ramascene);
  if (apps["grand-central"]?.enabled) outputs["grand-central"] = deployGrandCentral(ctx, apps["grand-central"], secrets["grand-central"]);
  return outputs;
}
