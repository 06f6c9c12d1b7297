/**
 * The one render harness: runs the real program under `pulumi.runtime.setMocks` for a named stack
 * and returns every registered resource with its inputs and options, and the stack outputs.
 * Tests, the policy tests and the offline plan all use it. Mocks are global state: render one stack
 * per process.
 */
import { createHash, createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PROJECT } from "../../config";
import program from "../../index";
import type { IsolatedOutcome } from "./isolated";
import { createMocks } from "./mocks";
import { applyOverrides, projectRoot, readStackConfig, toProgramConfig } from "./stack-config";

export { projectRoot };
import { parseUrn, resourceUrn, stackUrn } from "./urn";

/** Shown instead of any secret value. */
export const SECRET_MARKER = "[secret]";

/** Resource options as the engine would receive them (after inheritance from the parent). */
export interface RenderedOptions {
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  /** URNs of the resources this one explicitly waits for. */
  dependsOn: string[];
  ignoreChanges: string[];
  replaceOnChanges: string[];
  /** ID of an existing cloud resource to adopt. */
  import?: string;
  /** URN of the explicit provider resource, if any (the provider's default one otherwise). */
  provider?: string;
  /** URNs the resource answered to before (its `aliases`, resolved as the engine resolves them). */
  aliases: string[];
}

export interface RenderedResource {
  /** The resource's identity, exactly as the engine forms it: `urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`. */
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource; the stack's own URN for top-level resources. */
  parent: string;
  inputs: Record<string, unknown>;
  /**
   * For each input path shown as the secret marker: a keyed digest of its value (HMAC-SHA-256 with the
   * plan's secret key, {@link secretKeyId}), so two plans made with one key show a changed secret as
   * changed without either holding the value.
   */
  secretDigests: Record<string, string>;
  /**
   * For each top-level input that takes another resource's output: the URNs of those resources. The
   * engine's property dependencies; the plan's cascade follows them (a replaced resource's outputs
   * are unknown, so an input that forces replacement and comes from it forces this one too).
   */
  propertyDependencies: Record<string, string[]>;
  options: RenderedOptions;
}

export interface RenderedStack {
  stack: string;
  /** The project (Pulumi.yaml `name`); with the stack, the first two parts of every URN. */
  project: string;
  /** Which key the secret digests were made with: plans compare secrets only when these match. */
  secretKeyId: string;
  resources: RenderedResource[];
  outputs: Record<string, unknown>;
}

/** A render plus what only tests need: every secret value seen, to prove none appears unmasked. */
export interface RenderResult extends RenderedStack {
  secretValues: string[];
}

export interface RenderOptions {
  /** Stack name: reads `Pulumi.<stack>.yaml`. */
  stack: string;
  /** `key.path=value` overrides, as `pulumi config set --path`. */
  overrides?: readonly string[];
  /** Directory holding Pulumi.yaml. Default: found upwards from this file. */
  root?: string;
}

/** Thrown when the program fails; says how many resources had been registered by then. */
export class RenderFailure extends Error {
  constructor(
    public readonly reason: unknown,
    public readonly registered: number,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = "RenderFailure";
  }
}

interface Recorded {
  resource: pulumi.Resource;
  type: string;
  name: string;
  custom: boolean;
  props: unknown;
  opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}


let rendered = false;

/** Renders one stack. Call once per process: Pulumi's mocks and config are global. */
export async function renderStack(options: RenderOptions): Promise<RenderResult> {
  if (rendered) throw new Error("renderStack may run once per process (Pulumi mocks are global state)");
  rendered = true;
  const root = options.root ?? projectRoot();
  const tree = applyOverrides(readStackConfig(root, options.stack), PROJECT, options.overrides ?? []);
  const config = toProgramConfig(tree);
  process.env.PULUMI_CONFIG = JSON.stringify(config.values);
  process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(config.secretKeys);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  const records: Recorded[] = [];
  const byKey = new Map<string, Recorded>();
  const secretValues = new Set<string>(config.secretPlaceholders);

  await pulumi.runtime.setMocks(
    createMocks(
      async (type, name) => secretOutputsOf(byKey.get(`${type}::${name}`)),
      (value) => pulumi.secret(value),
    ),
    PROJECT,
    options.stack,
    false,
  );

  let outputs: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        const record: Recorded = {
          resource: args.resource,
          type: args.type,
          name: args.name,
          // The resource is still being constructed here, so isInstance checks cannot tell yet:
          // our components are `platform:*`, providers `pulumi:providers:*` (they have no provider
          // of their own), and every other type is a custom resource served by a provider.
          custom: !args.type.startsWith("platform:") && !args.type.startsWith("pulumi:"),
          props: args.props,
          opts: args.opts,
        };
        records.push(record);
        byKey.set(`${args.type}::${args.name}`, record);
        return undefined;
      });
      outputs = (await program()) ?? {};
      return outputs;
    });
  } catch (err) {
    throw new RenderFailure(err, records.length);
  }

  const names = new Map<pulumi.Resource, Recorded>(records.map((r) => [r.resource, r]));
  const urns = urnsOf(records, names, options.stack);
  const resolver = new Resolver(names, urns, secretValues);
  const resources: RenderedResource[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const urn = urns.get(record) as string;
    if (seen.has(urn)) throw new Error(`two resources share the URN ${urn}: the engine would refuse the second`);
    seen.add(urn);
    const parent = record.opts.parent ? names.get(record.opts.parent) : undefined;
    const secretDigests: Record<string, string> = {};
    resources.push({
      urn,
      type: record.type,
      name: record.name,
      parent: parent ? (urns.get(parent) as string) : stackUrn(options.stack, PROJECT),
      inputs: asRecord(await resolver.resolve(record.props, secretDigests)),
      secretDigests,
      propertyDependencies: await resolver.propertyDependencies(record.props),
      options: await renderOptions(record, names, resolver),
    });
  }
  return {
    stack: options.stack,
    project: PROJECT,
    secretKeyId: secretKeyId(),
    resources,
    outputs: asRecord(await resolver.resolve(outputs)),
    secretValues: [...secretValues],
  };
}

/**
 * URNs as the engine forms them (pkg/resource/urn.go `NewURN`): the type is qualified by the parent's
 * whole type chain, except that the root stack is left out. The mock monitor qualifies by the
 * parent's last type only, so it is not asked.
 */
function urnsOf(records: readonly Recorded[], names: Map<pulumi.Resource, Recorded>, stack: string): Map<Recorded, string> {
  const qualified = new Map<Recorded, string>();
  const qualifiedType = (record: Recorded): string => {
    const known = qualified.get(record);
    if (known !== undefined) return known;
    const parent = record.opts.parent ? names.get(record.opts.parent) : undefined;
    const type = parent ? `${qualifiedType(parent)}$${record.type}` : record.type;
    qualified.set(record, type);
    return type;
  };
  return new Map(records.map((r) => [r, resourceUrn(stack, PROJECT, qualifiedType(r), r.name)]));
}

/**
 * The key secret digests are made with: `PLATFORM_PLAN_SECRET_KEY` when set, otherwise a fixed one, so
 * two plans of one config are byte-identical wherever they are made. A fixed key is safe here because
 * no real secret ever reaches an offline render: `secure:` config becomes a placeholder derived from
 * its ciphertext (tools/render/stack-config.ts), secret `--set` values are refused by the schema, and
 * generated secrets are the mocks' inventions. Set the variable to make digests unguessable anyway.
 */
function secretKey(): string {
  return process.env.PLATFORM_PLAN_SECRET_KEY || "platform-offline-plan";
}

/** A short public name for the key: equal ids mean comparable digests. */
export function secretKeyId(): string {
  return createHash("sha256").update(`key-id\0${secretKey()}`).digest("hex").slice(0, 16);
}

function secretDigest(value: unknown): string {
  return createHmac("sha256", secretKey()).update(JSON.stringify(value) ?? "undefined").digest("hex").slice(0, 32);
}

/** Renders and reports how it went instead of throwing: a plan, or the config error with its problems. */
export async function renderOutcome(options: RenderOptions): Promise<IsolatedOutcome> {
  try {
    return { ok: true, result: await renderStack(options) };
  } catch (err) {
    const reason = err instanceof RenderFailure ? err.reason : err;
    return {
      ok: false,
      message: reason instanceof Error ? reason.message : String(reason),
      problems: reason instanceof ConfigError ? [...reason.problems] : undefined,
      registered: err instanceof RenderFailure ? err.registered : 0,
    };
  }
}

/** Output properties the engine would keep secret: declared secret outputs and outputs of secret inputs. */
async function secretOutputsOf(record: Recorded | undefined): Promise<ReadonlySet<string>> {
  const keys = new Set<string>(record?.opts.additionalSecretOutputs ?? []);
  if (record && record.props && typeof record.props === "object") {
    for (const [key, value] of Object.entries(record.props)) {
      if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) keys.add(key);
    }
  }
  return keys;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function effective<T>(record: Recorded, names: Map<pulumi.Resource, Recorded>, pick: (r: Recorded) => T | undefined): T | undefined {
  for (let r: Recorded | undefined = record; r; r = r.opts.parent ? names.get(r.opts.parent) : undefined) {
    const value = pick(r);
    if (value !== undefined) return value;
  }
  return undefined;
}

async function renderOptions(record: Recorded, names: Map<pulumi.Resource, Recorded>, resolver: Resolver): Promise<RenderedOptions> {
  const opts = record.opts;
  const pkg = record.type.split(":")[0];
  const provider = record.custom
    ? effective(record, names, (r) => {
        if (r.opts.provider && r === record) return r.opts.provider;
        const providers = r.opts.providers;
        if (Array.isArray(providers)) return providers.find((p) => names.get(p)?.type === `pulumi:providers:${pkg}`);
        if (providers && typeof providers === "object") return (providers as Record<string, pulumi.ProviderResource>)[pkg];
        return undefined;
      })
    : undefined;
  const dependsOn = await resolver.resolveResources(opts.dependsOn);
  const rendered: RenderedOptions = {
    protect: effective(record, names, (r) => r.opts.protect) ?? false,
    retainOnDelete: opts.retainOnDelete ?? false,
    deleteBeforeReplace: opts.deleteBeforeReplace ?? false,
    dependsOn,
    ignoreChanges: [...(opts.ignoreChanges ?? [])],
    replaceOnChanges: [...(opts.replaceOnChanges ?? [])],
    aliases: await aliasUrns(record, resolver),
  };
  if (opts.import !== undefined) rendered.import = opts.import;
  if (provider) rendered.provider = resolver.urnOf(provider);
  return rendered;
}

/**
 * The URNs of a resource's aliases: a URN given as is, or an alias object whose missing parts default
 * to the resource's own name, type, parent, stack and project (pulumi/pulumi sdk/nodejs resource.ts
 * `Alias` and `collapseAliasToUrn`).
 */
async function aliasUrns(record: Recorded, resolver: Resolver): Promise<string[]> {
  const urns: string[] = [];
  const ownParent = record.opts.parent ? resolver.urnOf(record.opts.parent) : undefined;
  for (const input of record.opts.aliases ?? []) {
    const alias = await awaited(input);
    if (typeof alias === "string") {
      urns.push(alias);
      continue;
    }
    if (alias === null || typeof alias !== "object") continue;
    const a = alias as { name?: unknown; type?: unknown; parent?: unknown; parentUrn?: unknown; stack?: unknown; project?: unknown; noParent?: unknown };
    const [name, type, stack, project, parentUrn] = await Promise.all([a.name, a.type, a.stack, a.project, a.parentUrn].map(awaited));
    const parentResource = await awaited(a.parent);
    const parent =
      a.noParent === true ? undefined
      : pulumi.Resource.isInstance(parentResource) ? resolver.urnOf(parentResource)
      : typeof parentUrn === "string" ? parentUrn
      : ownParent;
    const parentType = parent ? parseUrn(parent).qualifiedType : undefined;
    const chain = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$` : "";
    urns.push(
      resourceUrn(
        typeof stack === "string" ? stack : currentStack(),
        typeof project === "string" ? project : PROJECT,
        `${chain}${typeof type === "string" ? type : record.type}`,
        typeof name === "string" ? name : record.name,
      ),
    );
  }
  return urns;
}

/** The stack being rendered (set by setMocks). */
function currentStack(): string {
  return pulumi.getStack();
}

/** Resolves Inputs to plain JSON, replacing every secret with {@link SECRET_MARKER}. */
class Resolver {
  constructor(
    private readonly names: Map<pulumi.Resource, Recorded>,
    private readonly urns: Map<Recorded, string>,
    private readonly secretValues: Set<string>,
  ) {}

  urnOf(resource: pulumi.Resource): string {
    const record = this.names.get(resource);
    return record ? (this.urns.get(record) ?? "?") : "(unregistered resource)";
  }

  /** For each top-level input, the URNs of the resources its value comes from (sorted, none omitted). */
  async propertyDependencies(props: unknown): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(asRecord(props))) {
      if (value === undefined) continue;
      const resources = await pulumi.getAllResources(pulumi.output(value));
      const urns = [...resources].map((r) => this.urnOf(r)).filter((u) => u.startsWith("urn:"));
      if (urns.length) result[key] = [...new Set(urns)].sort();
    }
    return result;
  }

  /**
   * `value` as plain JSON. Each secret found is replaced by the marker; with `digests`, its keyed
   * digest is recorded there under its dotted path (from `path`), so a rotated secret still shows as
   * a change while its value never leaves this process.
   */
  async resolve(value: unknown, digests?: Record<string, string>, path = ""): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
      const [plain, secret] = await Promise.all([settle(value), pulumi.isSecret(value)]);
      if (secret) {
        this.collect(plain);
        if (digests) digests[path] = secretDigest(plain);
        return SECRET_MARKER;
      }
      return this.resolve(plain, digests, path);
    }
    if (value instanceof Promise) return this.resolve(await value, digests, path);
    if (pulumi.Resource.isInstance(value)) return `resource:${this.urnOf(value)}`;
    if (Array.isArray(value)) return Promise.all(value.map((v: unknown, i) => this.resolve(v, digests, `${path}[${i}]`)));
    if (value !== null && typeof value === "object") {
      const entries = await Promise.all(
        Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .map(async ([k, v]) => [k, await this.resolve(v, digests, path ? `${path}.${k}` : k)] as const),
      );
      return Object.fromEntries(entries);
    }
    return value;
  }

  /** URNs of the resources in a `dependsOn` option (a resource, a list, or Outputs of either). */
  async resolveResources(input: unknown): Promise<string[]> {
    const plain = await awaited(input);
    const list: unknown[] = Array.isArray(plain) ? plain : plain === undefined ? [] : [plain];
    const resources = await Promise.all(list.map(awaited));
    return resources.map((r) => (pulumi.Resource.isInstance(r) ? this.urnOf(r) : "?"));
  }

  /**
   * Remembers a secret's value so tests can prove it appears nowhere unmasked. Only whole string
   * secrets count: a secret object (such as a remote command's connection) also holds public parts.
   */
  private collect(value: unknown): void {
    if (typeof value === "string" && value.length > 0) this.secretValues.add(value);
  }
}

async function awaited(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance<unknown>(value)) return settle(value);
  return value instanceof Promise ? await value : value;
}

/** The value of a known Output (mocks are never in preview, so every value is known). */
function settle<T>(output: pulumi.OutputInstance<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("an Output never resolved under mocks")), 30_000);
    output.apply((v) => {
      clearTimeout(timer);
      resolve(v);
      return v;
    });
  });
}
