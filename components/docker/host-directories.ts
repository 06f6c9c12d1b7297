/**
 * Directories on a Docker host, created with the owner a container's user needs before the
 * containers that bind-mount them start (an image that runs as a fixed uid cannot write to a
 * root-owned host directory, and Docker creates missing bind-mount sources as root).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { rootConnection } from "./colour-release";

/** One directory and its owner. */
export interface HostDirectory {
  /** Absolute path on the host. */
  path: string;
  /** Owner uid and gid (numeric: the image's user need not exist on the host). */
  uid: number;
  gid: number;
}

/** Arguments of {@link HostDirectories}. */
export interface HostDirectoriesArgs {
  /** SSH address of the host. */
  host: pulumi.Input<string>;
  /** The host's public key, pinned. */
  hostKey: pulumi.Input<string>;
  /** Directories to create (or re-own, not recursively). */
  directories: HostDirectory[];
  /** Resources to wait for (the host being ready, its volume mounted). Default: none. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The script: `install -d` each directory with its owner; idempotent, so safe to re-run. */
export function hostDirectoriesScript(directories: readonly HostDirectory[]): string {
  if (directories.length === 0) throw new Error("hostDirectoriesScript: directories must not be empty");
  for (const d of directories) {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(d.path) || d.path.split("/").includes("..")) throw new Error(`hostDirectoriesScript: path ${JSON.stringify(d.path)} must be absolute and plain`);
    for (const id of [d.uid, d.gid]) if (!Number.isInteger(id) || id < 0) throw new Error(`hostDirectoriesScript: owner of ${d.path} must be whole numbers`);
  }
  return ["set -eu", ...directories.map((d) => `install -d -o ${d.uid} -g ${d.gid} ${d.path}`), ""].join("\n");
}

/** Creates host directories with their owners over SSH; re-runs when the list changes. */
export class HostDirectories extends pulumi.ComponentResource {
  /** Depend on this before starting containers that mount the directories. */
  public readonly done: command.remote.Command;

  constructor(name: string, args: HostDirectoriesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:docker:HostDirectories", name, {}, opts);
    this.done = new command.remote.Command(
      name,
      {
        connection: rootConnection(args.host, args.hostKey),
        create: hostDirectoriesScript(args.directories),
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    this.registerOutputs({});
  }
}
