import { execFileSync } from "node:child_process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { releaseScript, shellQuote } from "../../../components/docker/colour-release";

test("the release script runs each command with docker exec, stops at the first failure and passes shellcheck", () => {
  const script = releaseScript("django-blue", [["python", "manage.py", "migrate", "--noinput"], ["python", "-c", "print('it''s')"]]);
  assert.equal(script.split("\n")[0], "set -eu");
  assert.match(script, /^docker exec django-blue python manage.py migrate --noinput$/m);
  execFileSync("shellcheck", ["-s", "sh", "-"], { input: `#!/bin/sh\n${script}\n`, stdio: ["pipe", "pipe", "pipe"] });
});

test("arguments with shell metacharacters are quoted so they reach the command unchanged", () => {
  const arg = "a b'$(rm -rf /)";
  const out = execFileSync("sh", ["-c", `printf %s ${shellQuote(arg)}`]).toString();
  assert.equal(out, arg);
});
