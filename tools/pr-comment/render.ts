/**
 * Turns a plan diff into the Markdown of one pull-request comment per stack. What a reviewer must
 * not miss comes first (colour switches, deletions, stateful resources, policy violations); the
 * full diff follows, folded, and is truncated so the comment stays under GitHub's size limit.
 */
import { PRIMARY_OPS, type PlanDiff, type PreviewStep, type PropertyChange } from "../plan/types";
import { parseUrn } from "../render/urn";
import type { Violation } from "../../policies/types";

/** GitHub rejects issue and pull-request comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Where a diff comes from: decides the label, so nobody mistakes one view for the other. */
export type DiffSource = PlanDiff["source"];

/** Options of {@link renderPlanComment}. */
export interface RenderOptions {
  /** Stack the comment is about; names the heading and the marker. Default: the diff's `after` stack. */
  stack?: string;
  /** Where the diff comes from. Default: the diff's own `source`. */
  source?: DiffSource;
  /** Commit of the base plan, shown in the label. Default: not shown. */
  baseCommit?: string;
  /** Commit of the head plan, shown in the label. Default: not shown. */
  headCommit?: string;
  /** Longest body allowed, in UTF-8 bytes (conservative for GitHub's character limit). Default: 65,000. */
  maxBytes?: number;
  /** Most items listed per leading section before "… and N more". Default: 50. */
  maxListItems?: number;
  /** Longest rendering of one property value, in characters. Default: 300. */
  maxValueChars?: number;
}

const DEFAULT_MAX_BYTES = 65_000;
const DEFAULT_MAX_LIST_ITEMS = 50;
const DEFAULT_MAX_VALUE_CHARS = 300;

/**
 * Hidden HTML marker that identifies the comment of one stack, so a workflow updates its own comment
 * instead of adding one per push. Stack names are restricted to `[A-Za-z0-9._/-]`.
 */
export function commentMarker(stack: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(stack)) {
    throw new Error(`stack: "${stack}" is not a stack name (letters, digits, ".", "_", "/", "-")`);
  }
  return `<!-- platform:plan-comment stack=${stack} -->`;
}

/** Renders `diff` as the Markdown body of one pull-request comment. Pure: same input, same text. */
export function renderPlanComment(diff: PlanDiff, opts: RenderOptions = {}): string {
  const stack = opts.stack ?? diff.after;
  if (stack === undefined) throw new Error("stack: a cloud preview does not name its stack; pass it");
  const source = opts.source ?? diff.source;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxItems = opts.maxListItems ?? DEFAULT_MAX_LIST_ITEMS;
  const maxValueChars = opts.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
  if (!(maxBytes > 0 && maxBytes <= GITHUB_COMMENT_LIMIT)) {
    throw new Error(`maxBytes: ${maxBytes} must be between 1 and ${GITHUB_COMMENT_LIMIT}`);
  }

  const lead = [
    commentMarker(stack),
    heading(stack, source),
    label(source, opts),
    "",
    summaryLine(diff),
    ...alerts(diff),
    ...colourSwitchSection(diff, maxItems),
    ...blockedSection(diff, maxItems),
    ...replacedSection(diff, maxItems),
    ...deletedSection(diff, maxItems),
    ...statefulSection(diff, maxItems),
    ...violationSection(diff, maxItems),
    ...outputSection(diff, maxItems, maxValueChars),
  ].join("\n");

  const blocks = fullDiffBlocks(diff, maxValueChars);
  // The leading part is capped too (a pull request controls its sizes), leaving room for the fold.
  const head = fitLead(lead, blocks.length === 0 ? maxBytes : Math.max(1, maxBytes - FOLD_RESERVE));
  if (blocks.length === 0) return head;
  return head + "\n\n" + foldedDiff(blocks, maxBytes - byteLength(head) - 2);
}

function heading(stack: string, source: DiffSource): string {
  return source === "offline-plan"
    ? `### Desired-state diff of stack \`${stack}\` (offline plan)`
    : `### Cloud preview of stack \`${stack}\``;
}

function label(source: DiffSource, opts: RenderOptions): string {
  const commits =
    opts.baseCommit && opts.headCommit ? ` Base \`${shortSha(opts.baseCommit)}\` → head \`${shortSha(opts.headCommit)}\`.` : "";
  return source === "offline-plan"
    ? "> This is the **desired-state diff**, not the cloud's: the program rendered under mocks for the base and the head" +
        " commit and compared offline. It does not know what is deployed now (drift, IDs, provider-computed replacements)." +
        ` The \`pulumi preview\` comment, when present, shows the cloud's view.${commits}`
    : `> Output of \`pulumi preview --diff\` against the stack's real state.${commits}`;
}

function shortSha(sha: string): string {
  return /^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** The primary steps (a replacement's create-replacement and delete-replaced are folded into it). */
function primary(diff: PlanDiff, op?: PreviewStep["op"]): PreviewStep[] {
  return diff.steps.filter((s) => PRIMARY_OPS.includes(s.op) && (op === undefined || s.op === op));
}

/** Updated, replaced or deleted resources that hold data (a creation touches no data). */
function statefulTouched(diff: PlanDiff): PreviewStep[] {
  return primary(diff).filter((s) => s.stateful && s.op !== "create" && s.op !== "import");
}

function summaryLine(diff: PlanDiff): string {
  const count = (op: PreviewStep["op"]) => diff.changeSummary[op] ?? 0;
  const parts = [
    `${count("create") + count("import")} to add`,
    `${count("update")} to change`,
    `${count("replace")} to replace`,
    `${count("delete")} to delete`,
    `${diff.blocked.length} blocked`,
    `${statefulTouched(diff).length} stateful touched`,
    plural(diff.violations.length, "policy violation"),
  ];
  return `**Summary:** ${parts.join(" · ")}`;
}

/** The loud part: a GitHub alert block when a change is blocked, something stateful is touched or a mandatory policy fails. */
function alerts(diff: PlanDiff): string[] {
  const mandatory = diff.violations.filter((v) => v.level === "mandatory").length;
  const stateful = statefulTouched(diff).length;
  const lines: string[] = [];
  if (diff.blocked.length > 0 || stateful > 0 || mandatory > 0) {
    const what = [
      diff.blocked.length > 0 ? `**${plural(diff.blocked.length, "blocked change")}** (\`pulumi up\` would refuse)` : "",
      stateful > 0 ? `**${plural(stateful, "stateful resource")} touched**` : "",
      mandatory > 0 ? `**${plural(mandatory, "mandatory policy violation")}** (the deploy will be blocked)` : "",
    ].filter((s) => s !== "");
    const why = [
      diff.blocked.length > 0 ? "A protected resource would be replaced or deleted." : "",
      stateful > 0 ? "Stateful resources hold data: check each one below before approving." : "",
      mandatory > 0 ? "Fix the mandatory violations before merging." : "",
    ].filter((s) => s !== "");
    lines.push("", "> [!CAUTION]", `> ${what.join(" and ")}. ${why.join(" ")}`);
  }
  if (isEmpty(diff)) {
    lines.push("", "No change to the desired state of this stack.");
  } else if (lines.length === 0 && diff.colourSwitches.length === 0 && primary(diff, "delete").length === 0 && primary(diff, "replace").length === 0 && diff.violations.length === 0) {
    lines.push("", "No colour switch, nothing replaced or deleted, no stateful resource touched, no policy violation.");
  }
  return lines;
}

function colourSwitchSection(diff: PlanDiff, maxItems: number): string[] {
  if (diff.colourSwitches.length === 0) return [];
  return [
    "",
    "#### Colour switches",
    ...capped(diff.colourSwitches, maxItems, (s) => `- **${inline(`${s.app}: live ${s.from} → ${s.to}`)}**`),
  ];
}

function blockedSection(diff: PlanDiff, maxItems: number): string[] {
  if (diff.blocked.length === 0) return [];
  return [
    "",
    "#### ⛔ Blocked: `pulumi up` would refuse",
    ...capped(diff.blocked, maxItems, (b) => `- ${ref(b)} would be **${b.op === "replace" ? "replaced" : "deleted"}**: ${inline(b.reason)}`),
  ];
}

/** Stateful replacements first: a replaced database or volume starts empty. */
function replacedSection(diff: PlanDiff, maxItems: number): string[] {
  const replaced = primary(diff, "replace").sort((a, b) => Number(b.stateful === true) - Number(a.stateful === true));
  if (replaced.length === 0) return [];
  return [
    "",
    "#### Replaced",
    ...capped(replaced, maxItems, (s) => {
      const order = s.deleteBeforeReplace ? " (deleted first: down until its replacement is up)" : "";
      const why = s.replaceCauses?.length ? `: ${s.replaceCauses.map(inline).join("; ")}` : s.replaceReasons?.length ? `: ${s.replaceReasons.map(inline).join(", ")} changed` : "";
      return `- ${s.stateful ? "**STATEFUL** " : ""}${ref(urnRef(s.urn))} is **replaced**${order}${why}`;
    }),
  ];
}

/** Deletions; one whose URN moved without an alias says so (CONVENTIONS, "Renaming or moving a resource"). */
function deletedSection(diff: PlanDiff, maxItems: number): string[] {
  const deleted = primary(diff, "delete");
  if (deleted.length === 0) return [];
  return [
    "",
    "#### Deleted",
    ...capped(deleted, maxItems, (s) => {
      const why = s.replaceCauses?.length ? `: ${s.replaceCauses.map(inline).join("; ")}` : "";
      return `- ${s.stateful ? "**STATEFUL** " : ""}${ref(urnRef(s.urn))} is **deleted**${why}`;
    }),
  ];
}

function statefulSection(diff: PlanDiff, maxItems: number): string[] {
  const touched = statefulTouched(diff);
  if (touched.length === 0) return [];
  return [
    "",
    "#### ⚠️ Stateful resources touched",
    ...capped(touched, maxItems, (s) => {
      const what =
        s.op === "delete"
          ? "**deleted** (its data is destroyed unless the resource is retainOnDelete, as in production)"
          : s.op === "replace"
            ? "**replaced** (the new one starts empty)"
            : `**updated**: ${(s.changes?.map((p) => p.path) ?? s.diffReasons ?? []).map(inline).join(", ")}`;
      return `- ${ref(urnRef(s.urn))} ${what}`;
    }),
  ];
}

function violationSection(diff: PlanDiff, maxItems: number): string[] {
  if (diff.violations.length === 0) return [];
  const ordered = [...diff.violations].sort((a, b) => levelRank(a) - levelRank(b));
  return [
    "",
    "#### Policy violations",
    ...capped(ordered, maxItems, (v) => {
      const on = v.resource ? ` on ${ref(v.resource)}` : "";
      return `- **${v.level}** ${inline(v.policy)}${on}: ${inline(v.message)} Fix: ${inline(v.fix)}`;
    }),
  ];
}

function outputSection(diff: PlanDiff, maxItems: number, maxValueChars: number): string[] {
  if (diff.outputs.length === 0) return [];
  return [
    "",
    "#### Stack outputs",
    ...capped(
      diff.outputs,
      maxItems,
      (o) => `- ${inline(o.path)}: ${inline(showValue(o.before, maxValueChars))} → ${inline(showValue(o.after, maxValueChars))}`,
    ),
  ];
}

/** One Markdown block per primary step, replacements first: the folded full diff. */
function fullDiffBlocks(diff: PlanDiff, maxValueChars: number): string[] {
  const rank = (s: PreviewStep) => ["replace", "delete", "update", "create", "import"].indexOf(s.op);
  return primary(diff)
    .sort((a, b) => rank(a) - rank(b))
    .map((s) => stepBlock(s, maxValueChars));
}

const OP_HEADING: Partial<Record<PreviewStep["op"], string>> = {
  create: "**+ create**",
  import: "**= import**",
  update: "**~ update**",
  replace: "**+- replace**",
  delete: "**− delete**",
};

function stepBlock(s: PreviewStep, maxValueChars: number): string {
  const head = `${OP_HEADING[s.op] ?? s.op} ${ref(urnRef(s.urn))}`;
  const changes: PropertyChange[] = s.changes ?? Object.keys(s.detailedDiff ?? {}).map((path) => ({ path, before: "…", after: "…" }));
  if (changes.length === 0) return head;
  const lines = changes.flatMap((c: PropertyChange) => [
    `- ${c.path}: ${showValue(c.before, maxValueChars)}`,
    `+ ${c.path}: ${showValue(c.after, maxValueChars)}`,
  ]);
  const fence = fenceFor(lines.join("\n"));
  return [head, `${fence}diff`, ...lines, fence].join("\n");
}

/** Adds blocks to the fold while they fit in `budget` bytes; notes how many were left out. */
function foldedDiff(blocks: string[], budget: number): string {
  const open = `<details><summary>Full diff (${plural(blocks.length, "resource")})</summary>\n\n`;
  const close = "\n\n</details>";
  const note = (shown: number): string =>
    `\n\n_Truncated to fit GitHub's comment limit: ${blocks.length - shown} of ${blocks.length} resource diffs not shown. ` +
    "Run `npm run plan -- diff base.json head.json` locally for the whole diff._";
  const reserve = byteLength(open) + byteLength(close) + byteLength(note(blocks.length));
  const kept: string[] = [];
  let used = reserve;
  for (const block of blocks) {
    const cost = byteLength(block) + 2;
    if (used + cost > budget) break;
    kept.push(block);
    used += cost;
  }
  if (kept.length === 0 && budget < reserve) {
    return "_Full diff omitted: it does not fit GitHub's comment limit._";
  }
  const truncated = kept.length < blocks.length ? note(kept.length) : "";
  return open + kept.join("\n\n") + truncated + close;
}

/** The leading part alone is capped per section; this guards against a pathological rest (huge names). */
/** Bytes kept for the folded diff (or its "omitted" note) when the leading part must be cut. */
const FOLD_RESERVE = 512;

/**
 * The leading part, cut at a line boundary when it is too long: every line is whole Markdown (its code
 * spans closed), so a cut can never leave a span open and the text after it live.
 */
function fitLead(lead: string, maxBytes: number): string {
  if (byteLength(lead) <= maxBytes) return lead;
  const note = "\n\n_Truncated to fit GitHub's comment limit._";
  const lines = lead.split("\n");
  while (lines.length > 1 && byteLength(lines.join("\n")) + byteLength(note) > maxBytes) lines.pop();
  return lines.join("\n") + note;
}

function capped<T>(items: readonly T[], max: number, line: (item: T) => string): string[] {
  const shown = items.slice(0, max).map(line);
  if (items.length > max) shown.push(`- … and ${items.length - max} more (see the full diff)`);
  return shown;
}

function ref(r: { type: string; name: string }): string {
  return `${inline(r.name)} (${inline(r.type)})`;
}

/** Type and name of a URN; a URN that is not one is shown whole. */
function urnRef(urn: string): { type: string; name: string } {
  try {
    return parseUrn(urn);
  } catch {
    return { type: "?", name: urn };
  }
}

function levelRank(v: Violation): number {
  return v.level === "mandatory" ? 0 : 1;
}

function isEmpty(diff: PlanDiff): boolean {
  return primary(diff).length + diff.outputs.length + diff.colourSwitches.length + diff.violations.length + diff.blocked.length === 0;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** A value as one line of JSON, shortened to `max` characters. */
export function showValue(value: unknown, max: number): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value) ?? String(value);
  const oneLine = text.replace(/\r\n|\r|\n/g, "\\n");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * Inline code that survives backticks in the content (CommonMark: a longer fence, padded). Every text
 * that comes from the diff file (names, reasons, policy messages and fixes) is printed this way: the
 * file is written by a pull request's code, and inside a code span no Markdown or HTML is live (no link,
 * image, mention, or a closing </details>).
 */
function inline(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = longest > 0 ? " " : "";
  // Every line ending CommonMark knows (\r alone too): a code span must stay on one line.
  return `${fence}${pad}${text.replace(/\r\n|\r|\n/g, " ")}${pad}${fence}`;
}

/** A code fence longer than any backtick run in `content`. */
function fenceFor(content: string): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longest + 1));
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
