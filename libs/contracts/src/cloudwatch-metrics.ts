/**
 * The custom CloudWatch metrics: what the services write as embedded-metric-format lines (libs/aws `emf.ts`) and
 * what the CDK app's alarms and scaling read (infra/src/constructs/flux-metrics.ts), named once for both.
 */
export const CLOUDWATCH_NAMESPACE = 'FluxCapacitor';

export const CloudWatchMetrics = {
  /** Seconds since the oldest record read (or readable) but not yet in a durable archive object; dimension `Stream`, and none for the service-wide maximum. */
  ArchiverOldestUnarchivedAge: { name: 'ArchiverOldestUnarchivedAgeSeconds', unit: 'Seconds' },
  /** Replays that ended in state `failed`; a count, no dimension. */
  ReplaysFailed: { name: 'ReplaysFailed', unit: 'Count' },
} as const;

export type CloudWatchMetric = (typeof CloudWatchMetrics)[keyof typeof CloudWatchMetrics];
