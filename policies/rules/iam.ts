/**
 * AWS identity and instance metadata: no role may read every secret of the account, and no
 * instance answers IMDSv1 (the unauthenticated metadata requests an SSRF can make).
 */
import { asArray, asRecord, asString, isRecord, jsonInput, type Finding, type ResourcePolicy, type Subject } from "./model";

/**
 * Actions that read secrets, hand out credentials or change who may do what. A wildcard on one of
 * them (in the action or the resource) lets a compromised instance or task reach every secret of the
 * account and region, not just its own (security review M7).
 */
export const SENSITIVE_ACTIONS: readonly string[] = [
  "iam:PassRole",
  "iam:CreateAccessKey",
  "iam:AttachRolePolicy",
  "iam:PutRolePolicy",
  "iam:CreatePolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "sts:AssumeRole",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "ssm:SendCommand",
  "secretsmanager:GetSecretValue",
  "kms:Decrypt",
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
];

/**
 * AWS managed policies that grant a sensitive action on `*`. AmazonSSMManagedInstanceCore allows
 * ssm:GetParameter and ssm:GetParameters on "*" (AWS managed policy reference,
 * AmazonSSMManagedInstanceCore, policy version v2); AdministratorAccess and PowerUserAccess allow "*".
 */
export const BROAD_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  AmazonSSMManagedInstanceCore: "ssm:GetParameter and ssm:GetParameters on every parameter of the account",
  AdministratorAccess: "every action on every resource",
  PowerUserAccess: "every action but IAM on every resource",
  AmazonS3FullAccess: "every S3 action on every bucket",
  SecretsManagerReadWrite: "every secret of the account",
  AmazonSSMFullAccess: "every SSM action, parameters included",
  IAMFullAccess: "every IAM action",
};

/** True when `pattern` (an IAM action with `*` and `?` wildcards, case-insensitive) matches `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(action);
}

/** Statements of an IAM policy document given as JSON text or an object; [] when secret or unreadable. */
export function statements(document: unknown): Record<string, unknown>[] {
  const stmt = asRecord(jsonInput(document)).Statement;
  return (Array.isArray(stmt) ? stmt : isRecord(stmt) ? [stmt] : []).map(asRecord);
}

function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map(asString).filter((s): s is string => s !== undefined);
}

/** What is wrong with one Allow statement: a wildcard action covering a sensitive one, or a sensitive action on "*". */
export function checkStatement(stmt: Record<string, unknown>, where: string): Finding[] {
  if (asString(stmt.Effect) !== "Allow") return [];
  const fix = "grant the exact actions on the exact ARNs the role needs (e.g. ssm:GetParametersByPath on arn:aws:ssm:<region>:<account>:parameter/<app>/<stack>/*)";
  if (stmt.NotAction !== undefined) {
    return [{ message: `${where} allows every action except ${strings(stmt.NotAction).join(", ")} (NotAction with Allow)`, fix }];
  }
  const actions = strings(stmt.Action);
  const resources = strings(stmt.Resource);
  const anyResource = resources.length === 0 || resources.some((r) => r === "*") || stmt.NotResource !== undefined;
  const findings: Finding[] = [];
  for (const action of actions) {
    const covered = SENSITIVE_ACTIONS.filter((s) => actionMatches(action, s));
    if (covered.length === 0) continue;
    const wildcardAction = /[*?]/.test(action);
    if (wildcardAction) {
      findings.push({ message: `${where} allows "${action}", which covers ${covered.join(", ")}`, fix });
    } else if (anyResource) {
      findings.push({ message: `${where} allows ${action} on every resource ("*")`, fix });
    }
  }
  return findings;
}

const IAM_DOCUMENT_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
] as const;
const IAM_ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
] as const;
const IAM_ROLE = "aws:iam/role:Role";

function managedPolicyFinding(arn: string, where: string): Finding[] {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  const grants = m ? BROAD_MANAGED_POLICIES[m[1]] : undefined;
  if (!m || grants === undefined) return [];
  return [
    {
      message: `${where} attaches the AWS managed policy ${m[1]}, which grants ${grants}`,
      fix: "attach a customer-managed policy with the actions the role needs on its own resources (for Session Manager: ssmmessages:* and ssm:UpdateInstanceInformation only)",
    },
  ];
}

/** Every finding of one IAM resource. */
export function checkIam(r: Pick<Subject, "type" | "inputs">): Finding[] {
  if ((IAM_DOCUMENT_TYPES as readonly string[]).includes(r.type)) {
    return statements(r.inputs.policy).flatMap((s, i) => checkStatement(s, `policy Statement[${i}]`));
  }
  if ((IAM_ATTACHMENT_TYPES as readonly string[]).includes(r.type)) {
    const arn = asString(r.inputs.policyArn);
    return arn ? managedPolicyFinding(arn, "policyArn") : [];
  }
  if (r.type === IAM_ROLE) {
    return [
      ...asArray(r.inputs.inlinePolicies).flatMap((p, i) =>
        statements(asRecord(p).policy).flatMap((s, j) => checkStatement(s, `inlinePolicies[${i}] Statement[${j}]`)),
      ),
      ...strings(r.inputs.managedPolicyArns).flatMap((arn, i) => managedPolicyFinding(arn, `managedPolicyArns[${i}]`)),
    ];
  }
  return [];
}

export const iamNoSensitiveWildcards: ResourcePolicy = {
  kind: "resource",
  name: "iam-no-wildcard-on-sensitive-actions",
  description:
    "No IAM policy allows a wildcard action covering a sensitive one (secrets, parameters, keys, roles, objects), a sensitive action on \"*\", or a broad AWS managed policy such as AmazonSSMManagedInstanceCore.",
  defaultLevel: "mandatory",
  types: [...IAM_DOCUMENT_TYPES, ...IAM_ATTACHMENT_TYPES, IAM_ROLE],
  check: (r) => checkIam(r),
};

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration";

export const imdsV2Required: ResourcePolicy = {
  kind: "resource",
  name: "ec2-imdsv2-required",
  description: "Every EC2 instance, launch template and launch configuration requires IMDSv2 session tokens (metadataOptions.httpTokens = required) or turns the metadata endpoint off.",
  defaultLevel: "mandatory",
  types: [LAUNCH_TEMPLATE, INSTANCE, LAUNCH_CONFIGURATION],
  check: (r) => {
    // Input names from the AWS provider: metadataOptions { httpEndpoint, httpTokens } on all three types.
    const options = asRecord(r.inputs.metadataOptions);
    if (asString(options.httpEndpoint) === "disabled" || asString(options.httpTokens) === "required") return [];
    return [
      {
        message: `metadataOptions.httpTokens is ${JSON.stringify(options.httpTokens ?? "unset")}: the instance answers IMDSv1, so one SSRF reads its role's credentials`,
        fix: 'set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }',
      },
    ];
  },
};
