import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link Alarms}. */
export interface AlarmsArgs {
  /** Address subscribed to the topic (the recipient confirms once, by the link AWS mails). */
  email: string;
  /** Application load balancer to watch for 5xx responses. Default: none. */
  loadBalancer?: {
    /** `app/<name>/<id>`. */
    arnSuffix: pulumi.Input<string>;
    /** Alarm when 5xx responses (load balancer and targets) exceed this percent of requests over 5 minutes. Default: 5. */
    max5xxPercent?: number;
  };
  /** Target groups whose unhealthy targets raise an alarm, by label. Default: none. */
  targetGroups?: Record<string, { arnSuffix: pulumi.Input<string>; loadBalancerArnSuffix: pulumi.Input<string>; /** Extra tags of this alarm (e.g. its colour). Default: none. */ tags?: Record<string, string> }>;
  /** RDS instance to watch. Default: none. */
  database?: {
    identifier: pulumi.Input<string>;
    /** Alarm above this average CPU percent over 15 minutes. Default: 80. */
    maxCpuPercent?: number;
    /** Alarm below this much free storage, in GiB. Default: 10. */
    minFreeStorageGiB?: number;
  };
  /** Auto-scaling groups that must keep `minInService` instances in service, by label. Default: none. */
  autoScalingGroups?: Record<string, { name: pulumi.Input<string>; minInService: number; /** Extra tags of this alarm (e.g. its colour). Default: none. */ tags?: Record<string, string> }>;
  /**
   * ECS services that must have a task running, by label: alarmed when the service reports no CPU
   * samples for 5 minutes (a service without running tasks sends none). Default: none.
   */
  ecsServices?: Record<string, { clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string> }>;
  /** Log groups whose lines matching a CloudWatch Logs filter pattern raise an alarm, by label. Default: none. */
  logErrors?: Record<string, { logGroupName: pulumi.Input<string>; /** Filter pattern, e.g. `"[ERROR]"`. */ pattern: string }>;
  /** SQS queues whose oldest message must stay younger than `maxAgeSeconds`, by label. Default: none. */
  sqsQueues?: Record<string, { queueName: pulumi.Input<string>; maxAgeSeconds: number }>;
}

/** Checks {@link AlarmsArgs}; throws naming every bad argument. */
export function validateAlarmsArgs(name: string, args: AlarmsArgs): void {
  const problems: string[] = [];
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.email)) problems.push(`args.email must be an e-mail address, got ${JSON.stringify(args.email)}`);
  const pct = args.loadBalancer?.max5xxPercent ?? 5;
  if (!(pct > 0 && pct <= 100)) problems.push(`args.loadBalancer.max5xxPercent must be above 0 and at most 100, got ${pct}`);
  const cpu = args.database?.maxCpuPercent ?? 80;
  if (!(cpu > 0 && cpu <= 100)) problems.push(`args.database.maxCpuPercent must be above 0 and at most 100, got ${cpu}`);
  const storage = args.database?.minFreeStorageGiB ?? 10;
  if (!(storage > 0)) problems.push(`args.database.minFreeStorageGiB must be above 0, got ${storage}`);
  for (const [label, g] of Object.entries(args.autoScalingGroups ?? {})) {
    if (!Number.isInteger(g.minInService) || g.minInService < 1) problems.push(`args.autoScalingGroups.${label}.minInService must be a whole number of at least 1, got ${g.minInService}`);
  }
  for (const [label, q] of Object.entries(args.sqsQueues ?? {})) {
    if (!Number.isInteger(q.maxAgeSeconds) || q.maxAgeSeconds < 60) problems.push(`args.sqsQueues.${label}.maxAgeSeconds must be a whole number of at least 60, got ${q.maxAgeSeconds}`);
  }
  for (const [label, l] of Object.entries(args.logErrors ?? {})) {
    if (l.pattern.trim() === "") problems.push(`args.logErrors.${label}.pattern must not be empty`);
  }
  if (problems.length > 0) throw new Error(`${name}: ${problems.join("; ")}`);
}

/**
 * An SNS topic with an e-mail subscription and CloudWatch alarms on it: load balancer 5xx rate,
 * unhealthy targets, database CPU and free storage, auto-scaling groups below their minimum. Every
 * alarm also notifies when it recovers. (The seed's cron watchdog with SMTP credentials on a box.)
 */
export class Alarms extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Alarms", name, {}, opts);
    validateAlarmsArgs(name, args);

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const topic = new aws.sns.Topic(name, {}, { parent: this });
    this.topicArn = topic.arn;
    new aws.sns.TopicSubscription(name, { topic: topic.arn, protocol: "email", endpoint: args.email }, { parent: this });
    const notify = { alarmActions: [topic.arn], okActions: [topic.arn] };

    if (args.loadBalancer) {
      const lb = args.loadBalancer.arnSuffix;
      const count = (id: string, metricName: string) => ({
        id,
        metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: lb }, period: 300, stat: "Sum" },
      });
      new aws.cloudwatch.MetricAlarm(
        `${name}-5xx`,
        {
          alarmDescription: `More than ${args.loadBalancer.max5xxPercent ?? 5}% of requests answered 5xx`,
          comparisonOperator: "GreaterThanThreshold",
          threshold: args.loadBalancer.max5xxPercent ?? 5,
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          metricQueries: [
            count("elb", "HTTPCode_ELB_5XX_Count"),
            count("target", "HTTPCode_Target_5XX_Count"),
            count("requests", "RequestCount"),
            { id: "rate", expression: "100 * (FILL(elb, 0) + FILL(target, 0)) / requests", label: "5xx percent", returnData: true },
          ],
          ...notify,
        },
        { parent: this },
      );
    }

    for (const [label, tg] of Object.entries(args.targetGroups ?? {})) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-unhealthy-${label}`,
        {
          alarmDescription: `Unhealthy targets in ${label}`,
          namespace: "AWS/ApplicationELB",
          metricName: "UnHealthyHostCount",
          dimensions: { TargetGroup: tg.arnSuffix, LoadBalancer: tg.loadBalancerArnSuffix },
          tags: tg.tags,
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          treatMissingData: "notBreaching",
          ...notify,
        },
        { parent: this },
      );
    }

    if (args.database) {
      const db = { DBInstanceIdentifier: args.database.identifier };
      new aws.cloudwatch.MetricAlarm(
        `${name}-db-cpu`,
        {
          alarmDescription: "Database CPU high",
          namespace: "AWS/RDS",
          metricName: "CPUUtilization",
          dimensions: db,
          statistic: "Average",
          period: 300,
          evaluationPeriods: 3,
          comparisonOperator: "GreaterThanThreshold",
          threshold: args.database.maxCpuPercent ?? 80,
          ...notify,
        },
        { parent: this },
      );
      new aws.cloudwatch.MetricAlarm(
        `${name}-db-storage`,
        {
          alarmDescription: "Database free storage low",
          namespace: "AWS/RDS",
          metricName: "FreeStorageSpace",
          dimensions: db,
          statistic: "Minimum",
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: "LessThanThreshold",
          threshold: (args.database.minFreeStorageGiB ?? 10) * 1024 ** 3,
          treatMissingData: "breaching",
          ...notify,
        },
        { parent: this },
      );
    }

    for (const [label, group] of Object.entries(args.autoScalingGroups ?? {})) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-in-service-${label}`,
        {
          alarmDescription: `${label}: fewer than ${group.minInService} instances in service`,
          namespace: "AWS/AutoScaling",
          metricName: "GroupInServiceInstances",
          dimensions: { AutoScalingGroupName: group.name },
          tags: group.tags,
          statistic: "Minimum",
          period: 60,
          evaluationPeriods: 10,
          comparisonOperator: "LessThanThreshold",
          threshold: group.minInService,
          treatMissingData: "breaching",
          ...notify,
        },
        { parent: this },
      );
    }

    for (const [label, svc] of Object.entries(args.ecsServices ?? {})) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-running-${label}`,
        {
          alarmDescription: `${label}: no task running`,
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          dimensions: { ClusterName: svc.clusterName, ServiceName: svc.serviceName },
          statistic: "SampleCount",
          period: 60,
          evaluationPeriods: 5,
          comparisonOperator: "LessThanThreshold",
          threshold: 1,
          treatMissingData: "breaching",
          ...notify,
        },
        { parent: this },
      );
    }

    for (const [label, logs] of Object.entries(args.logErrors ?? {})) {
      const metric = { namespace: `Platform/${name}`, name: `${label}-errors` };
      new aws.cloudwatch.LogMetricFilter(
        `${name}-errors-${label}`,
        { logGroupName: logs.logGroupName, pattern: logs.pattern, metricTransformation: { ...metric, value: "1", defaultValue: "0" } },
        { parent: this },
      );
      new aws.cloudwatch.MetricAlarm(
        `${name}-errors-${label}`,
        {
          alarmDescription: `${label}: error lines in the log`,
          namespace: metric.namespace,
          metricName: metric.name,
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          treatMissingData: "notBreaching",
          ...notify,
        },
        { parent: this },
      );
    }

    for (const [label, queue] of Object.entries(args.sqsQueues ?? {})) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-queue-age-${label}`,
        {
          alarmDescription: `${label}: oldest message older than ${queue.maxAgeSeconds} s (nobody is consuming)`,
          namespace: "AWS/SQS",
          metricName: "ApproximateAgeOfOldestMessage",
          dimensions: { QueueName: queue.queueName },
          statistic: "Maximum",
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanThreshold",
          threshold: queue.maxAgeSeconds,
          treatMissingData: "notBreaching",
          ...notify,
        },
        { parent: this },
      );
    }

    this.registerOutputs({ topicArn: this.topicArn });
  }
}
