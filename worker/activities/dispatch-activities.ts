/** The sending's batches, its stops and resumes, and the counts the workflow reports. */
import { Context } from '@temporalio/activity';
import type { DispatchStop, HeldSummary, ProgressCounts } from '../directory/directory';
import type { DirectoryConnection, DispatchControl, DispatchProgress } from '../directory/roles';
import { BatchControl, sleepUnlessStopped } from './batch-control';
import { deliverRows, emptyCounts, type DeliveryDeps } from './deliver-rows';
import type { ReleaseBatchResult, RetryBatchResult, SendBatchRequest, SendBatchResult, SettleRequest } from './index';
import { asInputFailure } from './input-failure';
import { FIRST_PAGE, readSnapshotPages, rowsOf } from './row-source';

export type DispatchDeps = DeliveryDeps & {
  directory: DeliveryDeps['directory'] & DispatchControl & DispatchProgress & Pick<DirectoryConnection, 'kind'>;
};

const HEARTBEAT_EVERY_MS = 1000;
const SETTLE_POLL_MS = 250;

/**
 * SQLite reads on the worker's main thread, so a page read ahead cannot overlap the sending and pages only
 * split the same work: there a batch reads its range at once (docs/benchmarks.md).
 */
const firstPageOn = (kind: DispatchDeps['directory']['kind'], limit: number): number => (kind === 'postgres' ? FIRST_PAGE : limit);

/**
 * Heartbeats the batch's progress once a second whatever the lanes do (a provider call or a wait may take
 * long), and turns the activity's cancellation into a stop of the batch: no new message starts, the ones
 * in flight settle.
 */
async function asHeartbeatingBatch<T>(control: BatchControl, details: () => unknown, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = () => context.heartbeat(details());
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  const onCancel = () => control.stop({ kind: 'stopped' });
  context.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  const timeLimit = setTimeout(() => control.stop({ kind: 'timeLimit' }), control.timeLimitMs);
  beat();
  try {
    const result = await work();
    // Cancelled by the workflow (it no longer waits for this answer) or by the worker's shutdown: the
    // batch settled what it had started, and the failure lets Temporal run it again elsewhere.
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    return result;
  } finally {
    clearInterval(timer);
    clearTimeout(timeLimit);
    context.cancellationSignal.removeEventListener('abort', onCancel);
  }
}

export function dispatchActivities(deps: DispatchDeps) {
  const { directory } = deps;
  return {
    /**
     * Sends the recipients after `afterSeq`, at most `limit`. Safe to run again, and to run twice at the
     * same time: each recipient's row in the directory says what is left to do (see deliverRecipient).
     */
    async sendBatch(request: SendBatchRequest): Promise<SendBatchResult> {
      const control = new BatchControl(deps.dispatch);
      const read = (afterSeq: number, limit: number) => directory.readSnapshot(request.sendingId, afterSeq, limit);
      const rows = await readSnapshotPages(read, request.afterSeq, request.limit, firstPageOn(directory.kind, request.limit));
      const run = await asHeartbeatingBatch(
        control,
        () => ({ afterSeq: request.afterSeq, rows: rows.taken }),
        () => deliverRows(deps, request, rows, control),
      );
      const backoffRoundsBeforePause = deps.dispatch.backoffRoundsBeforePause;
      const { calls } = run;
      if (run.interrupted)
        return {
          lastSeq: request.afterSeq,
          done: false,
          counts: emptyCounts(),
          interrupted: run.interrupted,
          backoffRoundsBeforePause,
          calls,
        };
      if (rows.lastSeq === null)
        return { lastSeq: request.afterSeq, done: true, counts: run.counts, interrupted: null, backoffRoundsBeforePause, calls };
      return {
        lastSeq: rows.lastSeq,
        done: rows.taken < request.limit,
        counts: run.counts,
        interrupted: null,
        backoffRoundsBeforePause,
        calls,
      };
    },

    /** Sends the held recipients whose quiet hours are over (at most `limit`); the others stay held. */
    async releaseHeldBatch(request: Omit<SendBatchRequest, 'afterSeq'>): Promise<ReleaseBatchResult> {
      const control = new BatchControl(deps.dispatch);
      const rows = await directory.readDueHeld(request.sendingId, Date.now(), request.limit);
      const run = await asHeartbeatingBatch(
        control,
        () => ({ held: rows.length }),
        () => deliverRows(deps, { ...request, afterSeq: 0 }, rowsOf(rows), control),
      );
      return {
        counts: run.counts,
        held: await directory.heldSummary(request.sendingId),
        done: run.interrupted === null && rows.length < request.limit,
        interrupted: run.interrupted,
        backoffRoundsBeforePause: deps.dispatch.backoffRoundsBeforePause,
      };
    },

    /** Sends recipients put back for a retry (pending rows up to the first pass's cursor), at most `limit`. */
    async retryBatch(request: SendBatchRequest, upToSeq: number): Promise<RetryBatchResult> {
      const control = new BatchControl(deps.dispatch);
      const rows = await directory.readPendingUpTo(request.sendingId, upToSeq, request.limit);
      const run = await asHeartbeatingBatch(
        control,
        () => ({ retry: rows.length }),
        () => deliverRows(deps, request, rowsOf(rows), control),
      );
      const left = await directory.progress(request.sendingId, upToSeq);
      return {
        counts: run.counts,
        pendingLeft: left.pending + left.dispatching,
        interrupted: run.interrupted,
        backoffRoundsBeforePause: deps.dispatch.backoffRoundsBeforePause,
      };
    },

    /** Puts the sending's failed and/or unknown recipients back to pending (an operator's retry). */
    async resetForRetry(sendingId: string, states: ('failed' | 'unknown')[]): Promise<{ failed: number; unknown: number }> {
      return directory.resetForRetry(sendingId, states);
    },

    /** Records the stop: once this returns, no message of the sending starts. Answers how long a pause may last. */
    async stopDispatch(sendingId: string, stop: DispatchStop): Promise<{ maxPausedMs: number }> {
      await asInputFailure(() => directory.stopDispatch(sendingId, stop));
      return { maxPausedMs: deps.dispatch.maxPausedMs };
    },

    async resumeDispatch(sendingId: string): Promise<void> {
      await directory.resumeDispatch(sendingId);
    },

    /**
     * Waits until no message of a stopped sending is in flight (each settles within the provider's time-out),
     * then answers the recipients per state. A cancelled sending's in-doubt messages whose holder is gone
     * become `unknown`; a paused one's wait for the resume (resent with their key, or marked unknown, then).
     */
    async settleDispatch(sendingId: string, request: SettleRequest): Promise<ProgressCounts> {
      const context = Context.current();
      for (;;) {
        const now = Date.now();
        const flight = await directory.inFlight(sendingId, now);
        if (flight.live === 0) {
          if (request.abandonExpired && flight.expired > 0) {
            const abandoned = await directory.abandonExpiredClaims(
              sendingId,
              'in flight when the sending was cancelled, with no answer from the provider (its call timed out or its worker stopped); it may or may not have been sent',
              now,
            );
            deps.metrics?.messageDecided('unknown', abandoned);
          }
          return directory.progress(sendingId);
        }
        context.heartbeat({ inFlight: flight.live });
        await sleepUnlessStopped(Math.min(SETTLE_POLL_MS, (flight.lastLeaseMs ?? now) - now + 1), context.cancellationSignal);
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      }
    },

    /** Recipients per state up to `upToSeq` (the first pass's cursor), or of the whole sending. */
    async dispatchProgress(sendingId: string, upToSeq?: number): Promise<ProgressCounts> {
      return directory.progress(sendingId, upToSeq);
    },

    async heldSummary(sendingId: string): Promise<HeldSummary> {
      return directory.heldSummary(sendingId);
    },
  };
}
