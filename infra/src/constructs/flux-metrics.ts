import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The custom CloudWatch metrics the alarms and the archiver's scaling read. The services write them as CloudWatch
 * embedded-metric-format (EMF) lines to stdout, which the awslogs driver ships and CloudWatch extracts; they mirror
 * the Prometheus metrics of the same meaning (`flux_archiver_oldest_unarchived_age_seconds`, failed replays).
 */
export const FLUX_METRICS_NAMESPACE = 'FluxCapacitor';

export const FluxMetricNames = {
  /** Seconds since the oldest record read (or readable) but not yet in a durable archive object; dimension `Stream`, and none for the service-wide maximum. */
  ArchiverOldestUnarchivedAge: 'ArchiverOldestUnarchivedAgeSeconds',
  /** Replays that ended in state `failed`; a count, no dimension. */
  ReplaysFailed: 'ReplaysFailed',
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
