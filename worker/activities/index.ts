import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import type {
  AuditEntry,
  Directory,
  DispatchStop,
  HeldSummary,
  ProgressCounts,
  RefreshResult,
  SnapshotSummary,
} from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import type { SmsProvider } from '../providers/provider';
import type { RateLimiter } from '../providers/rate-limiter';
import type { DirectoryLookup, DirectoryOption } from '../../workflows/messages';
import type { SmsMetrics } from '../metrics/sms-metrics';
import { timedProvider } from '../metrics/timed-provider';
import { BatchControl, sleepUnlessStopped, type BatchInterruption } from './batch-control';
import { deliverRows, emptyCounts } from './deliver-rows';
import type { DispatchSettings } from './dispatch-settings';
import { lookupDirectory } from './lookup-directory';
import { proofSend, type ProofSendRequest } from './proof-send';
import { validateSending, type SendingValidation, type ValidateSendingRequest } from './validate-sending';

export type { BatchInterruption } from './batch-control';

export interface ActivityDeps {
  directory: Directory;
  provider: SmsProvider;
  limiter: RateLimiter;
  /** Messages in flight at once within one batch. */
  concurrency: number;
  dispatch: DispatchSettings;
  /** Prometheus metrics (worker/metrics); none when unset. */
  metrics?: SmsMetrics;
}

export interface SendBatchRequest {
  sendingId: string;
  projectId: string;
  /** The snapshot pass: recipients after this seq. */
  afterSeq: number;
  limit: number;
  message: string;
  senderId: string | null;
  /** Recipients up to this seq were judged by Prepare's validation; later ones (added by a refresh) are judged at send. */
  validatedUpToSeq?: number;
}

export interface BatchCounts {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  unknown: number;
  /** Held by quiet hours (again, for a release batch). */
  held: number;
}

/** An interrupted batch moves nothing forward: `lastSeq` is `afterSeq`, its counts are zero, and the same range runs again. */
export interface SendBatchResult {
  lastSeq: number;
  done: boolean;
  counts: BatchCounts;
  interrupted: BatchInterruption | null;
  /** With a backoff: how many backoffs in a row the worker allows before the sending pauses itself. */
  backoffRoundsBeforePause: number;
}

export interface ReleaseBatchResult {
  /** What this batch did to the held recipients it decided (also when it was interrupted). */
  counts: BatchCounts;
  /** Held recipients left after this batch. */
  held: HeldSummary;
  /** No due held recipient is left (the rest wait for later windows). */
  done: boolean;
  interrupted: BatchInterruption | null;
  backoffRoundsBeforePause: number;
}

export interface RetryBatchResult {
  /** What this batch did to the recipients it decided (also when it was interrupted). */
  counts: BatchCounts;
  /** Recipients up to the cursor still waiting after this batch. */
  pendingLeft: number;
  interrupted: BatchInterruption | null;
  backoffRoundsBeforePause: number;
}

export interface SettleRequest {
  /** Cancelled: in-doubt messages whose holder is gone become `unknown`; paused: they wait for the resume. */
  abandonExpired: boolean;
}

const HEARTBEAT_EVERY_MS = 1000;
const SETTLE_POLL_MS = 250;

/** Bad input is the caller's to fix: fail at once, with the directory's message, instead of retrying. */
async function asInputFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DirectoryInputError) throw ApplicationFailure.nonRetryable(err.message, 'DirectoryInputError');
    throw err;
  }
}

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
  beat();
  try {
    const result = await work();
    // Cancelled by the workflow (it no longer waits for this answer) or by the worker's shutdown: the
    // batch settled what it had started, and the failure lets Temporal run it again elsewhere.
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    return result;
  } finally {
    clearInterval(timer);
    context.cancellationSignal.removeEventListener('abort', onCancel);
  }
}

export const createActivities = (given: ActivityDeps) => {
  const deps: ActivityDeps = { ...given, provider: timedProvider(given.provider, given.metrics) };
  const { directory } = deps;

  async function projectFor(selection: AudienceSelection) {
    const project = await directory.getProject(selection.projectId);
    if (!project)
      throw new DirectoryInputError(
        `Unknown project "${selection.projectId}": check the project id, or create the project first (npm run sms -- project --id ID --name NAME; docs/getting-started.md).`,
      );
    return project;
  }

  return {
    async registerSelection(sendingId: string, selection: AudienceSelection, actor: string): Promise<AudienceCount> {
      return asInputFailure(async () => {
        await projectFor(selection);
        const count = await directory.countAudience(selection);
        await directory.createSending({
          id: sendingId,
          projectId: selection.projectId,
          selection,
          createdBy: actor,
          createdAt: Date.now(),
        });
        return count;
      });
    },

    async countAudience(selection: AudienceSelection): Promise<AudienceCount> {
      return asInputFailure(() => directory.countAudience(selection));
    },

    /** `fields`: the message's fields, whose values are frozen per recipient (what is approved is what is sent). */
    async prepareSnapshot(sendingId: string, selection: AudienceSelection, fields?: string[]): Promise<SnapshotSummary> {
      return asInputFailure(async () => {
        const project = await projectFor(selection);
        if (!project.smsEnabled) {
          throw new DirectoryInputError(
            `SMS is not enabled for project "${project.id}": enable the SMS module in the project settings (smsEnabled) before preparing.`,
          );
        }
        const summary = await directory.prepareSnapshot(sendingId, selection, fields);
        if (summary.messages === 0) {
          const why = Object.entries(summary.excluded)
            .filter(([, n]) => n > 0)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ');
          throw new DirectoryInputError(
            `No recipient to send to: ${summary.targeted} contact(s) targeted${why ? `, excluded: ${why}` : ''}. Change the selection or fix the contacts' numbers.`,
          );
        }
        return summary;
      });
    },

    /** Heartbeats page by page; a cancelled prepare stops at the next page. */
    async validateSending(request: ValidateSendingRequest): Promise<SendingValidation> {
      const context = Context.current();
      return asInputFailure(() =>
        validateSending(directory, request, (recipients) => {
          context.heartbeat({ recipients });
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        }),
      );
    },

    async refreshSnapshot(sendingId: string, selection: AudienceSelection, fields?: string[]): Promise<RefreshResult> {
      return asInputFailure(() => directory.refreshSnapshot(sendingId, selection, fields));
    },

    async proofSend(request: ProofSendRequest): Promise<{ sentTo: string; sampleSeq: number }> {
      return proofSend(deps, request);
    },

    async lookupDirectory(request: DirectoryLookup): Promise<DirectoryOption[]> {
      return asInputFailure(() => lookupDirectory(directory, request));
    },

    async recordAudit(entry: AuditEntry): Promise<void> {
      await directory.audit(entry);
    },

    /**
     * Sends the recipients after `afterSeq`, at most `limit`. Safe to run again, and to run twice at the
     * same time: each recipient's row in the directory says what is left to do (see deliverRecipient).
     */
    async sendBatch(request: SendBatchRequest): Promise<SendBatchResult> {
      const control = new BatchControl(deps.dispatch);
      const rows = await directory.readSnapshot(request.sendingId, request.afterSeq, request.limit);
      const run = await asHeartbeatingBatch(
        control,
        () => ({ afterSeq: request.afterSeq, rows: rows.length }),
        () => deliverRows(deps, request, rows, control),
      );
      const backoffRoundsBeforePause = deps.dispatch.backoffRoundsBeforePause;
      if (run.interrupted)
        return { lastSeq: request.afterSeq, done: false, counts: emptyCounts(), interrupted: run.interrupted, backoffRoundsBeforePause };
      if (rows.length === 0)
        return { lastSeq: request.afterSeq, done: true, counts: run.counts, interrupted: null, backoffRoundsBeforePause };
      return {
        lastSeq: rows[rows.length - 1].seq,
        done: rows.length < request.limit,
        counts: run.counts,
        interrupted: null,
        backoffRoundsBeforePause,
      };
    },

    /** Sends the held recipients whose quiet hours are over (at most `limit`); the others stay held. */
    async releaseHeldBatch(request: Omit<SendBatchRequest, 'afterSeq'>): Promise<ReleaseBatchResult> {
      const control = new BatchControl(deps.dispatch);
      const rows = await directory.readDueHeld(request.sendingId, Date.now(), request.limit);
      const run = await asHeartbeatingBatch(
        control,
        () => ({ held: rows.length }),
        () => deliverRows(deps, { ...request, afterSeq: 0 }, rows, control),
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
        () => deliverRows(deps, request, rows, control),
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
              'in flight when the sending was cancelled, and its worker stopped before the answer; it may or may not have been sent',
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
};
