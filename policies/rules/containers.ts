/** Containers (Docker and ECS): pinned images in production, no plaintext secrets in the environment. */
import { asArray, asRecord, asString, isSecretMarker, jsonInput, type Finding, type ResourcePolicy, type Subject } from "./model";

const DOCKER_CONTAINER = "docker:index/container:Container";
const DOCKER_REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const DOCKER_IMAGE = "docker:index/image:Image";
const ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** Last words of a name that say it holds where a secret is, not the secret: `SECRETS_S3_BUCKET`, `TOKEN_URL`. */
const LOCATION_WORDS = new Set(["BUCKET", "PATH", "FILE", "DIR", "ARN", "URL", "URI", "PREFIX", "OBJECTS", "REGION", "NAME", "ENDPOINT"]);

/** Words that name a credential on their own: RABBITMQ_DEFAULT_PASS, PGPASS, PASSPHRASE, DB_PASSWD. */
const CREDENTIAL_WORDS = new Set(["PASS", "PASSWD", "PWD", "PASSPHRASE", "CREDENTIALS", "CREDS"]);

/**
 * An environment variable named like a credential: *PASSWORD*, *PASSPHRASE*, *SECRET*, *TOKEN*, a
 * word PASS/PASSWD/PWD/CREDENTIALS (RABBITMQ_DEFAULT_PASS), or ending in _KEY - unless its last word
 * names a location (BUCKET, PATH, FILE, URL, ARN, ...) or it ends in S3_KEY (an object key): those say
 * where a secret is kept, and are not secret themselves. URLs are judged by their value instead
 * ({@link hasUrlCredentials}).
 */
export function looksSecret(name: string): boolean {
  const n = name.toUpperCase();
  const words = n.split(/[^A-Z0-9]+/).filter(Boolean);
  if (LOCATION_WORDS.has(words[words.length - 1] ?? "") || n.endsWith("S3_KEY")) return false;
  return (
    n.includes("PASSWORD") ||
    n.includes("PASSPHRASE") ||
    n.includes("SECRET") ||
    n.includes("TOKEN") ||
    n.endsWith("_KEY") ||
    words.some((w) => CREDENTIAL_WORDS.has(w))
  );
}

/**
 * True when `value` holds a URL with a password in its user info (`postgres://user:pw@host/db`,
 * `amqp://u:p@rabbit`, `smtp+tls://u:p@mail:587`), anywhere in the text.
 */
export function hasUrlCredentials(value: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i.test(value);
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
  return asArray(jsonInput(inputs.containerDefinitions)).map(asRecord);
}

/**
 * Why a tag is floating (re-pointed by its publisher as new releases come out), undefined when it names
 * one release. Floating: a major version alone, with or without a variant (`16`, `v3`, `3-alpine`,
 * `16-bookworm`: security review L2, the `postgres-backup-s3:16` case), and release channels (`stable`,
 * `mainline`, `lts`, `edge`, a bare variant such as `alpine`, or anything `latest`). `16.6` or `3.19` pass:
 * for many images (postgres since 10, alpine) a two-part version is one release.
 */
export function floatingTag(tag: string): string | undefined {
  if (/^v?\d{1,4}(?:[-_][a-z][a-z0-9._-]*)?$/i.test(tag)) return "a major version alone, which moves with every release of that major";
  if (/(?:^|[-_.])latest(?:$|[-_.])/i.test(tag)) return "a `latest` tag, which moves with every release";
  if (/^(?:stable|mainline|lts|edge|current|nightly|alpine|slim|bookworm|bullseye|trixie|jammy|noble)$/i.test(tag)) return "a release channel, which moves with every release";
  return undefined;
}

export const imagesPinned: ResourcePolicy = {
  kind: "resource",
  name: "container-image-pinned",
  description: "In production, every container image names one release: a version tag (or digest), never `latest`, no tag, a major version alone or a release channel.",
  defaultLevel: "mandatory",
  productionOnly: true,
  types: [DOCKER_CONTAINER, DOCKER_REMOTE_IMAGE, DOCKER_IMAGE, ECS_TASK_DEFINITION],
  check: (r) =>
    imageReferences(r).flatMap(({ where, image }): Finding[] => {
      const tag = imageTag(image);
      if (tag === undefined) return [];
      const floating = tag === "" ? "no tag, so Docker pulls latest," : floatingTag(tag);
      if (floating === undefined) return [];
      return [
        {
          message: `${where} is "${image}": ${floating} changes under a running stack and cannot be rolled back`,
          fix: "name one release: a full version tag (e.g. 16.6-bookworm) or a digest (image@sha256:…), set in config where the app has one",
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
  description:
    "No container environment variable named like a credential (*PASSWORD*, *PASSPHRASE*, *SECRET*, *TOKEN*, *_KEY, *_PASS) or holding a URL with a password has a plaintext value; an ECS task definition's plain `environment` holds none at all.",
  defaultLevel: "mandatory",
  types: [DOCKER_CONTAINER, ECS_TASK_DEFINITION],
  check: (r, ctx) =>
    environment(r)
      // A Docker env entry is plaintext only if the plan shows it unmarked; CrossGuard unwraps
      // secrets, so there only ECS's `environment` (shown in clear by DescribeTaskDefinition whatever
      // Pulumi knows) can be judged.
      .filter(() => ctx.secretsVisible || r.type === ECS_TASK_DEFINITION)
      .filter((e) => typeof e.value === "string" && e.value !== "" && !isSecretMarker(e.value))
      .filter((e) => looksSecret(e.name) || hasUrlCredentials(String(e.value)))
      .map((e) => ({
        message: `${e.where}: ${e.name} is set in plaintext${looksSecret(e.name) ? "" : " (a URL with a password)"}`,
        fix:
          r.type === ECS_TASK_DEFINITION
            ? `deliver it through the container's \`secrets\` (an SSM SecureString), never \`environment\``
            : `generate it (@pulumi/random) or read it from secret config (pulumi config set --secret --path 'secrets.<app>.${e.name}'), and pass the secret Output`,
      })),
};

/** Host paths whose mount gives a container the Docker engine, and so root on the host. */
const ENGINE_PATHS = ["/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run", "/"];

/** Host paths mounted into a container, with where each sits. */
function hostMounts(r: Pick<Subject, "type" | "inputs">): { where: string; path: string }[] {
  if (r.type === DOCKER_CONTAINER) {
    return [
      ...asArray(r.inputs.volumes).map((v, i) => ({ where: `volumes[${i}].hostPath`, path: asString(asRecord(v).hostPath) ?? "" })),
      ...asArray(r.inputs.mounts)
        .map((m, i) => ({ m: asRecord(m), i }))
        .filter(({ m }) => asString(m.type) === "bind")
        .map(({ m, i }) => ({ where: `mounts[${i}].source`, path: asString(m.source) ?? "" })),
    ].filter((x) => x.path !== "");
  }
  if (r.type === ECS_TASK_DEFINITION) {
    return asArray(r.inputs.volumes)
      .map((v, i) => ({ where: `volumes[${i}].hostPath`, path: asString(asRecord(v).hostPath) ?? "" }))
      .filter((x) => x.path !== "");
  }
  return [];
}

export const containersUnprivileged: ResourcePolicy = {
  kind: "resource",
  name: "container-not-privileged",
  description:
    "No container is privileged, shares the host's network or PID namespace, adds SYS_ADMIN or ALL capabilities, or mounts the Docker socket (or a directory holding it): each is root on the host.",
  defaultLevel: "mandatory",
  types: [DOCKER_CONTAINER, ECS_TASK_DEFINITION],
  check: (r) => {
    const findings: Finding[] = [];
    const fix = "drop the option; a container that needs the engine or the host's namespaces does not belong on an app node";
    // Docker provider inputs (kreuzwerker/docker resource_docker_container.go): privileged,
    // networkMode, pidMode, capabilities.adds, volumes[].hostPath, mounts[].source.
    // ECS containerDefinitions: privileged, linuxParameters.capabilities.add; volumes[].hostPath.
    const settings =
      r.type === DOCKER_CONTAINER
        ? [{ where: "", c: r.inputs, adds: asArray(asRecord(r.inputs.capabilities).adds) }]
        : ecsContainers(r.inputs).map((c, i) => ({
            where: `containerDefinitions[${i}].`,
            c,
            adds: asArray(asRecord(asRecord(c.linuxParameters).capabilities).add),
          }));
    for (const { where, c, adds } of settings) {
      if (c.privileged === true || c.privileged === "true") findings.push({ message: `${where}privileged is true`, fix });
      for (const key of ["networkMode", "pidMode"]) {
        if (asString(c[key]) === "host") findings.push({ message: `${where}${key} is "host"`, fix });
      }
      const dangerous = adds.map((a) => String(a).toUpperCase().replace(/^CAP_/, "")).filter((a) => a === "ALL" || a === "SYS_ADMIN");
      if (dangerous.length > 0) findings.push({ message: `${where}capabilities add ${dangerous.join(", ")}`, fix });
    }
    for (const m of hostMounts(r)) {
      const path = m.path.replace(/\/+$/, "") || "/";
      if (ENGINE_PATHS.includes(path)) findings.push({ message: `${m.where} mounts ${m.path}, which holds the Docker socket`, fix });
    }
    return findings;
  },
};
