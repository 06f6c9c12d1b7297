import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link GitImageBuild}. */
export interface GitImageBuildArgs {
  /** ECR repository URL, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, the image is pushed to. */
  repositoryUrl: pulumi.Input<string>;
  /** Git repository to build from, an https URL such as `https://github.com/owner/repo.git`. */
  source: string;
  /** Git tag or full commit the build checks out; also the image tag in the repository. */
  ref: string;
  /** Directory of the build context inside the repository. Default: the repository root. */
  contextPath?: string;
  /** Target platform of the image. Default: `linux/amd64` (the x86_64 instances). */
  platform?: string;
}

const GIT_REF = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Checks {@link GitImageBuildArgs}; throws naming every bad argument. */
export function validateGitImageBuildArgs(name: string, args: GitImageBuildArgs): void {
  const problems: string[] = [];
  if (!/^https:\/\/[^\s#'"]+$/.test(args.source)) problems.push(`args.source must be an https git URL without '#', got ${JSON.stringify(args.source)}`);
  if (!GIT_REF.test(args.ref)) problems.push(`args.ref must be a git tag or commit that is also a Docker tag (letters, digits, '_', '.', '-'), got ${JSON.stringify(args.ref)}`);
  if (args.contextPath !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(args.contextPath)) {
    problems.push(`args.contextPath must be a relative directory such as src/app, got ${JSON.stringify(args.contextPath)}`);
  }
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/**
 * The script run by the `create` of the build command: log in to ECR with the AWS CLI (the same
 * credentials `pulumi up` runs with; no token lands in the state), and unless the
 * tag is already in the repository (tags are immutable, a second push would fail), build from the
 * git URL (`docker build <url>#<ref>:<dir>`, Docker's remote git context) and push. Pure, for tests.
 */
export const BUILD_SCRIPT = [
  "set -eu",
  'aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
  'if docker manifest inspect "$IMAGE" > /dev/null 2>&1; then',
  '  echo "$IMAGE is already in the registry; not rebuilding"',
  "else",
  '  docker build --pull --platform "$PLATFORM" --tag "$IMAGE" "$CONTEXT"',
  '  docker push "$IMAGE"',
  "fi",
  "",
].join("\n");

/**
 * Builds a Docker image from a public git repository at a pinned ref and pushes it to an ECR
 * repository, once per ref: a new ref is a new build, and nothing is deleted (the repository's
 * lifecycle rule expires old images). @pulumi/docker's `Image` builds local directories only
 * (pulumi/pulumi-docker#1119), so this runs the Docker and AWS CLIs on the machine running
 * `pulumi up`, which needs a Docker engine.
 */
export class GitImageBuild extends pulumi.ComponentResource {
  /** `repository:ref`, known once the push is done (use it so instances start after the push). */
  public readonly imageRef: pulumi.Output<string>;

  constructor(name: string, args: GitImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:GitImageBuild", name, {}, opts);
    validateGitImageBuildArgs(name, args);
    const repositoryUrl = pulumi.output(args.repositoryUrl);
    const registry = repositoryUrl.apply((url) => url.split("/")[0]);
    // <account>.dkr.ecr.<region>.amazonaws.com
    const region = registry.apply((host) => host.split(".")[3]);
    const image = pulumi.interpolate`${repositoryUrl}:${args.ref}`;
    const context = `${args.source}#${args.ref}${args.contextPath ? `:${args.contextPath}` : ""}`;
    const build = new command.local.Command(
      name,
      {
        create: BUILD_SCRIPT,
        interpreter: ["/bin/sh", "-c"],
        environment: {
          REGISTRY: registry,
          REGION: region,
          IMAGE: image,
          CONTEXT: context,
          PLATFORM: args.platform ?? "linux/amd64",
        },
        // A new ref or repository is a new build (a replacement); nothing else runs it again.
        triggers: [image, context],
        logging: "stdoutAndStderr",
      },
      { parent: this },
    );
    this.imageRef = pulumi.all([image, build.stdout]).apply(([ref]) => ref);
    this.registerOutputs({ imageRef: this.imageRef });
  }
}
