/**
 * Installs the Temporal SDK's runtime (once per process): its logger, and with an address its Prometheus
 * endpoint, which serves the SDK's `temporal_` series and ours. Answers the meter ours are made on.
 */
import type { MetricMeter } from '@temporalio/common';
import { Runtime, type Logger } from '@temporalio/worker';
import { ConfigError } from '../config';
import { PROVIDER_CALL_BUCKETS, PROVIDER_CALL_SECONDS } from './sms-metrics';

export function installRuntime(logger: Logger, metricsAddress: string | undefined): MetricMeter | undefined {
  if (!metricsAddress) {
    Runtime.install({ logger });
    return undefined;
  }
  try {
    const prometheus = { bindAddress: metricsAddress, histogramBucketOverrides: { [PROVIDER_CALL_SECONDS]: PROVIDER_CALL_BUCKETS } };
    return Runtime.install({ logger, telemetryOptions: { metrics: { prometheus } } }).metricMeter;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      `WORKER_METRICS_PORT: the metrics endpoint cannot listen on ${metricsAddress} (${why}). Choose a free port, or unset WORKER_METRICS_PORT to turn it off.`,
    );
  }
}
