/**
 * The offline plan's diff: a superset of what `pulumi preview --json` prints (its `PreviewDigest`, read in
 * pulumi/pulumi `sdk/go/common/display/json.go` (PreviewDigest, PreviewStep, PropertyDiff) and
 * `sdk/go/common/apitype/core.go` (ResourceV3)), so tools written for Pulumi previews read it, plus what
 * only the offline plan knows (colour switches, blocked changes, policy violations, stack outputs). The
 * PR comment renderer reads both: our plan diffs and a real `pulumi preview --json`.
 */
import type { Violation } from "../../policies/types";

/** The engine's step operations (`display.StepOp`); a replacement is three steps, `replace` the primary one. */
export const STEP_OPS = [
  "same",
  "create",
  "update",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read",
  "read-replacement",
  "refresh",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
  "import",
  "import-replacement",
] as const;
export type StepOp = (typeof STEP_OPS)[number];

/** The primary operations: what a reviewer counts (a replacement's secondary steps are not). */
export const PRIMARY_OPS: readonly StepOp[] = ["create", "update", "replace", "delete", "import"];

/** `plugin.DiffKind`: how one property differs, `-replace` when that difference forces replacement. */
export const DIFF_KINDS = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

/** `display.PropertyDiff`. */
export interface PropertyDiff {
  kind: DiffKind;
  /** True when old and new inputs were compared (always, offline: there is no old state). */
  inputDiff: boolean;
}

/** `apitype.ResourceV3`, the fields a plan knows. */
export interface ResourceState {
  urn: string;
  custom: boolean;
  type: string;
  inputs: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  /** URNs this resource waits for (`dependsOn`). */
  dependencies?: string[];
  /** `<provider URN>::<provider ID>`. */
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  /** `import` option: the ID of the existing cloud resource adopted. */
  importID?: string;
}

/** One changed value, for reading: dotted path, before and after (a secret shows as `[secret]`). */
export interface PropertyChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** `display.PreviewStep`, plus what the offline plan adds (absent in a cloud preview). */
export interface PreviewStep {
  op: StepOp;
  urn: string;
  provider?: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  /** Top-level input keys that differ (update steps). */
  diffReasons?: string[];
  /** Top-level input keys that force the replacement (replace steps). */
  replaceReasons?: string[];
  detailedDiff: Record<string, PropertyDiff> | null;
  /** Ours: the resource holds data (tools/render/stateful.ts). */
  stateful?: boolean;
  /** Ours: every changed value, options included (`options.protect`). */
  changes?: PropertyChange[];
  /** Ours: why it is replaced, in words: `userData changed`, `dropletId: depends on <urn>, replaced`. */
  replaceCauses?: string[];
  /** Ours: the old resource is deleted before its replacement is created (downtime). */
  deleteBeforeReplace?: boolean;
  /** Ours: changes that force replacement only for some values (`ipv6: when it changes from true to false`). */
  mayReplace?: string[];
  /** Ours: the plan cannot tell update from replace for this type (no verified replacement rule). */
  uncertain?: string;
}

/** An app whose live colour differs between the two plans (read from the app's `liveColour` output). */
export interface ColourSwitch {
  app: string;
  from: string;
  to: string;
}

/** A change `pulumi up` would refuse: it replaces or deletes a protected resource. */
export interface BlockedChange {
  urn: string;
  type: string;
  name: string;
  op: "replace" | "delete";
  reason: string;
}

export interface PlanDiff {
  /** The engine's steps for every resource that changes, in the order the engine would run them. */
  steps: PreviewStep[];
  /** Resources per primary operation, `same` included. */
  changeSummary: Partial<Record<StepOp, number>>;
  /** Where the diff comes from: the offline plan, or a real `pulumi preview --json`. */
  source: "offline-plan" | "cloud-preview";
  /** Stack names of the two plans (the offline plan only). */
  before?: string;
  after?: string;
  colourSwitches: ColourSwitch[];
  /** Replacements and deletions of protected resources: `pulumi up` would fail on each. */
  blocked: BlockedChange[];
  /** Policy violations of the `after` plan. */
  violations: Violation[];
  /** Stack output paths whose value changed. */
  outputs: PropertyChange[];
  /** What the reader must know about the diff itself (e.g. secrets that could not be compared). */
  notes?: string[];
}
