#!/usr/bin/env bash
# Creates or updates the offline-plan comment of one stack. Inputs (environment): GH_TOKEN, GH_REPO,
# STACK, RUN_ID, HEAD_SHA. Run from a checkout of the default branch with its node_modules installed:
# the comment is rendered here, by that code, from the artifact's diff.json. Everything read from the
# artifact is untrusted and checked first; nothing in it is posted verbatim.
set -euo pipefail

case "$STACK" in
  staging | production) ;;
  *) echo "::error::unknown stack '$STACK'"; exit 1 ;;
esac

# Limits on what the PR's run may hand over: a diff larger than this is refused, not truncated.
max_diff_bytes=2097152
# GitHub's limit on a comment body, in characters; the renderer trims to fit below it.
max_comment_bytes=65000

dir="${RUNNER_TEMP:-/tmp}/plan-data-$STACK"
rm -rf "$dir"
if ! gh run download "$RUN_ID" --repo "$GH_REPO" --name "plan-data-$STACK" --dir "$dir"; then
  echo "::warning::run $RUN_ID has no plan-data-$STACK artifact (the plan failed?); nothing to post"
  exit 0
fi
for f in pr-number base-sha diff.json; do
  if [ ! -f "$dir/$f" ] || [ -L "$dir/$f" ]; then
    echo "::error::the artifact has no regular file $f"
    exit 1
  fi
done

pr="$(head -c 16 "$dir/pr-number" | tr -dc '0-9')"
if [ -z "$pr" ]; then
  echo "::error::the artifact names no pull request"
  exit 1
fi

# The artifact comes from the PR's own run: only trust the PR number if that PR is still at the
# commit the run planned (also drops comments of superseded pushes).
pr_head="$(gh pr view "$pr" --repo "$GH_REPO" --json headRefOid --jq .headRefOid)"
if [ "$pr_head" != "$HEAD_SHA" ]; then
  echo "::warning::PR #$pr is at $pr_head, not $HEAD_SHA; not posting a stale comment"
  exit 0
fi

base="$(head -c 64 "$dir/base-sha" | tr -d '\n')"
if ! [[ "$base" =~ ^[0-9a-f]{40}$ ]]; then
  echo "::error::base-sha is not a commit SHA"
  exit 1
fi
if [ "$(wc -c < "$dir/diff.json")" -gt "$max_diff_bytes" ]; then
  echo "::error::diff.json is over $max_diff_bytes bytes; not rendering it"
  exit 1
fi

# Rendered by the default branch's tools/pr-comment: parsePlanDiff checks the shape (exit 2 on a
# malformed diff), renderPlanComment escapes every string and trims to --max-bytes.
marker="<!-- platform:plan-comment stack=$STACK -->"
body="$dir/comment.md"
npx --no-install tsx tools/pr-comment/cli.ts "$dir/diff.json" \
  --stack "$STACK" --source offline-plan --base "$base" --head "$HEAD_SHA" --max-bytes "$max_comment_bytes" > "$body"
if [ "$(head -n 1 "$body")" != "$marker" ]; then
  echo "::error::the rendered comment does not start with $marker"
  exit 1
fi

existing="$(gh api --paginate "repos/$GH_REPO/issues/$pr/comments" \
  --jq ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"$marker\"))) | .id" |
  head -n 1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GH_REPO/issues/comments/$existing" -F "body=@$body" --silent
  echo "updated comment $existing on PR #$pr"
else
  gh api --method POST "repos/$GH_REPO/issues/$pr/comments" -F "body=@$body" --silent
  echo "created the $STACK comment on PR #$pr"
fi
