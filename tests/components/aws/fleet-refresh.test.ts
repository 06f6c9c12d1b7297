/** Instance refresh preferences AWS accepts, by group size and AMI kind (a table, no mocks). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { refreshPreferences } from "../../../components/aws/fleet";

const SSM = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const AMI = "ami-0123456789abcdef0";

test("no automatic rollback with an SSM-parameter AMI, which AWS cannot roll back to", () => {
  assert.equal(refreshPreferences({ maxSize: 6, imageId: SSM }).autoRollback, false);
  assert.equal(refreshPreferences({ maxSize: 1, imageId: SSM }).autoRollback, false);
  assert.equal(refreshPreferences({ maxSize: 6, imageId: AMI }).autoRollback, true);
});

test("a group of at most one terminates before it launches; larger groups launch first", () => {
  for (const maxSize of [0, 1]) {
    const p = refreshPreferences({ maxSize, imageId: AMI });
    assert.deepEqual([p.minHealthyPercentage, p.maxHealthyPercentage], [0, 100], `maxSize ${maxSize}`);
  }
  const p = refreshPreferences({ maxSize: 2, imageId: AMI });
  assert.deepEqual([p.minHealthyPercentage, p.maxHealthyPercentage], [100, 200]);
});
