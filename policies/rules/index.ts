/** Every policy of the pack, in the order they are reported. Importing this constructs nothing. */
import { liveColourHasCapacity } from "./capacity";
import { imagesPinned, noPlaintextSecrets } from "./containers";
import { ebsEncrypted, rdsBackups, rdsDeletionProtection, rdsEncrypted, rdsNotPublic, statefulProtected } from "./data";
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
  requiredTags,
  liveColourHasCapacity,
];

export type { Finding, PlatformPolicy, ResourcePolicy, RuleContext, StackFinding, StackPolicy, StackSubject, Subject } from "./model";
