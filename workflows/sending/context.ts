/**
 * What every part of the sending workflow shares: the status, state changes (with their search
 * attributes), the audit log, refusals quoting the transition table, and the lock that runs one
 * change at a time.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { allowedFrom, isAllowed, type SendingAction } from '../../domain/sending-transitions';
import { TERMINAL_STATES, type SendingState } from '../../domain/types';
import { AUDIT_IN_STATUS, type IdentityEstablished, type SendingStatus, type SendingTuning, type SendingWorkflowInput } from '../messages';
import { SMS_PROJECT_ID, SMS_SENDING_STATE } from '../search-attributes';
import { DEFAULT_BATCH_SIZE, DEFAULT_PARALLEL_BATCHES, MAX_BATCH_SIZE, maxBatchSizeOf, parallelBatchesOf } from '../tuning';
import { directory } from './activities';

/**
 * Batches of 500 recipients at first (worked through concurrently under the rate limit), growing to a
 * few seconds of messages each, up to 10,000 (workflows/sending/batch-size.ts), and 100 batches per run:
 * a run's history stays near 1,000 events, far below Temporal's limits. One batch in flight at a time
 * unless the sending's `parallelBatches` asks for more (workflows/tuning.ts).
 */
export const DEFAULT_TUNING: SendingTuning = {
  batchSize: DEFAULT_BATCH_SIZE,
  maxBatchSize: MAX_BATCH_SIZE,
  batchesPerRun: 100,
  retryWindowMs: 7 * 24 * 3_600_000,
  parallelBatches: DEFAULT_PARALLEL_BATCHES,
};

export const HOUR_MS = 3_600_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Clear, non-retryable failure for an update caller. */
export function refuse(message: string, type = 'InvalidSendingRequest'): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

/** An activity's own message (e.g. `Unknown group "VIP"`) instead of "Activity task failed". */
export function explain(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)
    return refuse(err.cause.message, err.cause.type ?? 'ActivityError');
  return err;
}

export function initialStatus(input: SendingWorkflowInput): SendingStatus {
  return {
    sendingId: input.sendingId,
    state: 'draft',
    createdBy: input.createdBy,
    selection: null,
    lastCount: null,
    prepared: null,
    approvalHash: null,
    approvalRequest: null,
    approvals: [],
    approval: null,
    rejection: null,
    cancellation: null,
    sendAtMs: null,
    refresh: null,
    progress: { cursor: 0, total: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, held: 0, pending: 0 },
    held: null,
    pause: null,
    backoff: null,
    retryUntilMs: null,
    failure: null,
    runs: 0,
    audit: [],
  };
}

export class SendingContext {
  readonly id: string;
  readonly status: SendingStatus;
  readonly tuning: SendingTuning;
  /** Bumped by every state change: waits that depend on the state wake up. */
  stateVersion = 0;
  sendRequested: boolean;
  /** The batch in flight, which a pause or a cancel cancels. */
  batchScope: CancellationScope | null = null;
  private locked = false;
  private workScope: CancellationScope | null = null;

  constructor(input: SendingWorkflowInput) {
    this.status = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialStatus(input);
    this.id = this.status.sendingId;
    const tuning = { ...DEFAULT_TUNING, ...input.tuning };
    this.tuning = {
      ...tuning,
      maxBatchSize: maxBatchSizeOf({ ...input.tuning }, tuning.batchSize),
      parallelBatches: parallelBatchesOf({ ...input.tuning }),
    };
    this.sendRequested = ['scheduled', 'sending', 'paused'].includes(this.status.state);
  }

  /** Final: nothing more will happen (a completed sending may still take a retry within its window). */
  isTerminal(): boolean {
    return TERMINAL_STATES.includes(this.status.state);
  }

  setState(state: SendingState): void {
    this.status.state = state;
    this.stateVersion += 1;
    upsertSearchAttributes([
      { key: SMS_SENDING_STATE, value: state },
      ...(this.status.selection ? [{ key: SMS_PROJECT_ID, value: this.status.selection.projectId }] : []),
    ]);
  }

  /**
   * Written to the directory's audit log first; the latest entries also stay in the status. A person's
   * action says how their identity was established (`selfDeclared` when the caller did not say).
   */
  async audit(
    action: string,
    actor: string,
    detail?: Record<string, unknown>,
    established?: IdentityEstablished | 'system',
  ): Promise<void> {
    if (actor !== 'system') detail = { ...detail, established: established ?? 'selfDeclared' };
    await directory.recordAudit({ sendingId: this.id, action, actor, detail });
    this.status.audit.push({ atMs: Date.now(), action, actor, ...(detail ? { detail } : {}) });
    if (this.status.audit.length > AUDIT_IN_STATUS) this.status.audit.splice(0, this.status.audit.length - AUDIT_IN_STATUS);
  }

  /** Refuses the action unless the transition table allows it in the current state. */
  requireAllowed(action: SendingAction, verb: string): void {
    if (!isAllowed(action, this.status.state)) {
      const what = verb.replace(/ (for|of)$/, '');
      throw refuse(
        `Cannot ${verb} sending ${this.id}: it is ${this.status.state}; ${what} is possible when it is ${allowedFrom(action).join(' or ')}.`,
        'InvalidState',
      );
    }
  }

  /**
   * Runs changes one at a time, in the order they came (an update that arrives while another runs waits
   * for it, then checks again that it still applies). `cancellable` work (a prepare, a count, a refresh)
   * runs in a scope a cancel cancels, so a cancel does not wait for it.
   */
  async exclusive<T>(work: () => Promise<T>, options: { cancellable?: boolean } = {}): Promise<T> {
    while (this.locked) await condition(() => !this.locked);
    this.locked = true;
    const scope = new CancellationScope();
    this.workScope = options.cancellable ? scope : null;
    try {
      return await scope.run(work);
    } catch (err) {
      if (isCancellation(err))
        throw refuse(`Sending ${this.id} was cancelled while this change was being made; the change was not applied.`, 'Cancelled');
      throw explain(err);
    } finally {
      this.locked = false;
      this.workScope = null;
    }
  }

  /** Ends the sending as `failed` with the reason (an activity's own message when it has one). */
  async fail(err: unknown): Promise<void> {
    const cause = explain(err);
    this.status.failure = cause instanceof Error ? cause.message : String(cause);
    await this.audit('failed', 'system', { error: this.status.failure });
    this.setState('failed');
  }

  /** Whether a change is being made right now. */
  get busy(): boolean {
    return this.locked;
  }

  /** Cancels the change being made when it is cancellable (a prepare, a count), so that a cancel goes first. */
  cancelWorkInProgress(): void {
    this.workScope?.cancel();
  }
}

export const requireActor = (actor: unknown, field: string): void => {
  if (typeof actor !== 'string' || actor.trim() === '')
    throw refuse(`"${field}" is required: say who does this (a name or an e-mail).`, 'InvalidInput');
};

export const requireReason = (reason: unknown, action: string): void => {
  if (typeof reason !== 'string' || reason.trim() === '')
    throw refuse(`"reason" is required to ${action} a sending: say why.`, 'InvalidInput');
};
