/** Containers (Docker and ECS): pinned images in production, no plaintext secrets in the environment. */
import { asArray, asRecord, asString, isSecretMarker, type Finding, type ResourcePolicy, type Subject } from "./model";

const DOCKER_CONTAINER = "docker:index/container:Container";
const DOCKER_REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const DOCKER_IMAGE = "docker:index/image:Image";
const ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** Last words of a name that say it holds where a secret is, not the secret: `SECRETS_S3_BUCKET`, `TOKEN_URL`. */
const LOCATION_WORDS = new Set(["BUCKET", "PATH", "FILE", "DIR", "ARN", "URL", "URI", "PREFIX", "OBJECTS", "REGION", "NAME", "ENDPOINT"]);

/**
 * An environment variable named like a credential: *PASSWORD*, *SECRET*, *TOKEN*, or ending in
 * _KEY - unless its last word names a location (BUCKET, PATH, FILE, URL, ARN, ...) or it ends in
 * S3_KEY (an object key): those say where a secret is kept, and are not secret themselves.
 */
export function looksSecret(name: string): boolean {
  const n = name.toUpperCase();
  const words = n.split(/[^A-Z0-9]+/).filter(Boolean);
  if (LOCATION_WORDS.has(words[words.length - 1] ?? "") || n.endsWith("S3_KEY")) return false;
  return n.includes("PASSWORD") || n.includes("SECRET") || n.includes("TOKEN") || n.endsWith("_KEY");
}

/**
 * The tag of an image reference, "" when it has none; undefined when the reference is pinned by
 * digest (`repo@sha256:...`) or is an image ID (`sha256:...`), which need no tag.
 */
export function imageTag(reference: string): string | undefined {
  if (reference.startsWith("sha256:") || reference.includes("@")) return undefined;
  const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon < 0 ? "" : lastSegment.slice(colon + 1);
}

/** Image references a resource runs or pulls, with where each sits. */
export function imageReferences(r: Pick<Subject, "type" | "inputs">): { where: string; image: string }[] {
  switch (r.type) {
    case DOCKER_CONTAINER:
    case DOCKER_REMOTE_IMAGE: {
      const key = r.type === DOCKER_CONTAINER ? "image" : "name";
      const image = asString(r.inputs[key]);
      return image && !isSecretMarker(image) ? [{ where: key, image }] : [];
    }
    case DOCKER_IMAGE: {
      const image = asString(r.inputs.imageName);
      return image && !isSecretMarker(image) ? [{ where: "imageName", image }] : [];
    }
    case ECS_TASK_DEFINITION:
      return ecsContainers(r.inputs).flatMap((c, i) => {
        const image = asString(c.image);
        return image ? [{ where: `containerDefinitions[${i}].image`, image }] : [];
      });
    default:
      return [];
  }
}

/** The parsed containerDefinitions JSON of a task definition; [] when secret or unreadable. */
function ecsContainers(inputs: Record<string, unknown>): Record<string, unknown>[] {
  const raw = inputs.containerDefinitions;
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    if (isSecretMarker(raw)) return [];
    try {
      parsed = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  return asArray(parsed).map(asRecord);
}

export const imagesPinned: ResourcePolicy = {
  kind: "resource",
  name: "container-image-pinned",
  description: "In production, every container image names a version tag (or digest), never `latest` or no tag.",
  defaultLevel: "mandatory",
  productionOnly: true,
  types: [DOCKER_CONTAINER, DOCKER_REMOTE_IMAGE, DOCKER_IMAGE, ECS_TASK_DEFINITION],
  check: (r) =>
    imageReferences(r).flatMap(({ where, image }): Finding[] => {
      const tag = imageTag(image);
      if (tag === undefined || (tag !== "" && tag !== "latest")) return [];
      return [
        {
          message: `${where} is "${image}": ${tag === "" ? "no tag, so Docker pulls latest" : "the latest tag"} changes under a running stack and cannot be rolled back`,
          fix: "tag the image with a version and set it in config (apps.<app>.versions.<colour>)",
        },
      ];
    }),
};

/** Environment entries as name/value pairs; `whole` marks a Docker "KEY=value" entry that is secret as a whole. */
function environment(r: Pick<Subject, "type" | "inputs">): { where: string; name: string; value: unknown }[] {
  if (r.type === DOCKER_CONTAINER) {
    return asArray(r.inputs.envs).flatMap((entry, i) => {
      const text = asString(entry);
      // A whole entry shown as "[secret]" carries a secret value: its name is hidden and it is fine.
      if (text === undefined || isSecretMarker(text)) return [];
      const eq = text.indexOf("=");
      return [{ where: `envs[${i}]`, name: eq < 0 ? text : text.slice(0, eq), value: eq < 0 ? "" : text.slice(eq + 1) }];
    });
  }
  if (r.type === ECS_TASK_DEFINITION) {
    return ecsContainers(r.inputs).flatMap((c, i) =>
      asArray(c.environment).map((e, j) => {
        const entry = asRecord(e);
        return { where: `containerDefinitions[${i}].environment[${j}]`, name: asString(entry.name) ?? "", value: entry.value };
      }),
    );
  }
  return [];
}

export const noPlaintextSecrets: ResourcePolicy = {
  kind: "resource",
  name: "container-env-no-plaintext-secrets",
  description: "No container environment variable named like a credential (*PASSWORD*, *SECRET*, *TOKEN*, *_KEY) has a plaintext value.",
  defaultLevel: "mandatory",
  needsSecretMarkers: true,
  types: [DOCKER_CONTAINER, ECS_TASK_DEFINITION],
  check: (r, ctx) => {
    // CrossGuard hands policies secrets as plain values: this rule cannot tell them apart there.
    if (!ctx.secretsVisible) return [];
    return environment(r)
      .filter((e) => looksSecret(e.name) && !isSecretMarker(e.value) && e.value !== "")
      .map((e) => ({
        message: `${e.where}: ${e.name} is set in plaintext`,
        fix: `generate it (@pulumi/random) or read it from secret config (pulumi config set --secret --path 'secrets.<app>.${e.name}'), and pass the secret Output`,
      }));
  },
};
