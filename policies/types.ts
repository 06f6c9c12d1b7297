/** The contract between the policy rules and their two runners (CrossGuard and the offline plan). */

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** One policy finding on a rendered stack. */
export interface Violation {
  /** Policy name, kebab-case, e.g. `ssh-not-open-to-world`. */
  policy: string;
  level: Exclude<EnforcementLevel, "disabled">;
  /** The offending resource; absent for stack-wide policies. */
  resource?: { urn: string; type: string; name: string };
  /** What is wrong, naming the value. */
  message: string;
  /** How to fix it, as an operator would do it (a config key, an option). */
  fix: string;
}
