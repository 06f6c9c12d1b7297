import { test } from "node:test";
import assert from "node:assert/strict";
import { validateS3SecretFileArgs } from "../../../components/aws/s3-secret-file";
import { secretsReadPolicy } from "../../../components/aws/s3-secrets-access";

test("the policy grants GetObject on exactly the named objects and nothing else", () => {
  const doc = JSON.parse(secretsReadPolicy([{ bucket: "b1", key: "prod/secrets.yml" }, { bucket: "b2", key: "x.json" }], undefined));
  assert.deepEqual(doc.Statement, [
    { Sid: "ReadSecretsObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b1/prod/secrets.yml", "arn:aws:s3:::b2/x.json"] },
  ]);
});

test("a KMS key adds Decrypt on exactly that key", () => {
  const key = "arn:aws:kms:us-west-1:123456789012:key/00000000-0000-0000-0000-000000000000";
  const doc = JSON.parse(secretsReadPolicy([{ bucket: "b1", key: "k" }], key));
  assert.deepEqual(doc.Statement[1], { Sid: "DecryptSecretsObjects", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key] });
  assert.equal(doc.Statement.length, 2);
});

test("S3SecretFile: the bucket must be a bucket name and the key exact", () => {
  assert.doesNotThrow(() => validateS3SecretFileArgs("f", { bucket: "scpr-grand-central-secrets", key: "secrets.yml" }));
  assert.throws(() => validateS3SecretFileArgs("f", { bucket: "Bad_Bucket", key: "secrets.yml" }), /args\.bucket/);
  for (const key of ["", "/secrets.yml", "secrets*.yml"]) assert.throws(() => validateS3SecretFileArgs("f", { bucket: "b-1", key }), /args\.key/, key);
});
