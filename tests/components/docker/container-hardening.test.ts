/**
 * Every container of the production stack runs with least privilege (security review L11): all
 * capabilities dropped but the few a root entrypoint needs, and no privilege gain after start.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ENTRYPOINT_CAPABILITIES } from "../../../components/docker/container-stack";
import { renderOnce } from "../../support";

test("every container drops all capabilities but the entrypoint's, and sets no-new-privileges", async () => {
  const rendered = await renderOnce("production");
  const containers = rendered.resources.filter((r) => r.type === "docker:index/container:Container");
  assert.ok(containers.length >= 20, `${containers.length} containers`);
  for (const c of containers) {
    assert.deepEqual(c.inputs.securityOpts, ["no-new-privileges:true"], c.name);
    const caps = c.inputs.capabilities as { drops: string[]; adds: string[] };
    assert.deepEqual(caps.drops, ["ALL"], c.name);
    for (const cap of caps.adds) assert.ok((ENTRYPOINT_CAPABILITIES as readonly string[]).includes(cap), `${c.name} keeps ${cap}`);
    for (const cap of ["NET_RAW", "MKNOD", "SYS_ADMIN", "SETPCAP", "SETFCAP", "SYS_CHROOT", "AUDIT_WRITE"]) {
      assert.ok(!caps.adds.includes(cap), `${c.name} keeps ${cap}`);
    }
    assert.notEqual(c.inputs.privileged, true, c.name);
  }
});
