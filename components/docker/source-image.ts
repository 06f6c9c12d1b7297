/**
 * An image built from a git repository at a pinned ref, on the Docker host that runs it.
 *
 * Why a remote command and not the Docker provider's own build: `docker.RemoteImage`'s `build.context`
 * is "only a PATH context … this always refers to the local working directory, even when building
 * images on remote hosts" (@pulumi/docker 5.2.0 types/input.d.ts, RemoteImageBuild.context), so the
 * source would have to be checked out on the machine running Pulumi and uploaded on every run; its
 * `remoteContext` is "ignored if `builder` is set" and the provider picks buildx by itself when it
 * can (kreuzwerker/terraform-provider-docker internal/provider/resource_docker_image_funcs.go,
 * `buildImage` → `canUseBuildx`). A command over the SSH path Pulumi already uses checks out exactly
 * the pinned ref on the node, adds the generated files a build needs, and runs `docker build` there.
 */
import { createHash } from "node:crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { rootConnection, shellQuote } from "./colour-release";

/** What to build: one Dockerfile of one repository at one ref. */
export interface SourceImageBuild {
  /** Git URL of the repository (https). */
  repository: string;
  /** Pinned ref: a full commit id or a release tag. */
  ref: string;
  /** Dockerfile path, relative to the repository root. Default: "Dockerfile". */
  dockerfile?: string;
  /** Build context directory, relative to the repository root. Default: "." (the root). */
  context?: string;
  /** Multi-stage target. Default: the last stage. */
  target?: string;
  /** Build arguments. Plain strings only: build arguments stay in the image history, so never secrets. Default: none. */
  buildArgs?: Record<string, string>;
  /** Files written into the checkout (relative paths) before the build, e.g. generated build info. Default: none. */
  files?: { path: string; content: string }[];
}

/** Arguments of {@link SourceImage}. */
export interface SourceImageArgs extends SourceImageBuild {
  /** SSH address of the Docker host. */
  host: pulumi.Input<string>;
  /** The host's public key, pinned: never trusted on first use. */
  hostKey: pulumi.Input<string>;
  /** Local repository name of the image on the host, e.g. `platform/topobank-app`. */
  imageName: string;
  /** Resources the build waits for (the host being ready). Default: none. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

const REPOSITORY = /^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)+$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RELATIVE_PATH = /^(\.|[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$/;
const IMAGE_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rejects a build description that would produce a wrong or unsafe script; names the bad field. */
export function checkBuild(name: string, build: SourceImageBuild): void {
  const fail = (field: string, value: string, rule: string) => {
    throw new Error(`SourceImage ${name}: ${field} ${JSON.stringify(value)} must be ${rule}`);
  };
  if (!REPOSITORY.test(build.repository)) fail("repository", build.repository, "an https git URL");
  if (!REF.test(build.ref)) fail("ref", build.ref, "a commit id or tag");
  for (const [field, value] of [["dockerfile", build.dockerfile], ["context", build.context]] as const) {
    if (value !== undefined && !RELATIVE_PATH.test(value)) fail(field, value, "a relative path inside the repository");
  }
  if (build.target !== undefined && !REF.test(build.target)) fail("target", build.target, "a stage name");
  for (const key of Object.keys(build.buildArgs ?? {})) if (!ARG_NAME.test(key)) fail("buildArgs key", key, "an ARG name");
  for (const file of build.files ?? []) if (!RELATIVE_PATH.test(file.path) || file.path === ".") fail("files path", file.path, "a relative file path");
}

/**
 * The local tag: `<imageName>:<ref>-<hash>`, where the hash covers everything that shapes the image
 * (Dockerfile, context, target, build arguments, files), so a changed build argument is a new image
 * and the containers using it are replaced, while an unchanged build is never redone.
 */
export function sourceImageTag(imageName: string, build: SourceImageBuild): string {
  const shape = JSON.stringify([build.repository, build.dockerfile ?? "Dockerfile", build.context ?? ".", build.target ?? "",
    Object.entries(build.buildArgs ?? {}).sort(), (build.files ?? []).map((f) => [f.path, f.content])]);
  const digest = createHash("sha256").update(shape).digest("hex").slice(0, 12);
  const ref = build.ref.length === 40 ? build.ref.slice(0, 12) : build.ref;
  return `${imageName}:${ref}-${digest}`;
}

/**
 * The remote script: reuse the image if the tag exists (a re-run is cheap), else fetch only the
 * pinned ref into a temporary directory, write the files, build, and print the image id.
 */
export function sourceImageScript(tag: string, build: SourceImageBuild): string {
  const dockerfile = build.dockerfile ?? "Dockerfile";
  const context = build.context ?? ".";
  const flags = [
    ...(build.target ? ["--target", build.target] : []),
    ...Object.entries(build.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
  ].map(shellQuote);
  return [
    "set -eu",
    `tag=${shellQuote(tag)}`,
    `if ! docker image inspect "$tag" >/dev/null 2>&1; then`,
    "  src=$(mktemp -d)",
    "  trap 'rm -rf \"$src\"' EXIT",
    `  git init -q "$src"`,
    `  git -C "$src" fetch -q --depth 1 ${shellQuote(build.repository)} ${shellQuote(build.ref)}`,
    `  git -C "$src" -c advice.detachedHead=false checkout -q FETCH_HEAD`,
    ...(build.files ?? []).map((f) => `  printf '%s' ${shellQuote(f.content)} > "$src/${f.path}"`),
    `  docker build --tag "$tag" --file "$src/${dockerfile}" ${[...flags, ""].join(" ")}"$src/${context}" >&2`,
    "fi",
    `docker image inspect --format '{{.Id}}' "$tag"`,
    "",
  ].join("\n");
}

/**
 * Builds one image from source on a Docker host, once per distinct build (see {@link sourceImageTag}).
 * `image` is the local tag, available only once the build has run, so containers that use it wait.
 */
export class SourceImage extends pulumi.ComponentResource {
  /** Local image reference (`name:tag`) on the host, for a container's `image`. */
  public readonly image: pulumi.Output<string>;
  /** The image id the build printed. */
  public readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: SourceImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:docker:SourceImage", name, {}, opts);
    checkBuild(name, args);
    if (!IMAGE_NAME.test(args.imageName)) throw new Error(`SourceImage ${name}: imageName ${JSON.stringify(args.imageName)} must be a lower-case repository name`);
    const tag = sourceImageTag(args.imageName, args);
    const build = new command.remote.Command(
      name,
      {
        connection: rootConnection(args.host, args.hostKey),
        create: sourceImageScript(tag, args),
        // A changed tag is a different image: build it as a new resource, keep the old image for rollback.
        triggers: [tag],
      },
      { parent: this, dependsOn: args.dependsOn ?? [], customTimeouts: { create: "45m", update: "45m" } },
    );
    this.imageId = build.stdout.apply((out) => (out ?? "").trim());
    // The tag, but only once the build resource exists: a container using it is created after the build.
    this.image = build.id.apply(() => tag);
    this.registerOutputs({ image: this.image, imageId: this.imageId });
  }
}

/** A version as config gives it: a git ref to build from, or prebuilt images by digest keyed by image name. */
export type ImageVersion = string | Readonly<Record<string, string>>;

/** One line naming a version (for release triggers and outputs): the ref, or the digests in key order. */
export function versionLabel(version: ImageVersion): string {
  return typeof version === "string" ? version : Object.keys(version).sort().map((k) => `${k}=${version[k]}`).join(",");
}

/**
 * The image for `key` at `version`: the prebuilt digest reference when the version names images, else
 * a {@link SourceImage} of `build` at the version's ref, named `<name>`.
 */
export function imageAtVersion(
  name: string,
  version: ImageVersion,
  key: string,
  args: Omit<SourceImageArgs, "ref">,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.Output<string> {
  if (typeof version !== "string") {
    const pinned = version[key];
    if (pinned === undefined) throw new Error(`imageAtVersion ${name}: the prebuilt version has no image ${key}`);
    return pulumi.output(pinned);
  }
  return new SourceImage(name, { ...args, ref: version }, opts).image;
}
