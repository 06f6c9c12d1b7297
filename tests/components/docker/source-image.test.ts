/** Building an image from a pinned git ref on the Docker host: the script and the tag, as pure functions. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBuild, sourceImageScript, sourceImageTag, versionLabel } from "../../../components/docker/source-image";
import { runTool, tempFile } from "../../support";

const build = { repository: "https://github.com/example/app.git", ref: "1.2.3", dockerfile: "docker/Dockerfile", context: ".", buildArgs: { HOST: "app.example.org" } };

test("the tag changes with anything that shapes the image, and only then", () => {
  const tag = sourceImageTag("platform/app", build);
  assert.match(tag, /^platform\/app:1\.2\.3-[0-9a-f]{12}$/);
  assert.equal(sourceImageTag("platform/app", { ...build }), tag, "same build, same tag: nothing is rebuilt");
  assert.notEqual(sourceImageTag("platform/app", { ...build, buildArgs: { HOST: "other.example.org" } }), tag);
  assert.notEqual(sourceImageTag("platform/app", { ...build, target: "python" }), tag);
  assert.notEqual(sourceImageTag("platform/app", { ...build, files: [{ path: "x.json", content: "{}" }] }), tag);
  assert.match(sourceImageTag("platform/app", { ...build, ref: "0fe501457443371d24f07f1a05998e2b6107dee5" }), /^platform\/app:0fe501457443-/);
});

test("the build script fetches only the pinned ref, writes the files, builds, prints the id, and passes shellcheck", () => {
  const tag = sourceImageTag("platform/app", build);
  const script = sourceImageScript(tag, { ...build, target: "python", files: [{ path: "build_info.json", content: '{"git": "it\'s"}' }] });
  assert.ok(script.includes("git -C \"$src\" fetch -q --depth 1 https://github.com/example/app.git 1.2.3"));
  assert.ok(script.includes(`printf '%s' '{"git": "it'\\''s"}' > "$src/build_info.json"`), script);
  assert.ok(script.includes('docker build --tag "$tag" --file "$src/docker/Dockerfile" --target python --build-arg HOST=app.example.org "$src/."'), script);
  assert.ok(script.trimEnd().endsWith(`docker image inspect --format '{{.Id}}' "$tag"`));
  const { status, output } = runTool("shellcheck", ["-s", "sh", tempFile("build.sh", `#!/bin/sh\n${script}`)]);
  assert.equal(status, 0, output);
});

test("a build that would escape the checkout or the shell is rejected, naming the field", () => {
  assert.throws(() => checkBuild("x", { ...build, repository: "git@github.com:example/app.git" }), /repository .* must be an https git URL/);
  assert.throws(() => checkBuild("x", { ...build, ref: "main; rm -rf /" }), /ref/);
  assert.throws(() => checkBuild("x", { ...build, dockerfile: "../Dockerfile" }), /dockerfile/);
  assert.throws(() => checkBuild("x", { ...build, files: [{ path: "/etc/passwd", content: "" }] }), /files path/);
  assert.throws(() => checkBuild("x", { ...build, buildArgs: { "A B": "1" } }), /buildArgs key/);
});

test("a version label names a ref, or each prebuilt image with its digest", () => {
  assert.equal(versionLabel("0.16.2"), "0.16.2");
  assert.equal(versionLabel({ static: "s@sha256:1", app: "a@sha256:2" }), "app=a@sha256:2,static=s@sha256:1");
});
