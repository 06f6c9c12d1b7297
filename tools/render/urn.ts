/** URNs as the engine forms them (pulumi/pulumi `sdk/go/common/resource/urn.go`). No program import: the plan's readers use it too. */

/** The root stack resource's URN: the parent of every top-level resource. */
export function stackUrn(stack: string, project: string): string {
  return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

/**
 * A resource's URN: its type qualified by its parent's whole type chain (`<parent chain>$<type>`),
 * except that the root stack is left out, then its name.
 */
export function resourceUrn(stack: string, project: string, qualifiedType: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** The parts of a URN; throws on anything that is not one. */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; type: string; name: string } {
  const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+?)::(.*)$/s.exec(urn);
  if (!match) throw new Error(`not a URN: ${urn}`);
  const [, stack, project, qualifiedType, name] = match;
  return { stack, project, qualifiedType, type: qualifiedType.split("$").pop() as string, name };
}
