/**
 * The worker's own Prometheus metrics (docs/operations.md lists them). They go through the Temporal SDK's
 * metric meter, so the SDK's Prometheus endpoint serves them next to its `temporal_` series. Labels stay
 * low-cardinality: no sending id, no number.
 */
import type { MetricMeter } from '@temporalio/common';
import type { BatchInterruption } from '../activities/batch-control';

/** A recipient's message decided by this worker (each decision counted once, when the directory took it). */
export type MessageOutcome = 'sent' | 'failed' | 'unknown' | 'skipped' | 'held';

/** How a provider call ended: `error` is anything the provider did not classify (a bug, not an answer). */
export type ProviderCallResult = 'sent' | 'rejected' | 'transient' | 'account' | 'error';

export interface SmsMetrics {
  messageDecided(outcome: MessageOutcome, count?: number): void;
  providerCall(result: ProviderCallResult, seconds: number): void;
  batchInterrupted(kind: BatchInterruption['kind']): void;
  pausedSendings(count: number): void;
}

export const PROVIDER_CALL_SECONDS = 'sms_provider_call_duration_seconds';

/** Buckets of the provider call histogram, in seconds: a fast API answers in tens of ms, the time-out is 15 s. */
export const PROVIDER_CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

export function createSmsMetrics(meter: MetricMeter, provider: string): SmsMetrics {
  const messages = meter.createCounter(
    'sms_messages_total',
    undefined,
    'Messages decided by outcome: sent, failed (refused by the provider), unknown, skipped, held (quiet hours)',
  );
  const calls = meter.createHistogram(
    PROVIDER_CALL_SECONDS,
    'float',
    's',
    'Provider call duration by result: sent, rejected, transient (429/5xx/network), account (credentials or account refused), error',
  );
  const interruptions = meter.createCounter(
    'sms_batch_interruptions_total',
    undefined,
    'Batches that ended early, by kind: stopped, backoff, account, breaker (the circuit breaker tripped)',
  );
  const paused = meter.createGauge(
    'sms_paused_sendings',
    'int',
    undefined,
    'Sendings whose dispatch is paused in the directory (every worker on the directory reports the same count)',
  );
  return {
    messageDecided: (outcome, count = 1) => messages.add(count, { outcome, provider }),
    providerCall: (result, seconds) => calls.record(seconds, { result, provider }),
    batchInterrupted: (kind) => interruptions.add(1, { kind }),
    pausedSendings: (count) => paused.set(count),
  };
}

/** Counts `outcome` when there are metrics, and answers it: `return counted(deps.metrics, 'sent')`. */
export function counted<O extends MessageOutcome>(metrics: SmsMetrics | undefined, outcome: O): O {
  metrics?.messageDecided(outcome);
  return outcome;
}
