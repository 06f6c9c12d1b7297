import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** A published port. */
export interface PublishedPort {
  /** Port inside the container. */
  internal: number;
  /** Port on the host. */
  external: number;
  /** Host address to bind. Default: "127.0.0.1" (reachable from the host only); "0.0.0.0" publishes to the world. */
  ip?: pulumi.Input<string>;
}

/** A named volume or a host path mounted into a container. */
export type Mount = ({ volume: string } | { hostPath: string }) & {
  /** Path inside the container. */
  target: string;
  /** Default: false. */
  readOnly?: boolean;
};

/** One container of a {@link ContainerStack}, compose-style. */
export interface ContainerSpec {
  /** Container name; also its DNS name on the stack's network. Unique within the stack. */
  name: string;
  /** Image reference `repository:tag`; never `latest` or untagged. */
  image: pulumi.Input<string>;
  /** Command (arguments to the entrypoint). Default: the image's. */
  command?: pulumi.Input<string>[];
  /** Entrypoint. Default: the image's. */
  entrypoint?: string[];
  /** Environment variables; values may be secret Outputs and stay secret. Default: none. */
  env?: Record<string, pulumi.Input<string>>;
  /** Published ports. Default: none (reachable on the stack's network only). */
  ports?: PublishedPort[];
  /** Mounts. Default: none. */
  mounts?: Mount[];
  /** Files written into the container before it starts (generated configs). Default: none. */
  files?: { path: string; content: pulumi.Input<string> }[];
  /** Health check command (exec form, e.g. ["CMD", "pg_isready"]). Default: the image's. */
  healthcheck?: string[];
  /** Restart policy. Default: "unless-stopped" (replaces supervisor: restarted on failure and at boot). */
  restart?: "always" | "unless-stopped" | "on-failure" | "no";
  /** Containers of this stack that must be created (and healthy, if they have a health check) first. Default: none. */
  after?: string[];
  /** Memory limit in MiB. Default: none. */
  memoryMiB?: number;
  /** Extra DNS names of this container on the stack's network. Default: none. */
  aliases?: string[];
  /** Size of /dev/shm in MiB (compose's shm_size). Default: Docker's 64. */
  shmSizeMiB?: number;
  /**
   * User the process runs as: a name the image knows or `uid[:gid]`. Default: the image's own user
   * (root for the images listed in docs/security.md, "Containers"); set it where the image runs as
   * another user, so a compromise is not root in the container.
   */
  user?: string;
  /**
   * Linux capabilities the container keeps; every other one is dropped. Default:
   * {@link ENTRYPOINT_CAPABILITIES} (what a root entrypoint needs to chown its data and step down to
   * its own user, and to bind ports below 1024). Pass [] for a container that starts as a non-root user.
   */
  capabilities?: readonly LinuxCapability[];
}

/** Capability names as Docker takes them (`--cap-add`), without the CAP_ prefix. */
export type LinuxCapability =
  | "CHOWN"
  | "DAC_OVERRIDE"
  | "FOWNER"
  | "FSETID"
  | "KILL"
  | "SETGID"
  | "SETUID"
  | "NET_BIND_SERVICE";

/**
 * Docker's default capability set (moby oci/caps/defaults.go) without MKNOD, NET_RAW, SETPCAP,
 * SETFCAP, SYS_CHROOT and AUDIT_WRITE, which no container here needs: creating device nodes, raw
 * packets (ARP/ICMP spoofing on the bridge), changing capability sets, chroot and audit records.
 * What is kept lets official images' root entrypoints chown their data directories and switch to
 * their own user (gosu, su-exec, setpriv), a master process signal its workers, and a proxy bind
 * 80/443. An assumption per image, not verified by running it: see docs/security.md.
 */
export const ENTRYPOINT_CAPABILITIES: readonly LinuxCapability[] = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "NET_BIND_SERVICE",
];

/**
 * Options every container gets: no process may gain privileges through setuid binaries or file
 * capabilities (Docker `--security-opt no-new-privileges`).
 */
export const CONTAINER_SECURITY_OPTS: readonly string[] = ["no-new-privileges:true"];

/** Arguments of {@link ContainerStack}. */
export interface ContainerStackArgs {
  /** Docker engine to run on (e.g. a node's provider over SSH). */
  provider: docker.Provider;
  /**
   * Identity of the machine behind `provider` (e.g. its droplet ID). Every network, volume, image and
   * container carries it in an input that forces replacement, so a replaced machine gets all of them:
   * a changed provider `host` only updates the provider (pulumi-docker sets no ForcesProviderReplace).
   */
  hostId: pulumi.Input<string>;
  /** Containers, in any order; `after` sets start-up order. */
  containers: ContainerSpec[];
  /** Named volumes to create. Default: none. */
  volumes?: string[];
  /** Protect and retain the named volumes (production). Default: false. */
  protectVolumes?: boolean;
  /** Resources that must exist before the first container (e.g. the node being ready). Default: none. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Name of the private network. Default: the component's name. */
  networkName?: string;
}

/**
 * Containers on one Docker engine, declared once like a compose file: a private network, named
 * volumes, environment (secrets stay secret), health checks, restart policy and start-up order.
 * Images are pulled by tag; a new tag replaces only the containers that use it.
 */
export class ContainerStack extends pulumi.ComponentResource {
  /** Containers by their name. */
  public readonly containers: Record<string, docker.Container>;
  /** Name of the private network. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: ContainerStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:docker:ContainerStack", name, {}, opts);
    const order = startOrder(name, args.containers);
    const childOpts = { parent: this, provider: args.provider };
    // `labels` is ForceNew on docker_container, docker_network and docker_volume, and `triggers` on
    // docker_image (kreuzwerker/terraform-provider-docker internal/provider/resource_docker_*.go).
    const hostLabels = [{ label: HOST_ID_LABEL, value: args.hostId }];

    const network = new docker.Network(
      `${name}-network`,
      { name: args.networkName ?? name, driver: "bridge", attachable: false, labels: hostLabels },
      childOpts,
    );
    this.networkName = network.name;

    const volumes = new Map<string, docker.Volume>();
    for (const volume of args.volumes ?? []) {
      volumes.set(
        volume,
        new docker.Volume(`${name}-${volume}`, { name: volume, labels: hostLabels }, {
          ...childOpts,
          protect: args.protectVolumes ?? false,
          retainOnDelete: args.protectVolumes ?? false,
          // A volume's ID is its name: replaced create-first, the old one's delete would remove the new
          // one. Removing a missing volume with force succeeds (moby daemon/volume/service Remove).
          deleteBeforeReplace: true,
        }),
      );
    }

    this.containers = {};
    for (const spec of order) {
      for (const mount of spec.mounts ?? []) {
        if ("volume" in mount && !volumes.has(mount.volume)) {
          throw new Error(`ContainerStack ${name}: container ${spec.name} mounts volume ${mount.volume}, which is not in volumes`);
        }
      }
      const imageKey = `${name}-${spec.name}-image`;
      const image = new docker.RemoteImage(imageKey, { name: spec.image, keepLocally: true, triggers: { [HOST_ID_LABEL]: args.hostId } }, {
        ...childOpts,
        dependsOn: args.dependsOn ?? [],
      });
      const after = (spec.after ?? []).map((n) => this.containers[n]);
      this.containers[spec.name] = new docker.Container(
        `${name}-${spec.name}`,
        {
          name: spec.name,
          image: image.imageId,
          command: spec.command,
          entrypoints: spec.entrypoint,
          envs: Object.entries(spec.env ?? {}).map(([key, value]) => pulumi.interpolate`${key}=${value}`),
          ports: (spec.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip ?? "127.0.0.1", protocol: "tcp" })),
          volumes: (spec.mounts ?? []).map((m) =>
            "volume" in m
              ? { volumeName: volumes.get(m.volume)?.name, containerPath: m.target, readOnly: m.readOnly ?? false }
              : { hostPath: m.hostPath, containerPath: m.target, readOnly: m.readOnly ?? false },
          ),
          uploads: (spec.files ?? []).map((f) => ({ file: f.path, content: f.content })),
          healthcheck: spec.healthcheck
            ? { tests: spec.healthcheck, interval: "30s", timeout: "10s", retries: 3, startPeriod: "30s" }
            : undefined,
          restart: spec.restart ?? "unless-stopped",
          networksAdvanced: [{ name: network.name, aliases: spec.aliases }],
          labels: hostLabels,
          memory: spec.memoryMiB,
          shmSize: spec.shmSizeMiB,
          // Least privilege (security review L11): drop every capability but those kept, and no
          // privilege gains after start. Docker provider inputs `capabilities`, `securityOpts`, `user`.
          capabilities: { drops: ["ALL"], adds: [...(spec.capabilities ?? ENTRYPOINT_CAPABILITIES)] },
          securityOpts: [...CONTAINER_SECURITY_OPTS],
          user: spec.user,
          logDriver: "json-file",
          // Bounded logs, so a chatty container cannot fill the disk.
          logOpts: { "max-size": "20m", "max-file": "5" },
          // Waiting for health makes `after` mean "started and healthy", as compose's service_healthy.
          wait: spec.healthcheck !== undefined,
          waitTimeout: 300,
          mustRun: true,
          destroyGraceSeconds: 30,
        },
        // Delete first: names are fixed (create-first would clash on the name), and a singleton
        // must never run twice.
        { ...childOpts, dependsOn: [...after, ...(args.dependsOn ?? [])], deleteBeforeReplace: true },
      );
    }
    this.registerOutputs({ networkName: this.networkName });
  }
}

/** Docker label (and image trigger) holding the identity of the machine a resource lives on. */
export const HOST_ID_LABEL = "platform.host-id";

/** Orders containers so each comes after those it names in `after`; rejects unknown names and cycles. */
export function startOrder(stackName: string, containers: readonly ContainerSpec[]): ContainerSpec[] {
  const byName = new Map<string, ContainerSpec>();
  for (const c of containers) {
    if (byName.has(c.name)) throw new Error(`ContainerStack ${stackName}: container name ${c.name} is used twice`);
    byName.set(c.name, c);
  }
  const ordered: ContainerSpec[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (c: ContainerSpec, path: string[]): void => {
    if (state.get(c.name) === "done") return;
    if (state.get(c.name) === "visiting") {
      throw new Error(`ContainerStack ${stackName}: start-up order has a cycle: ${[...path, c.name].join(" -> ")}`);
    }
    state.set(c.name, "visiting");
    for (const dep of c.after ?? []) {
      const target = byName.get(dep);
      if (!target) throw new Error(`ContainerStack ${stackName}: container ${c.name} starts after unknown container ${dep}`);
      visit(target, [...path, c.name]);
    }
    state.set(c.name, "done");
    ordered.push(c);
  };
  for (const c of containers) visit(c, []);
  return ordered;
}
