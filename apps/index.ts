/** The registry of apps: each enabled app is deployed and its outputs exported under its name. */
import type { PlatformConfig } from "../config";
import { deployAquamark } from "./aquamark";
import type { AppContext } from "./context";
import { deployGrandCentral } from "./grand-central";
import { deployNmpi } from "./nmpi";
import { deployRamascene } from "./ramascene";
import { deployTopobank } from "./topobank";

/** The secrets of an enabled app; the schema already requires them, this only narrows the type. */
function required<T>(app: string, secrets: T | undefined): T {
  if (secrets === undefined) throw new Error(`secrets.${app} is required when apps.${app}.enabled is true`);
  return secrets;
}

export async function deployEnabledApps(config: PlatformConfig): Promise<Record<string, unknown>> {
  const ctx: AppContext = { stack: config.stack, environment: config.environment, protectState: config.protectState };
  const { apps, secrets } = config;
  const outputs: Record<string, unknown> = {};
  if (apps.nmpi?.enabled) outputs.nmpi = deployNmpi(ctx, apps.nmpi, required("nmpi", secrets.nmpi));
  if (apps.topobank?.enabled) outputs.topobank = deployTopobank(ctx, apps.topobank, required("topobank", secrets.topobank));
  if (apps.aquamark?.enabled) outputs.aquamark = deployAquamark(ctx, apps.aquamark, required("aquamark", secrets.aquamark));
  if (apps.ramascene?.enabled) outputs.ramascene = deployRamascene(ctx, apps.ramascene, required("ramascene", secrets.ramascene));
  if (apps["grand-central"]?.enabled) outputs["grand-central"] = deployGrandCentral(ctx, apps["grand-central"], required("grand-central", secrets["grand-central"]));
  return outputs;
}
