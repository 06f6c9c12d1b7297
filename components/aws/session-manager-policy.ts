/**
 * What an instance role needs for Session Manager (shell access without SSH keys or an open port),
 * instead of the AWS managed policy AmazonSSMManagedInstanceCore, which also allows
 * ssm:GetParameter and ssm:GetParameters on every parameter of the account and region (security
 * review M7). Each role is granted its own parameter path separately, by the caller.
 */

/**
 * IAM statements of the SSM Agent for Session Manager. Actions from the AWS Systems Manager User
 * Guide, "Add Session Manager permissions to an existing IAM role" (ssm:UpdateInstanceInformation and
 * the four ssmmessages channel actions) and "Reference: ec2messages, ssmmessages, and other API
 * operations" (the agent's ec2messages polling). None of them reads a parameter, secret or object.
 */
export const SESSION_MANAGER_STATEMENTS: readonly Record<string, unknown>[] = [
  {
    Sid: "SessionManagerAgent",
    Effect: "Allow",
    Action: [
      "ssm:UpdateInstanceInformation",
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
      "ec2messages:AcknowledgeMessage",
      "ec2messages:DeleteMessage",
      "ec2messages:FailMessage",
      "ec2messages:GetEndpoint",
      "ec2messages:GetMessages",
      "ec2messages:SendReply",
    ],
    Resource: "*",
  },
];
