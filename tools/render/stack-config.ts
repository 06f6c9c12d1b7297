/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI would hand it to the program, without the CLI:
 * flat `namespace:key` strings, objects as JSON text, and the list of secret keys. Encrypted values
 * (`secure:`) cannot be decrypted here, so each becomes a deterministic placeholder that is still a
 * Pulumi secret; a key holding any `secure:` leaf is secret as a whole, as in the CLI.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { isSecureValue } from "../../config/secure-value";

/** The directory holding Pulumi.yaml and package.json, found upwards from `from`. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

/** Config in the form the language host passes to a Pulumi program. */
export interface ProgramConfig {
  values: Record<string, string>;
  secretKeys: string[];
  /** The placeholder text of every secret value, so tests can prove none leaks. */
  secretPlaceholders: string[];
}

/** A parsed config tree: `namespace:key` to a YAML value. */
export type ConfigTree = Record<string, unknown>;

export function stackFile(root: string, stack: string): string {
  return join(root, `Pulumi.${stack}.yaml`);
}

/** Reads the `config:` block of `Pulumi.<stack>.yaml`. */
export function readStackConfig(root: string, stack: string): ConfigTree {
  const file = stackFile(root, stack);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no stack file ${file}: stacks are named after their Pulumi.<stack>.yaml`);
  }
  const doc: unknown = YAML.parse(text);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return {};
  const config = (doc as Record<string, unknown>).config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw new Error(`${file}: 'config' must be a map`);
  return { ...(config as Record<string, unknown>) };
}

/**
 * Applies `key.path=value` overrides (as `pulumi config set --path`). The key may name its
 * namespace (`aws:region`) or not (`apps.nmpi.live` means `<project>:apps.nmpi.live`); the value is
 * read as YAML, so `true`, `3` and `[a, b]` keep their types.
 */
export function applyOverrides(tree: ConfigTree, project: string, overrides: readonly string[]): ConfigTree {
  const result: ConfigTree = structuredClone(tree);
  for (const override of overrides) {
    const eq = override.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects <key.path>=<value>, got ${JSON.stringify(override)}`);
    const rawKey = override.slice(0, eq);
    const value: unknown = YAML.parse(override.slice(eq + 1));
    const qualified = /^[A-Za-z0-9_-]+:/.test(rawKey) ? rawKey : `${project}:${rawKey}`;
    const colon = qualified.indexOf(":");
    const [top, ...rest] = qualified.slice(colon + 1).split(".");
    const topKey = `${qualified.slice(0, colon)}:${top}`;
    if (rest.length === 0) {
      result[topKey] = value;
      continue;
    }
    const existing = result[topKey];
    let node: Record<string, unknown> =
      existing !== null && typeof existing === "object" && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
    result[topKey] = node;
    for (const segment of rest.slice(0, -1)) {
      const next = node[segment];
      const child: Record<string, unknown> =
        next !== null && typeof next === "object" && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
      node[segment] = child;
      node = child;
    }
    node[rest[rest.length - 1]] = value;
  }
  return result;
}

/**
 * Converts a config tree to what the program receives. A top-level key is secret when any value
 * under it is `secure:` and every leaf under it is; a key that mixes plain and secure leaves is
 * passed as not secret, so the program's "given as plain text" check reports it.
 */
export function toProgramConfig(tree: ConfigTree): ProgramConfig {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const secretPlaceholders: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    let secureLeaves = 0;
    let plainLeaves = 0;
    const decrypt = (node: unknown, path: string): unknown => {
      if (isSecureValue(node)) {
        secureLeaves++;
        const placeholder = `mock-secret(${path})`;
        secretPlaceholders.push(placeholder);
        return placeholder;
      }
      if (Array.isArray(node)) return node.map((item, i) => decrypt(item, `${path}[${i}]`));
      if (node !== null && typeof node === "object") {
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, decrypt(v, `${path}.${k}`)]));
      }
      plainLeaves++;
      return node;
    };
    const plain = decrypt(value, key);
    values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secureLeaves > 0 && plainLeaves === 0) secretKeys.push(key);
  }
  return { values, secretKeys, secretPlaceholders };
}
