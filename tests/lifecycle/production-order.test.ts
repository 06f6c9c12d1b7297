/**
 * The first `up` and every replacement on the real providers, read off one production render: what
 * is replaced delete-first, what carries its host's identity, what waits for what.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { ECS_AMI } from "../../components/aws/ecs-ec2-cluster";
import { HOST_ID_LABEL } from "../../components/docker/container-stack";
import { type RenderResult, type RenderedResource } from "../../tools/render/harness";
import { named, ofType, renderOnce } from "../support";

const DROPLET = "digitalocean:index/droplet:Droplet";
const DOCKER_TYPES = [
  "docker:index/container:Container",
  "docker:index/network:Network",
  "docker:index/volume:Volume",
  "docker:index/remoteImage:RemoteImage",
];

let stack: RenderResult;
before(async () => {
  stack = await renderOnce("production");
});

function byUrn(urn: string): RenderedResource {
  const found = stack.resources.find((r) => r.urn === urn);
  assert.ok(found, `no resource ${urn}`);
  return found;
}

/** Nodes with a data volume: the droplets whose `<name>-data` attachment exists. */
function volumeNodes(): string[] {
  return ofType(stack, "digitalocean:index/volumeAttachment:VolumeAttachment").map((a) => a.name.replace(/-data$/, ""));
}

test("every droplet with a data volume is replaced delete-first, and its attachment too", () => {
  const withVolume = volumeNodes();
  assert.deepEqual(withVolume.sort(), ["nmpi-production-db", "ramascene-production", "topobank-production"]);
  for (const droplet of ofType(stack, DROPLET)) {
    assert.equal(droplet.options.deleteBeforeReplace, withVolume.includes(droplet.name), `${droplet.name}: deleteBeforeReplace only with a volume`);
  }
  for (const attachment of ofType(stack, "digitalocean:index/volumeAttachment:VolumeAttachment")) {
    assert.equal(attachment.options.deleteBeforeReplace, true, attachment.name);
  }
});

test("a data volume's description never forces its replacement", () => {
  for (const volume of ofType(stack, "digitalocean:index/volume:Volume")) {
    assert.ok(volume.inputs.description, `${volume.name} has a description`);
    assert.ok(volume.options.ignoreChanges.includes("description"), `${volume.name} ignores description changes`);
    assert.equal(volume.options.protect, true, `${volume.name} is protected in production`);
  }
});

test("every droplet is created with a DigitalOcean SSH key the program registers", () => {
  for (const droplet of ofType(stack, DROPLET)) {
    const keys = droplet.inputs.sshKeys as string[] | undefined;
    assert.equal(keys?.length, 1, `${droplet.name} has one registered key`);
    const from = droplet.propertyDependencies.sshKeys ?? [];
    assert.equal(from.length, 1, `${droplet.name}.sshKeys comes from one resource`);
    const key = byUrn(from[0]);
    assert.equal(key.type, "digitalocean:index/sshKey:SshKey");
    assert.equal(key.parent, droplet.parent, "the key belongs to the same node");
    assert.match(keys[0], /^SHA256:|^([0-9a-f]{2}:){15}[0-9a-f]{2}$/, "a fingerprint, as the droplet API accepts");
  }
});

test("every Docker resource of a node carries its droplet's ID in an input that forces replacement", () => {
  const droplets = new Map(ofType(stack, DROPLET).map((d) => [d.name, d]));
  const docker = stack.resources.filter((r) => DOCKER_TYPES.includes(r.type));
  assert.ok(docker.length >= 60, `all Docker resources rendered (${docker.length})`);
  for (const r of docker) {
    // The node's Docker provider is `<node>-docker`, parented to the node like its droplet.
    const provider = r.options.provider ?? "";
    const nodeName = provider.split("::").pop()?.replace(/-docker$/, "") ?? "";
    const droplet = droplets.get(nodeName);
    assert.ok(droplet, `${r.type} ${r.name}: provider ${provider} belongs to a node's droplet`);
    const dropletId = mockIdOf(droplet);
    if (r.type === "docker:index/remoteImage:RemoteImage") {
      assert.deepEqual(r.inputs.triggers, { [HOST_ID_LABEL]: dropletId }, `${r.name}: triggers hold the droplet ID`);
      assert.ok(r.propertyDependencies.triggers?.includes(droplet.urn), `${r.name}: triggers come from the droplet`);
    } else {
      assert.deepEqual(r.inputs.labels, [{ label: HOST_ID_LABEL, value: dropletId }], `${r.name}: labels hold the droplet ID`);
      assert.ok(r.propertyDependencies.labels?.includes(droplet.urn), `${r.name}: labels come from the droplet`);
    }
  }
});

test("a Docker volume is replaced delete-first (its ID is its name)", () => {
  for (const volume of ofType(stack, "docker:index/volume:Volume")) {
    assert.equal(volume.options.deleteBeforeReplace, true, volume.name);
  }
});

test("release commands run again on a new droplet", () => {
  const releases = ofType(stack, "command:remote:Command").filter((c) => /-release-(blue|green)$/.test(c.name));
  assert.equal(releases.length, 4, "topobank and ramascene, two colours each");
  for (const release of releases) {
    const droplet = named(stack, DROPLET, release.name.replace(/-release-(blue|green)$/, ""));
    assert.ok(release.propertyDependencies.triggers?.includes(droplet.urn), `${release.name}: triggers come from the droplet`);
    assert.ok((release.inputs.triggers as unknown[]).includes(mockIdOf(droplet)), `${release.name}: triggers hold the droplet ID`);
  }
});

test("the reserved IP moves only after the live colour's proxy container is up", () => {
  const assignment = named(stack, "digitalocean:index/reservedIpAssignment:ReservedIpAssignment", "nmpi-production-live-live");
  const liveProxy = named(stack, "docker:index/container:Container", "nmpi-production-blue-proxy");
  const idleProxy = named(stack, "docker:index/container:Container", "nmpi-production-green-proxy");
  assert.ok(assignment.options.dependsOn.includes(liveProxy.urn), "waits for blue's proxy (blue is live)");
  assert.ok(!assignment.options.dependsOn.includes(idleProxy.urn), "does not wait for the idle colour");
});

test("the database firewall's source tag is a Tag resource the app nodes also take theirs from", () => {
  const tag = named(stack, "digitalocean:index/tag:Tag", "nmpi-production-app");
  assert.equal(tag.inputs.name, "nmpi-production-app");
  const firewall = named(stack, "digitalocean:index/firewall:Firewall", "nmpi-production-db-firewall");
  assert.ok(firewall.propertyDependencies.inboundRules?.includes(tag.urn), "the firewall waits for the tag");
  for (const colour of ["blue", "green"]) {
    const droplet = named(stack, DROPLET, `nmpi-production-${colour}`);
    assert.ok(droplet.propertyDependencies.tags?.includes(tag.urn), `${colour} takes the tag from the Tag resource`);
  }
});

test("the ECS service is created after the cluster's capacity-provider association", () => {
  const association = named(stack, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "grand-central-production-capacity");
  const service = ofType(stack, "aws:ecs/service:Service").find((s) => s.name.startsWith("grand-central-production"));
  assert.ok(service, "grand-central's service");
  const dependsOnAssociation = Object.values(service.propertyDependencies).some((urns) => urns.includes(association.urn))
    || service.options.dependsOn.includes(association.urn);
  assert.ok(dependsOnAssociation, "the service depends on the association");
});

test("grand-central's launch template resolves the ECS AMI at launch, so a newly published AMI changes nothing", () => {
  const template = named(stack, "aws:ec2/launchTemplate:LaunchTemplate", "grand-central-production-instance");
  assert.equal(template.inputs.imageId, ECS_AMI);
  assert.match(String(template.inputs.imageId), /^resolve:ssm:\/aws\/service\/ecs\//);
  assert.equal(template.propertyDependencies.imageId ?? undefined, undefined, "no lookup feeds the AMI");
});

test("aquamark's instance refreshes ask for nothing AWS refuses, and groups of one never run two", () => {
  const groups = ofType(stack, "aws:autoscaling/group:Group").filter((g) => g.name.startsWith("aquamark-production"));
  assert.equal(groups.length, 4);
  for (const group of groups) {
    const template = ofType(stack, "aws:ec2/launchTemplate:LaunchTemplate").find((t) => t.name === group.name);
    assert.ok(template, `${group.name} has its template`);
    const prefs = (group.inputs.instanceRefresh as { preferences: Record<string, unknown> }).preferences;
    if (String(template.inputs.imageId).startsWith("resolve:ssm:")) {
      assert.notEqual(prefs.autoRollback, true, `${group.name}: no rollback with an SSM-parameter AMI`);
    }
    if (Number(group.inputs.maxSize) <= 1) {
      assert.deepEqual([prefs.minHealthyPercentage, prefs.maxHealthyPercentage], [0, 100], `${group.name}: terminate first`);
    }
  }
  const daemons = groups.filter((g) => /-(recalculate|notifications)$/.test(g.name));
  assert.equal(daemons.length, 2, "both daemon groups are groups of one");
});

/** The ID the mocks gave a droplet: what its `hostId` (droplet.id) resolves to. */
function mockIdOf(droplet: RenderedResource): string {
  // The Monitoring alerts and firewalls take the droplet's numeric ID; find it through the firewall.
  const firewall = named(stack, "digitalocean:index/firewall:Firewall", `${droplet.name}-firewall`);
  const ids = firewall.inputs.dropletIds as number[];
  assert.equal(ids.length, 1);
  return String(ids[0]);
}
