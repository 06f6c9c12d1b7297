/**
 * How `Pulumi.<stack>.yaml` stores an encrypted config value: `{ secure: <ciphertext> }`, nothing beside
 * it. Shared by the program's config loader and the offline harness's stack-file reader; no imports, so
 * either can load it without loading the other.
 */
export function isSecureValue(value: unknown): value is { secure: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
