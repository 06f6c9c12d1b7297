import * as command from "@pulumi/command";
import * as digitalocean from "@pulumi/digitalocean";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { renderNodeCloudInit } from "./cloud-init";

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** A port opened to selected droplets only (by tag), e.g. Postgres to the app nodes. */
export interface PrivatePort {
  port: number;
  /**
   * Droplet tags allowed to connect. Pass a `digitalocean.Tag`'s name so the firewall is created after
   * the tag exists (poseidon/typhoon#709: a firewall naming a tag nothing has created yet fails).
   */
  fromTags: pulumi.Input<string>[];
}

/** Arguments of {@link Node}. */
export interface NodeArgs {
  /** DigitalOcean region slug. */
  region: string;
  /** Droplet size slug. */
  size: string;
  /** Droplet image slug. Default: "ubuntu-24-04-x64". */
  image?: string;
  /** Networks allowed to reach SSH (22). Must not be empty or the whole internet. */
  adminCidrs: string[];
  /**
   * OpenSSH public keys allowed to log in as root. Installed over SSH after boot, not in the user data:
   * changing them rewrites root's authorized_keys and replaces no droplet.
   */
  adminSshKeys: string[];
  /** TCP ports open to the whole internet. Default: [80, 443]. */
  publicPorts?: number[];
  /** TCP ports open only to droplets with given tags. Default: none. */
  privatePorts?: PrivatePort[];
  /** Droplet tags (also what {@link PrivatePort.fromTags} matches). Default: none. */
  tags?: pulumi.Input<string>[];
  /** A block-storage volume for state, mounted at `mountPath`. Default: none. */
  dataVolume?: {
    /** Size in GiB. */
    sizeGiB: number;
    /** Mount point on the node. */
    mountPath: string;
    /**
     * Protect and retain the volume (production). The droplet is then replaced delete-first: a volume
     * is attached to one droplet at a time, so the node is down while its droplet is replaced.
     */
    protect: boolean;
  };
  /** Enable DigitalOcean's metrics agent (needed for CPU/memory/disk alerts). Default: true. */
  monitoring?: boolean;
}

/**
 * One droplet that runs Docker: a cloud firewall (SSH only from admin networks), SSH host keys
 * generated here so known_hosts is an output before first contact, an optional data volume, and a
 * Docker provider that reaches the engine over SSH with that host key pinned.
 *
 * Login: the droplet is created with a deploy key of its own, generated here and registered with
 * DigitalOcean (so DigitalOcean sets no root password that would expire and refuse every
 * non-interactive session), and the program installs the admin keys over SSH with that deploy key.
 * The deploy key never changes, so rotating admin keys replaces no droplet.
 */
export class Node extends pulumi.ComponentResource {
  /** Public IPv4 address. */
  public readonly ipv4Address: pulumi.Output<string>;
  /** Address in the region's VPC, for traffic between nodes. */
  public readonly privateIpv4Address: pulumi.Output<string>;
  /** Droplet ID, as the API's number. */
  public readonly dropletId: pulumi.Output<number>;
  /** `<ip> <key>` line for ~/.ssh/known_hosts. */
  public readonly knownHostsLine: pulumi.Output<string>;
  /** SHA256 fingerprint of the host key, as `ssh-keygen -l` prints it. */
  public readonly hostKeyFingerprint: pulumi.Output<string>;
  /** Host public key, `ssh-ed25519 AAAA...`. */
  public readonly hostPublicKey: pulumi.Output<string>;
  /** Docker engine of this node, over SSH with the host key pinned. */
  public readonly docker: docker.Provider;
  /** Completes when cloud-init has finished (Docker installed, volume mounted). */
  public readonly ready: command.remote.Command;
  /** Writes root's authorized_keys (deploy key and admin keys); re-runs when the admin keys change. */
  public readonly adminKeys: command.remote.Command;
  /**
   * The droplet's ID as a string: it changes exactly when the droplet is replaced. Resources living on
   * the droplet (containers, images, networks, release commands) carry it in an input that forces
   * their replacement, so a new droplet gets all of them (the Docker provider itself is only updated).
   */
  public readonly hostId: pulumi.Output<string>;
  /** The data volume, when requested. */
  public readonly dataVolume?: digitalocean.Volume;

  constructor(name: string, args: NodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:digitalocean:Node", name, {}, opts);
    validateNodeArgs(name, args);

    const hostKey = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, { parent: this });
    this.hostPublicKey = hostKey.publicKeyOpenssh.apply((k) => k.trim());
    this.hostKeyFingerprint = hostKey.publicKeyFingerprintSha256;

    const volumeName = `${name}-data`;
    if (args.dataVolume) {
      const stateful = { protect: args.dataVolume.protect, retainOnDelete: args.dataVolume.protect };
      this.dataVolume = new digitalocean.Volume(
        volumeName,
        {
          name: volumeName,
          region: args.region,
          size: args.dataVolume.sizeGiB,
          initialFilesystemType: "ext4",
          initialFilesystemLabel: "data",
          description: `Data of ${name}; survives droplet replacement.`,
        },
        // `description` is ForceNew (terraform-provider-digitalocean digitalocean/volume/resource_volume.go):
        // editing the text must never replace a protected volume.
        { parent: this, ...stateful, ignoreChanges: ["description"] },
      );
    }

    const userData = pulumi
      .all([hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh])
      .apply(([privateOpenssh, publicOpenssh]) =>
        renderNodeCloudInit({
          hostKey: { privateOpenssh, publicOpenssh },
          dataVolume: args.dataVolume ? { name: volumeName, mountPath: args.dataVolume.mountPath } : undefined,
        }),
      );

    // One key per node, generated: DigitalOcean refuses a public key already in the account ("SSH Key
    // is already in use on your account", digitalocean/ansible-collection#102), so the admin keys that
    // every node and stack shares cannot be registered once per node.
    const deployKey = new tls.PrivateKey(`${name}-deploy-key`, { algorithm: "ED25519" }, { parent: this });
    const deployKeyPublic = deployKey.publicKeyOpenssh.apply((k) => k.trim());
    const registeredDeployKey = new digitalocean.SshKey(
      `${name}-deploy-key`,
      { name: `${name}-deploy`, publicKey: deployKeyPublic },
      { parent: this },
    );

    const droplet = new digitalocean.Droplet(
      name,
      {
        name,
        region: args.region,
        size: args.size,
        image: args.image ?? "ubuntu-24-04-x64",
        monitoring: args.monitoring ?? true,
        ipv6: true,
        tags: args.tags,
        // Holds the host private key: a secret, and never logged.
        userData: pulumi.secret(userData),
        // ForceNew (digitalocean/droplet/resource_droplet.go), like user_data: only the deploy key,
        // which never changes, is given here.
        sshKeys: [registeredDeployKey.fingerprint],
        gracefulShutdown: true,
      },
      // With a data volume, delete first: the attachment cannot attach a volume the old droplet still
      // holds (digitalocean/volume/resource_volume_attachment.go attaches without detaching), and the
      // droplet's Delete detaches its volumes first (resource_droplet.go detachVolumesFromDroplet).
      { parent: this, deleteBeforeReplace: args.dataVolume !== undefined },
    );
    this.hostId = droplet.id;
    this.ipv4Address = droplet.ipv4Address;
    this.privateIpv4Address = droplet.ipv4AddressPrivate;
    this.dropletId = droplet.id.apply((id) => Number(id));
    this.knownHostsLine = pulumi.interpolate`${droplet.ipv4Address} ${this.hostPublicKey}`;

    const attachment = this.dataVolume
      ? new digitalocean.VolumeAttachment(
          `${name}-data`,
          { dropletId: this.dropletId, volumeId: this.dataVolume.id },
          // `droplet_id` is ForceNew: detach from the old droplet before attaching to the new one.
          { parent: this, deleteBeforeReplace: true },
        )
      : undefined;

    new digitalocean.Firewall(
      `${name}-firewall`,
      {
        name: `${name}-firewall`,
        dropletIds: [this.dropletId],
        inboundRules: [
          { protocol: "tcp", portRange: "22", sourceAddresses: args.adminCidrs },
          ...(args.publicPorts ?? [80, 443]).map((port) => ({
            protocol: "tcp",
            portRange: String(port),
            sourceAddresses: ANYWHERE,
          })),
          ...(args.privatePorts ?? []).map((p) => ({ protocol: "tcp", portRange: String(p.port), sourceTags: p.fromTags })),
          { protocol: "icmp", sourceAddresses: ANYWHERE },
        ],
        outboundRules: [
          { protocol: "tcp", portRange: "1-65535", destinationAddresses: ANYWHERE },
          { protocol: "udp", portRange: "1-65535", destinationAddresses: ANYWHERE },
          { protocol: "icmp", destinationAddresses: ANYWHERE },
        ],
      },
      { parent: this },
    );

    // The program's own sessions log in with the deploy key (a secret), never an operator's agent.
    const connection = {
      host: droplet.ipv4Address,
      user: "root",
      hostKey: this.hostPublicKey,
      privateKey: deployKey.privateKeyOpenssh,
      dialErrorLimit: 60,
    };
    // Docker is installed by cloud-init; wait for it (and the volume mount) before any container.
    this.ready = new command.remote.Command(
      `${name}-ready`,
      {
        connection,
        create: "cloud-init status --wait >/dev/null; docker info --format '{{.ServerVersion}}'",
        triggers: [droplet.id],
      },
      { parent: this, dependsOn: attachment ? [attachment] : [] },
    );

    // New keys arrive on stdin; a change of stdin updates the command, and pulumi-command re-runs
    // `create` on update when no `update` is given (provider/pkg/provider/remote/commandController.go).
    this.adminKeys = new command.remote.Command(
      `${name}-admin-keys`,
      {
        connection,
        create: INSTALL_AUTHORIZED_KEYS,
        stdin: deployKeyPublic.apply((deploy) => authorizedKeys(deploy, args.adminSshKeys)),
        triggers: [droplet.id],
      },
      { parent: this, dependsOn: [this.ready] },
    );

    this.docker = new docker.Provider(
      `${name}-docker`,
      {
        host: pulumi.interpolate`ssh://root@${droplet.ipv4Address}`,
        // Trust exactly the generated host key: never a key learned on first use.
        sshOpts: [
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          pulumi.interpolate`KnownHostsCommand=/bin/echo ${this.knownHostsLine}`,
        ],
      },
      { parent: this, dependsOn: [this.ready, this.adminKeys] },
    );

    this.registerOutputs({
      ipv4Address: this.ipv4Address,
      privateIpv4Address: this.privateIpv4Address,
      dropletId: this.dropletId,
      knownHostsLine: this.knownHostsLine,
      hostKeyFingerprint: this.hostKeyFingerprint,
    });
  }
}

/**
 * Replaces root's authorized_keys with stdin in one rename, so a failed copy never leaves a node
 * without keys. Runs with the deploy key, which stays in the file: the next rotation can log in.
 */
export const INSTALL_AUTHORIZED_KEYS = `set -eu
umask 077
mkdir -p /root/.ssh
tmp=$(mktemp /root/.ssh/authorized_keys.XXXXXX)
trap 'rm -f "$tmp"' EXIT
cat > "$tmp"
test -s "$tmp"
mv -f "$tmp" /root/.ssh/authorized_keys
`;

/** Root's authorized_keys: the node's deploy key first, then the admin keys. */
export function authorizedKeys(deployKey: string, adminSshKeys: readonly string[]): string {
  return `${[deployKey.trim(), ...adminSshKeys.map((k) => k.trim())].join("\n")}\n`;
}

/** Rejects arguments that would make the node unreachable or reachable by everyone. */
export function validateNodeArgs(name: string, args: NodeArgs): void {
  const problems: string[] = [];
  if (args.adminCidrs.length === 0) problems.push("adminCidrs: must name at least one network (SSH is the only way in)");
  for (const cidr of args.adminCidrs) {
    if (cidr === "0.0.0.0/0" || cidr === "::/0") problems.push(`adminCidrs: ${cidr} would open SSH to the whole internet`);
  }
  if (args.adminSshKeys.length === 0) problems.push("adminSshKeys: must name at least one key");
  for (const port of [...(args.publicPorts ?? []), ...(args.privatePorts ?? []).map((p) => p.port)]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`ports: ${port} is not a TCP port`);
  }
  if ((args.publicPorts ?? []).includes(22)) problems.push("publicPorts: 22 must not be public; use adminCidrs");
  if (args.dataVolume && !args.dataVolume.mountPath.startsWith("/")) problems.push("dataVolume.mountPath: must be absolute");
  if (problems.length) throw new Error(`Node ${name}: ${problems.join("; ")}`);
}
