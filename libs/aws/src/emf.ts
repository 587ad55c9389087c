import { CLOUDWATCH_NAMESPACE, type CloudWatchMetric } from '@flux-capacitor/contracts';

/** One metric value of an EMF line, with the dimensions it is published under (`[]`: no dimension). */
export interface EmfValue {
  metric: CloudWatchMetric;
  value: number;
  /** dimension name -> value; every key is published as one dimension set, and `alsoWithoutDimensions` adds `[]` */
  dimensions?: Record<string, string>;
  alsoWithoutDimensions?: boolean;
}

/**
 * A CloudWatch embedded-metric-format (EMF) log event: a JSON object whose `_aws` key tells CloudWatch Logs which of
 * its top-level fields are metrics, under which namespace and dimension sets; the awslogs driver ships stdout, and
 * CloudWatch extracts the metrics without an agent or an API call. `properties` are kept as plain log fields.
 * Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function emfEvent(value: EmfValue, properties: Record<string, string> = {}, timestamp = Date.now()): Record<string, unknown> {
  const dimensions = value.dimensions ?? {};
  const sets: string[][] = Object.keys(dimensions).length > 0 ? [Object.keys(dimensions)] : [];
  if (sets.length === 0 || value.alsoWithoutDimensions) sets.push([]);
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: CLOUDWATCH_NAMESPACE, Dimensions: sets, Metrics: [{ Name: value.metric.name, Unit: value.metric.unit }] }],
    },
    ...properties,
    ...dimensions,
    [value.metric.name]: value.value,
  };
}

/**
 * Writes EMF lines to stdout when enabled (FLUX_METRICS_EMF), and nothing otherwise: outside CloudWatch they would
 * only be noise among the logs. Written directly, not through the logger, so that `_aws` stays a top-level key.
 */
export class EmfWriter {
  constructor(
    readonly enabled: boolean,
    private readonly properties: Record<string, string> = {},
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {}

  emit(value: EmfValue): void {
    if (this.enabled) this.write(`${JSON.stringify(emfEvent(value, this.properties))}\n`);
  }
}
