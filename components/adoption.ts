/**
 * Resource options of a stateful resource that may be adopted: a resource imported from a system made by
 * hand (`import` with its ID) is always retained on delete, whatever the environment, so the program can
 * never delete what it did not create. Shared by every component that can adopt (DNS zones, buckets,
 * volumes, registries, databases).
 */
import type * as pulumi from "@pulumi/pulumi";

/** `base`'s protection, retained on delete also when `importId` (the resource's import ID) is given. */
export function adoptionOptions(base: { protect: boolean; retainOnDelete: boolean }, importId: string | undefined): pulumi.CustomResourceOptions {
  return { protect: base.protect, retainOnDelete: base.retainOnDelete || importId !== undefined, import: importId };
}
