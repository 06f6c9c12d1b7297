/**
 * Cloud-init for an EC2 instance that runs containers: installs Docker, fetches the environment from
 * SSM Parameter Store through the instance role into a root-only file on tmpfs, runs one-shot setup
 * containers (which must succeed), then the long-running containers with `--restart=always` and
 * CloudWatch Logs. The user data itself holds no secret: only the SSM path.
 */
import YAML from "yaml";

/** A container started by {@link renderContainerHostCloudInit}. */
export interface HostContainer {
  /** Container name (also the log stream prefix). */
  name: string;
  /** Image reference, `repository:tag`. */
  image: string;
  /** Command and arguments. Default: the image's. */
  command?: string[];
  /** `host:container` port publications. Default: none. */
  ports?: { host: number; container: number }[];
  /** Plain (non-secret) environment, beside the SSM env file; wins over it. Default: none. */
  environment?: Record<string, string>;
  /**
   * Files fetched from SSM SecureString parameters into a root-only tmpfs directory and mounted
   * read-only, one file each, at `containerPath`. Default: none.
   */
  files?: { parameterName: string; containerPath: string }[];
}

/** What a host runs. */
export interface ContainerHostSpec {
  /** AWS region of the parameters and the log group. */
  region: string;
  /** SSM path whose SecureStrings become the containers' environment (name after the last '/'). */
  parameterPath: string;
  /** CloudWatch Logs group of every container. */
  logGroupName: string;
  /** Run once, in order, before the services; each is retried, and the services never start if one keeps failing. */
  setup: HostContainer[];
  /** Long-running containers, restarted by Docker on failure and on reboot. */
  services: HostContainer[];
  /** Attempts per setup container before the boot fails. Default: 10. */
  setupAttempts?: number;
  /** ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`) to log in to with the instance role before pulling. Default: none (public images). */
  ecrRegistry?: string;
}

/** Path of the start script on the host. */
export const START_SCRIPT_PATH = "/usr/local/sbin/start-containers";

/** Single-quotes `s` for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Host path of a container's fetched file. */
function hostFilePath(c: HostContainer, parameterName: string): string {
  return `/run/containers/files/${c.name}/${parameterName.split("/").pop() ?? ""}`;
}

function dockerRunArgs(spec: ContainerHostSpec, c: HostContainer): string {
  const parts = [
    "--env-file /run/containers/env",
    ...Object.entries(c.environment ?? {}).map(([k, v]) => `-e ${shellQuote(`${k}=${v}`)}`),
    ...(c.files ?? []).map((f) => `-v ${shellQuote(`${hostFilePath(c, f.parameterName)}:${f.containerPath}:ro`)}`),
    "--log-driver awslogs",
    `--log-opt awslogs-region=${shellQuote(spec.region)}`,
    `--log-opt awslogs-group=${shellQuote(spec.logGroupName)}`,
    `--log-opt awslogs-stream=${shellQuote(`${c.name}/`)}"$INSTANCE_ID"`,
    ...(c.ports ?? []).map((p) => `-p ${p.host}:${p.container}`),
    shellQuote(c.image),
    ...(c.command ?? []).map(shellQuote),
  ];
  return parts.join(" ");
}

/** The bash script that fetches the environment and starts the containers. */
export function renderStartScript(spec: ContainerHostSpec): string {
  const attempts = spec.setupAttempts ?? 10;
  const images = [...new Set([...spec.setup, ...spec.services].map((c) => c.image))];
  const lines = [
    "#!/bin/bash",
    "# Generated: starts this host's containers once, at first boot.",
    "set -euo pipefail",
    "umask 077",
    "install -d -m 0700 /run/containers",
    'TOKEN="$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")"',
    'INSTANCE_ID="$(curl -sSf -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)"',
    "",
    "# Settings come from SSM through the instance role; the file lives on tmpfs, readable by root only.",
    `aws ssm get-parameters-by-path --region ${shellQuote(spec.region)} --path ${shellQuote(spec.parameterPath)} --with-decryption --recursive \\`,
    "  --query 'Parameters[*].[Name,Value]' --output text > /run/containers/params.tsv",
    ": > /run/containers/env",
    "while IFS=$'\\t' read -r name value; do",
    '  printf \'%s=%s\\n\' "${name##*/}" "$value" >> /run/containers/env',
    "done < /run/containers/params.tsv",
    "rm -f /run/containers/params.tsv",
    ...[...spec.setup, ...spec.services].flatMap((c) =>
      (c.files ?? []).length === 0
        ? []
        : [
            "",
            `# Files of ${c.name}: one SecureString each, root-only on tmpfs, mounted read-only.`,
            `install -d -m 0700 ${shellQuote(`/run/containers/files/${c.name}`)}`,
            ...(c.files ?? []).map(
              (f) =>
                `aws ssm get-parameter --region ${shellQuote(spec.region)} --name ${shellQuote(f.parameterName)} --with-decryption --query Parameter.Value --output text > ${shellQuote(hostFilePath(c, f.parameterName))}`,
            ),
          ],
    ),
    ...(spec.ecrRegistry === undefined
      ? []
      : [
          "",
          "# Private images: log in to ECR with the instance role (the token lasts 12 hours; pulls happen now).",
          `aws ecr get-login-password --region ${shellQuote(spec.region)} | docker login --username AWS --password-stdin ${shellQuote(spec.ecrRegistry)}`,
        ]),
    "",
    "pull() {",
    "  for _ in 1 2 3 4 5 6 7 8 9 10; do",
    '    if docker pull "$1"; then return 0; fi',
    "    sleep 15",
    "  done",
    "  return 1",
    "}",
    ...images.map((image) => `pull ${shellQuote(image)}`),
  ];
  for (const c of spec.setup) {
    lines.push(
      "",
      `# Setup: ${c.name} must succeed before any service starts.`,
      `ok=0`,
      `for _ in $(seq 1 ${attempts}); do`,
      `  if docker run --rm --name ${shellQuote(c.name)} ${dockerRunArgs(spec, c)}; then ok=1; break; fi`,
      "  sleep 30",
      "done",
      `if [ "$ok" -ne 1 ]; then echo ${shellQuote(`setup ${c.name} failed; not starting services`)} >&2; exit 1; fi`,
    );
  }
  for (const c of spec.services) {
    lines.push("", `docker run -d --name ${shellQuote(c.name)} --restart=always ${dockerRunArgs(spec, c)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The `#cloud-config` user data. */
export function renderContainerHostCloudInit(spec: ContainerHostSpec): string {
  const doc = {
    packages: ["docker"],
    write_files: [{ path: START_SCRIPT_PATH, owner: "root:root", permissions: "0700", content: renderStartScript(spec) }],
    runcmd: [
      ["systemctl", "enable", "--now", "docker"],
      [START_SCRIPT_PATH],
    ],
  };
  return `#cloud-config\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}
