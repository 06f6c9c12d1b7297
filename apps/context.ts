/** What every app receives besides its own config. */
import type { PlatformConfig } from "../config";

/** Stack-wide facts an app needs to name, tag and protect its resources. */
export interface AppContext {
  /** Stack name, e.g. `production`. */
  stack: string;
  environment: PlatformConfig["environment"];
  /** Protect and retain stateful resources (production). */
  protectState: boolean;
}

/** Options for a stateful resource (database, volume, bucket, registry): protected and retained in production. */
export function statefulOptions(ctx: AppContext): { protect: boolean; retainOnDelete: boolean } {
  return { protect: ctx.protectState, retainOnDelete: ctx.protectState };
}
