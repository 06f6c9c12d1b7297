/**
 * Reads the stack config, validates it against the one schema and reports every problem at once,
 * before any resource is registered. The only module that reads Pulumi config.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { z } from "zod";
import { PROJECT, type PlatformSettings, platformSchema } from "./schema";
import { isSecureValue } from "./secure-value";

/** Config keys outside our namespace that hold credentials: accepted only as secrets. */
const SECRET_PROVIDER_KEYS = ["digitalocean:token", "digitalocean:spacesAccessId", "digitalocean:spacesSecretKey"];
/** Config keys that must not be used at all: long-lived cloud keys where a role or profile serves. */
const FORBIDDEN_KEYS: Record<string, string> = {
  "aws:accessKey": "do not store AWS access keys in stack config; use a profile (AWS_PROFILE) or an assumed role (OIDC in CI)",
  "aws:secretKey": "do not store AWS access keys in stack config; use a profile (AWS_PROFILE) or an assumed role (OIDC in CI)",
  "aws:token": "do not store AWS session tokens in stack config; use a profile (AWS_PROFILE) or an assumed role (OIDC in CI)",
};
/** Top-level keys of our namespace that must be secret as a whole. */
const SECRET_KEYS_OF_PROJECT = ["secrets"];
/** What an error message shows instead of a secret value. */
const HIDDEN = "[secret]";

/** Config as the Pulumi language host hands it over: flat `namespace:key` strings, and which keys are secret. */
export interface RawConfig {
  values: Readonly<Record<string, string>>;
  secretKeys: ReadonlySet<string>;
  /**
   * Paths under `platform:secrets` whose value is plain text in the committed `Pulumi.<stack>.yaml`.
   * The CLI marks a whole key secret when any leaf is `secure:`, so a plain leaf beside encrypted ones
   * reaches the program as a secret and only the file shows it (security review L13). Default: none.
   */
  plaintextSecretPaths?: readonly string[];
}

/**
 * Leaves under `<project>:secrets` in a stack file's `config:` block that are not `secure:` values
 * (Pulumi.<stack>.yaml stores an encrypted value as `{ secure: <ciphertext> }`), as dotted paths.
 */
export function plaintextSecretLeaves(stackFileText: string): string[] {
  const doc: unknown = YAML.parse(stackFileText);
  const config = isRecord(doc) ? doc.config : undefined;
  const secrets = isRecord(config) ? config[`${PROJECT}:${SECRET_KEYS_OF_PROJECT[0]}`] : undefined;
  const found: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (isSecureValue(value)) return;
    if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    else if (Array.isArray(value)) value.forEach((v: unknown, i) => walk(v, `${path}[${i}]`));
    else if (value !== null && value !== undefined) found.push(path);
  };
  if (secrets !== undefined) walk(secrets, SECRET_KEYS_OF_PROJECT[0]);
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Every problem found in the stack config; nothing was registered. */
export class ConfigError extends pulumi.RunError {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Deeply replaces strings with secret Outputs, so secret config stays secret in every resource input. */
export type SecretValues<T> = T extends string
  ? pulumi.Output<string>
  : T extends readonly (infer U)[]
    ? SecretValues<U>[]
    : T extends object
      ? { [K in keyof T]: SecretValues<T[K]> }
      : T;

function toSecretValues<T>(value: T): SecretValues<T>;
function toSecretValues(value: unknown): unknown {
  if (typeof value === "string") return pulumi.secret(value);
  if (Array.isArray(value)) return value.map((v: unknown) => toSecretValues(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSecretValues(v)]));
  }
  return value;
}

/** The validated config every app receives. */
export interface PlatformConfig {
  /** Stack name (`pulumi stack`), used in resource names and tags. */
  stack: string;
  environment: PlatformSettings["environment"];
  /** True in production: stateful resources are protected and retained on delete. */
  protectState: boolean;
  apps: PlatformSettings["apps"];
  /** Secret config, every string a secret Output. */
  secrets: SecretValues<PlatformSettings["secrets"]>;
}

/** Reads the config the language host (or the render harness) provided. */
export function readRawConfig(): RawConfig {
  const secretKeysJson = process.env.PULUMI_CONFIG_SECRET_KEYS;
  const parsed: unknown = secretKeysJson ? JSON.parse(secretKeysJson) : [];
  const secretKeys = new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : []);
  // The CLI runs the program with the project root known (the directory of Pulumi.yaml); the stack file
  // is absent when the stack's config lives in Pulumi Cloud, and then there is nothing to check.
  const file = join(pulumi.runtime.getRootDirectory() || process.cwd(), `Pulumi.${pulumi.getStack()}.yaml`);
  const plaintextSecretPaths = existsSync(file) ? plaintextSecretLeaves(readFileSync(file, "utf8")) : [];
  return { values: pulumi.runtime.allConfig(), secretKeys, plaintextSecretPaths };
}

/** Structured values arrive as JSON text; scalars as plain text. */
function decode(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function keyOf(path: readonly PropertyKey[]): string {
  let key = `${PROJECT}:`;
  path.forEach((segment, i) => {
    if (typeof segment === "number") key += `[${segment}]`;
    else key += i === 0 ? String(segment) : `.${String(segment)}`;
  });
  return key;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** Keys the schema allows at `path`, for suggesting the right spelling of an unknown key. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = platformSchema;
  for (const segment of path) {
    const unwrapped = unwrap(schema);
    if (!(unwrapped instanceof z.ZodObject)) return [];
    const next: z.core.$ZodType | undefined = unwrapped.shape[String(segment)];
    if (next === undefined) return [];
    schema = next;
  }
  const unwrapped = unwrap(schema);
  return unwrapped instanceof z.ZodObject ? Object.keys(unwrapped.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap();
  return current;
}

function show(value: unknown, secret: boolean): string {
  if (value === undefined) return "missing";
  return secret ? `got ${HIDDEN}` : `got ${JSON.stringify(value)}`;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const secret = SECRET_KEYS_OF_PROJECT.includes(String(issue.path[0]));
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys.map(
      (k) =>
        `${keyOf([...issue.path, k])}: unknown key (a typo?)${allowed.length ? `; allowed here: ${allowed.join(", ")}` : ""}`,
    );
  }
  const value = valueAt(input, issue.path);
  let expected: string;
  if (issue.code === "invalid_value") {
    expected = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  } else if (issue.code === "invalid_type" && value === undefined) {
    expected = `required (${issue.expected})`;
  } else {
    expected = issue.message;
  }
  return [`${keyOf(issue.path)}: ${show(value, secret)}; ${expected}`];
}

/**
 * Validates raw config: the pure core of {@link loadPlatformConfig}, testable without Pulumi.
 * Throws {@link ConfigError} listing every problem.
 */
export function parsePlatformConfig(raw: RawConfig, stack: string): PlatformConfig {
  const problems: string[] = [];
  const ours: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(raw.values)) {
    if (key in FORBIDDEN_KEYS) problems.push(`${key}: ${FORBIDDEN_KEYS[key]}`);
    if (SECRET_PROVIDER_KEYS.includes(key) && !raw.secretKeys.has(key)) {
      problems.push(`${key}: given as plain text; set it with pulumi config set --secret ${key} <value>`);
    }
    if (key.startsWith(`${PROJECT}:`)) {
      const name = key.slice(PROJECT.length + 1);
      ours[name] = decode(text);
      if (SECRET_KEYS_OF_PROJECT.includes(name) && !raw.secretKeys.has(key)) {
        problems.push(
          `${key}: given as plain text; every value under it must be set with pulumi config set --secret --path '${name}.<app>.<key>' <value>`,
        );
      }
    }
  }
  for (const path of raw.plaintextSecretPaths ?? []) {
    problems.push(
      `${PROJECT}:${path}: plain text in Pulumi.${stack}.yaml (committed as written); set it with pulumi config set --secret --path '${path}' <value>`,
    );
  }
  const result = platformSchema.safeParse(ours);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...describeIssue(issue, ours));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  const settings = result.data;
  return {
    stack,
    environment: settings.environment,
    protectState: settings.environment === "production",
    apps: settings.apps,
    secrets: toSecretValues(settings.secrets),
  };
}

/** Reads and validates this stack's config; throws {@link ConfigError} before anything is registered. */
export function loadPlatformConfig(): PlatformConfig {
  return parsePlatformConfig(readRawConfig(), pulumi.getStack());
}
