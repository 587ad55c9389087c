import { CLOUDWATCH_NAMESPACE, CloudWatchMetrics } from '@flux-capacitor/contracts';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The custom CloudWatch metrics the alarms and the archiver's scaling read. The services write them as CloudWatch
 * embedded-metric-format (EMF) lines to stdout, which the awslogs driver ships and CloudWatch extracts; they mirror
 * the Prometheus metrics of the same meaning (`flux_archiver_oldest_unarchived_age_seconds`, failed replays).
 */
export const FLUX_METRICS_NAMESPACE = CLOUDWATCH_NAMESPACE;

/** Named in libs/contracts, which the services' EMF writer (libs/aws `emf.ts`) uses too. */
export const FluxMetricNames = {
  ArchiverOldestUnarchivedAge: CloudWatchMetrics.ArchiverOldestUnarchivedAge.name,
  ReplaysFailed: CloudWatchMetrics.ReplaysFailed.name,
} as const;

export function archiverLag(stream?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: FLUX_METRICS_NAMESPACE,
    metricName: FluxMetricNames.ArchiverOldestUnarchivedAge,
    dimensionsMap: stream ? { Stream: stream } : undefined,
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
  });
}

export function replaysFailed(): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: FLUX_METRICS_NAMESPACE, metricName: FluxMetricNames.ReplaysFailed, statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
}
