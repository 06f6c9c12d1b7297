#!/usr/bin/env bash
# Creates or updates the offline-plan comment of one stack. Inputs (environment): GH_TOKEN, GH_REPO,
# STACK, RUN_ID, HEAD_SHA. Everything read from the artifact is untrusted and checked first.
set -euo pipefail

case "$STACK" in
  staging | production) ;;
  *) echo "::error::unknown stack '$STACK'"; exit 1 ;;
esac

dir="${RUNNER_TEMP:-/tmp}/plan-comment-$STACK"
rm -rf "$dir"
if ! gh run download "$RUN_ID" --repo "$GH_REPO" --name "plan-comment-$STACK" --dir "$dir"; then
  echo "::warning::run $RUN_ID has no plan-comment-$STACK artifact (the plan failed?); nothing to post"
  exit 0
fi

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

marker="<!-- platform:plan-comment stack=$STACK -->"
body="$dir/comment.md"
if [ "$(head -n 1 "$body")" != "$marker" ]; then
  echo "::error::comment.md does not start with $marker"
  exit 1
fi
if [ "$(wc -c < "$body")" -gt 65536 ]; then
  echo "::error::comment.md is over GitHub's 65536-character limit"
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
