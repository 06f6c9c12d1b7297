/** Shapes of the offline plan's diff, shared by `npm run plan -- --diff` and the PR comment renderer. */
import type { Violation } from "../../policies/types";

/** A resource's identity in a plan: type and name (unique together in a stack). */
export interface ResourceRef {
  type: string;
  name: string;
  /** True for databases, volumes, buckets and registries (tools/render/stateful.ts). */
  stateful: boolean;
}

/** One changed property: `path` is dotted from the resource, e.g. `inputs.dropletId` or `options.protect`. */
export interface PropertyChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ChangedResource extends ResourceRef {
  changes: PropertyChange[];
}

/** An app whose live colour differs between the two plans (read from the app's `liveColour` output). */
export interface ColourSwitch {
  app: string;
  from: string;
  to: string;
}

export interface PlanDiff {
  /** Stack names of the two plans. */
  before: string;
  after: string;
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ChangedResource[];
  /** Stack output paths whose value changed. */
  outputs: PropertyChange[];
  colourSwitches: ColourSwitch[];
  /** Every added, removed or changed resource that is stateful: shown loudly. */
  statefulTouched: ResourceRef[];
  /** Policy violations of the `after` plan. */
  violations: Violation[];
}
