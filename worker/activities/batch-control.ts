/**
 * What the lanes of one batch attempt share: the attempt's claim token, the first reason to stop (after
 * which no lane starts a message), and the circuit breaker's count of transient failures in a row.
 */
import { randomUUID } from 'node:crypto';
import type { Claim } from '../directory/directory';
import { LEASE_MARGIN_MS, type DispatchSettings } from './dispatch-settings';

/** Why a batch ended before its last recipient; the workflow decides what follows (wait, pause, stop). */
export type BatchInterruption =
  /** The sending's dispatch was stopped (pause or cancel), or the activity was cancelled. */
  | { kind: 'stopped' }
  /** The provider asked to wait longer than the batch waits, or a message kept failing: run it again at `untilMs`. */
  | { kind: 'backoff'; untilMs: number; reason: string }
  /** The provider refused the account or its configuration: nothing can go until an operator fixes it. */
  | { kind: 'account'; reason: string; code?: string }
  /** Too many transient failures in a row (5xx, time-outs, resets). */
  | { kind: 'breaker'; reason: string; failures: number }
  /** The batch ran for its time limit (SMS_BATCH_TIME_LIMIT_MS): the rest of its recipients go on in the next batch, at once. */
  | { kind: 'timeLimit' };

export class BatchControl {
  readonly token = randomUUID();
  private readonly abort = new AbortController();
  private interruption: BatchInterruption | null = null;
  private streak: number[] = [];
  private firstFailure: string | null = null;

  constructor(private readonly settings: DispatchSettings) {}

  /** Aborted once the batch stops: sleeps between attempts end early. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get stopped(): BatchInterruption | null {
    return this.interruption;
  }

  /** The first reason wins; a later backoff only moves the time to come back later; the time limit says the least. */
  stop(reason: BatchInterruption): void {
    const current = this.interruption;
    if (current === null) {
      this.interruption = reason;
      this.abort.abort();
    } else if (current.kind === 'timeLimit') {
      this.interruption = reason;
    } else if (current.kind === 'backoff' && reason.kind === 'backoff' && reason.untilMs > current.untilMs) {
      this.interruption = reason;
    } else if (current.kind === 'backoff' && reason.kind !== 'backoff') {
      // A stop, an account refusal or the breaker says more than "come back later".
      this.interruption = reason;
    }
  }

  get timeLimitMs(): number {
    return this.settings.batchTimeLimitMs;
  }

  claim(nowMs = Date.now()): Claim {
    return { token: this.token, leaseUntilMs: nowMs + this.settings.providerTimeoutMs + LEASE_MARGIN_MS };
  }

  /** A definitive answer from the provider (sent or refused) ends a run of failures. */
  recordAnswer(): void {
    this.streak = [];
    this.firstFailure = null;
  }

  /** A transient failure; trips the breaker (stops the batch) at N in a row within the window. */
  recordFailure(message: string, nowMs = Date.now()): void {
    if (this.streak.length === 0) this.firstFailure = message;
    this.streak.push(nowMs);
    const { breakerFailures: n, breakerWindowMs: windowMs } = this.settings;
    if (n <= 0 || this.streak.length < n) return;
    const first = this.streak[this.streak.length - n];
    if (nowMs - first <= windowMs) {
      const seconds = Math.round((nowMs - first) / 100) / 10;
      this.stop({
        kind: 'breaker',
        failures: this.streak.length,
        reason: `${this.streak.length} provider calls in a row failed (${n} within ${seconds} s); the first: ${this.firstFailure}`,
      });
    }
    this.streak = this.streak.slice(-n);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
