/** What every app receives besides its own config, and the component that parents all it declares. */
import * as pulumi from "@pulumi/pulumi";
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

/** `grand-central` → `GrandCentral`: the type token's last part. */
function typeName(app: string): string {
  return app.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

/**
 * One app: the component that parents everything the app declares (`platform:app:<App>`), so every
 * URN names its app, and the one place the app's naming rule and tags live. Its name, and the
 * prefix of every child's, is `<app>-<stack>`: unique per account where DigitalOcean and AWS names
 * are global, and the same rule for all five apps.
 */
export class App extends pulumi.ComponentResource {
  /** `<app>-<stack>`, e.g. `nmpi-production`. */
  public readonly prefix: string;
  /** Tags every taggable resource of the app carries: which app, which stack. */
  public readonly tags: { app: string; stack: string };
  /** `{ parent: app }`, to spread into a child's options. */
  public readonly childOptions: { parent: App };

  constructor(
    public readonly app: string,
    ctx: AppContext,
  ) {
    const prefix = `${app}-${ctx.stack}`;
    super(`platform:app:${typeName(app)}`, prefix, {}, {});
    this.prefix = prefix;
    this.tags = { app, stack: ctx.stack };
    this.childOptions = { parent: this };
  }

  /** A child's name: `<app>-<stack>-<part>` (the prefix alone without a part). */
  name(part?: string): string {
    return part ? `${this.prefix}-${part}` : this.prefix;
  }

  /** Registers the app's outputs on its component and returns them for the stack outputs. */
  done<T extends Record<string, unknown>>(outputs: T): T {
    this.registerOutputs(outputs);
    return outputs;
  }
}
