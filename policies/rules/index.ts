/** Every policy of the pack, in the order they are reported. Importing this constructs nothing. */
import { liveColourHasCapacity } from "./capacity";
import { containersUnprivileged, imagesPinned, noPlaintextSecrets } from "./containers";
import { ebsEncrypted, rdsBackups, rdsDeletionProtection, rdsEncrypted, rdsNotPublic, statefulProtected } from "./data";
import { iamNoSensitiveWildcards, imdsV2Required } from "./iam";
import { httpRedirectsToHttps, httpsTls12 } from "./load-balancer";
import type { PlatformPolicy } from "./model";
import { sensitivePortsClosed } from "./network";
import { backupRetention, bucketsNotPublic } from "./storage";
import { requiredTags } from "./tags";

export const POLICIES: readonly PlatformPolicy[] = [
  rdsNotPublic,
  rdsEncrypted,
  rdsBackups,
  rdsDeletionProtection,
  ebsEncrypted,
  statefulProtected,
  sensitivePortsClosed,
  httpRedirectsToHttps,
  httpsTls12,
  bucketsNotPublic,
  backupRetention,
  imagesPinned,
  noPlaintextSecrets,
  containersUnprivileged,
  iamNoSensitiveWildcards,
  imdsV2Required,
  requiredTags,
  liveColourHasCapacity,
];

export type { Finding, PlatformPolicy, ResourcePolicy, RuleContext, StackFinding, StackPolicy, StackSubject, Subject } from "./model";
