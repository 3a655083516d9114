/** How a batch deals with a slow or failing provider; the worker reads them from its environment (worker/config.ts). */
export interface DispatchSettings {
  /** The provider call's own time-out (SMS_PROVIDER_TIMEOUT_MS): a claim's lease outlasts it by LEASE_MARGIN_MS. */
  providerTimeoutMs: number;
  /** A Retry-After up to this is waited for in the batch; a longer one ends the batch and the workflow waits on a durable timer. */
  retryAfterCapMs: number;
  /** Provider calls per message for 429/5xx/network errors before the batch ends and the workflow retries it later. */
  attemptsPerMessage: number;
  /** The circuit breaker: this many transient failures in a row, within `breakerWindowMs`, pause the sending. */
  breakerFailures: number;
  breakerWindowMs: number;
  /** Batches in a row that end with "wait and try again" before the sending pauses itself. */
  backoffRoundsBeforePause: number;
  /** A sending paused longer than this fails, with the reason it was paused for. */
  maxPausedMs: number;
  /**
   * A batch starts no message after running this long (SMS_BATCH_TIME_LIMIT_MS) and the workflow runs the
   * rest of its recipients at once in the next batch: a batch sized at a fast rate that meets a slow one
   * (a provider slowing down, a shared limit split between more sendings) ends well inside its 30-minute
   * time-out instead of running into it.
   */
  batchTimeLimitMs: number;
}

export const DEFAULT_DISPATCH_SETTINGS: DispatchSettings = {
  providerTimeoutMs: 15_000,
  retryAfterCapMs: 5_000,
  attemptsPerMessage: 3,
  breakerFailures: 20,
  breakerWindowMs: 60_000,
  backoffRoundsBeforePause: 10,
  maxPausedMs: 72 * 3_600_000,
  batchTimeLimitMs: 10 * 60_000,
};

/** The batches' `startToCloseTimeout` is 30 minutes (workflows/sending/activities.ts): a time limit stays well under it. */
export const MAX_BATCH_TIME_LIMIT_MS = 25 * 60_000;

/** Beyond the provider's time-out: a holder's write after its call, and clocks of different workers that differ a little. */
export const LEASE_MARGIN_MS = 10_000;

/** Waits between attempts of one message (before any longer Retry-After). */
export const RETRY_BACKOFF_MS = [500, 1500, 3000];

/** When every attempt of a message failed: how long the workflow waits before it runs the batch again. */
export const EXHAUSTED_BACKOFF_MS = 30_000;
