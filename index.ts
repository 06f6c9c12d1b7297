/**
 * The platform program: validate the stack config, then deploy every enabled app and export its
 * outputs under the app's name. Wiring only; what an app is lives in apps/.
 */
import { loadPlatformConfig } from "./config";
import { deployEnabledApps } from "./apps";

export default async function main(): Promise<Record<string, unknown>> {
  return deployEnabledApps(loadPlatformConfig());
}
