import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../worker/activities';
import { resolveSendAt } from '../domain/schedule';
import { validateMessageText } from '../domain/template';
import { TERMINAL_STATES, type SendingState } from '../domain/types';
import {
  approveSignal,
  approveUpdate,
  cancelUpdate,
  countUpdate,
  prepareUpdate,
  rejectSignal,
  rejectUpdate,
  requestApprovalUpdate,
  rescheduleUpdate,
  selectUpdate,
  sendUpdate,
  statusQuery,
  type ApproveInput,
  type RejectInput,
  type Schedule,
  type SendingStatus,
  type SendingTuning,
  type SendingWorkflowInput,
} from './messages';
import { SMS_PROJECT_ID, SMS_SENDING_STATE } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

const directory = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['DirectoryInputError'] },
});

const dispatch = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * 500 recipients per sendBatch activity (worked through concurrently under the rate limit) and 100
 * batches per run: a run's history stays near 1,000 events, far below Temporal's limits.
 */
export const DEFAULT_TUNING: SendingTuning = { batchSize: 500, batchesPerRun: 100 };

/** Clear, non-retryable failure for an update caller. */
function refuse(message: string, type = 'InvalidSendingRequest'): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

/** An activity's own message (e.g. `Unknown group "VIP"`) instead of "Activity task failed". */
function explain(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return refuse(err.cause.message, err.cause.type ?? 'ActivityError');
  }
  return err;
}

function initialStatus(input: SendingWorkflowInput): SendingStatus {
  return {
    sendingId: input.sendingId,
    state: 'draft',
    createdBy: input.createdBy,
    selection: null,
    lastCount: null,
    prepared: null,
    approval: null,
    rejection: null,
    cancellation: null,
    sendAtMs: null,
    refresh: null,
    progress: { cursor: 0, total: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 },
    failure: null,
    runs: 0,
  };
}

export async function smsSendingWorkflow(input: SendingWorkflowInput): Promise<SendingStatus> {
  const status: SendingStatus = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialStatus(input);
  const id = status.sendingId;
  const tuning: SendingTuning = { ...DEFAULT_TUNING, ...input.tuning };
  let busy = false;
  let sendRequested = status.state === 'scheduled' || status.state === 'sending';
  let scheduleChanged = false;

  const isTerminal = (): boolean => TERMINAL_STATES.includes(status.state);
  const setState = (state: SendingState): void => {
    status.state = state;
    upsertSearchAttributes([
      { key: SMS_SENDING_STATE, value: state },
      ...(status.selection ? [{ key: SMS_PROJECT_ID, value: status.selection.projectId }] : []),
    ]);
  };
  const audit = (action: string, actor: string, detail?: Record<string, unknown>): Promise<void> =>
    directory.recordAudit({ sendingId: id, action, actor, detail });

  const requireState = (action: string, allowed: SendingState[]): void => {
    if (busy) throw refuse(`Sending ${id} is busy with another change; retry in a moment.`, 'SendingBusy');
    if (!allowed.includes(status.state)) {
      throw refuse(`Cannot ${action} sending ${id}: it is ${status.state}; ${action} is possible when it is ${allowed.join(' or ')}.`, 'InvalidState');
    }
  };
  const requireActor = (actor: unknown, field: string): void => {
    if (typeof actor !== 'string' || actor.trim() === '') throw refuse(`"${field}" is required: say who does this (a name or an e-mail).`, 'InvalidInput');
  };
  const requireReason = (reason: unknown, action: string): void => {
    if (typeof reason !== 'string' || reason.trim() === '') throw refuse(`"reason" is required to ${action} a sending: say why.`, 'InvalidInput');
  };
  const sendAtOf = (schedule: Schedule): number | null => {
    try {
      return resolveSendAt(schedule, Date.now()).sendAtMs;
    } catch (err) {
      throw refuse((err as Error).message, 'InvalidSchedule');
    }
  };
  /** Serialises the async handlers: one change at a time, and the failure message stays the activity's. */
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    busy = true;
    try {
      return await work();
    } catch (err) {
      throw explain(err);
    } finally {
      busy = false;
    }
  };

  const editable: SendingState[] = ['draft', 'prepared', 'awaiting_approval', 'approved'];

  setHandler(statusQuery, () => status);

  setHandler(
    selectUpdate,
    (selection) =>
      exclusive(async () => {
        const { actor, ...chosen } = selection;
        const count = await directory.registerSelection(id, chosen, actor);
        await audit('selected', actor, { audience: chosen.audience, groups: chosen.groups, duplicatePolicy: chosen.duplicatePolicy, voidedPreparation: status.state !== 'draft' });
        status.lastCount = count;
        status.selection = chosen;
        status.prepared = null;
        status.approval = null;
        setState('draft');
        return status;
      }),
    {
      validator: (selection) => {
        requireState('select recipients for', editable);
        requireActor(selection?.actor, 'actor');
        if (!selection.projectId) throw refuse('"projectId" is required: pick the project whose contacts receive the SMS.', 'InvalidInput');
        if (selection.audience !== 'all' && selection.audience !== 'groups') throw refuse('"audience" must be "all" or "groups".', 'InvalidInput');
        if (selection.audience === 'groups' && (!Array.isArray(selection.groups) || selection.groups.length === 0)) {
          throw refuse('"groups" is empty: pick at least one group, or choose the audience "all".', 'InvalidInput');
        }
        if (selection.duplicatePolicy !== 'perContact' && selection.duplicatePolicy !== 'perNumber') {
          throw refuse('"duplicatePolicy" must be "perContact" (one SMS per contact) or "perNumber" (one SMS per number).', 'InvalidInput');
        }
      },
    },
  );

  setHandler(
    countUpdate,
    ({ actor }) =>
      exclusive(async () => {
        const count = await directory.countAudience(status.selection!);
        await audit('counted', actor, { ...count });
        status.lastCount = count;
        return count;
      }),
    {
      validator: ({ actor }) => {
        requireState('count', editable);
        requireActor(actor, 'actor');
        if (!status.selection) throw refuse(`Sending ${id} has no recipients selected yet: select recipients first.`, 'InvalidState');
      },
    },
  );

  setHandler(
    prepareUpdate,
    (request) =>
      exclusive(async () => {
        const sendAtMs = sendAtOf(request.schedule);
        const refreshAtSend = request.schedule.mode === 'later' && request.refreshAtSend === true;
        const summary = await directory.prepareSnapshot(id, status.selection!);
        const senderId = request.senderId ?? null;
        const report = await directory.validateSending({ sendingId: id, projectId: status.selection!.projectId, message: request.message, senderId });
        if (report.blocking) {
          await audit('prepare_refused', request.actor, { failed: report.points.filter((p) => p.level === 'fail').map((p) => p.code) });
          const failed = report.points.filter((p) => p.level === 'fail').map((p) => `${p.code}: ${p.message}`);
          throw refuse(`The sending cannot be prepared: ${failed.join(' | ')}`, 'ValidationFailed');
        }
        await audit('prepared', request.actor, { schedule: request.schedule, sendAtMs, refreshAtSend, messages: summary.messages, voidedApproval: status.approval !== null });
        status.prepared = {
          message: request.message,
          senderId,
          schedule: request.schedule,
          sendAtMs,
          refreshAtSend,
          preparedBy: request.actor,
          preparedAtMs: Date.now(),
          summary,
          report,
        };
        status.approval = null;
        setState('prepared');
        return status;
      }),
    {
      validator: (request) => {
        requireState('prepare', editable);
        requireActor(request?.actor, 'actor');
        if (!status.selection) throw refuse(`Sending ${id} has no recipients selected yet: select recipients first.`, 'InvalidState');
        try {
          validateMessageText(request.message);
        } catch (err) {
          throw refuse((err as Error).message, 'InvalidInput');
        }
        if (request.refreshAtSend && request.schedule?.mode !== 'later') {
          throw refuse('"refreshAtSend" applies to later sends only: choose a later schedule or turn it off.', 'InvalidInput');
        }
        sendAtOf(request.schedule);
      },
    },
  );

  setHandler(
    requestApprovalUpdate,
    ({ actor }) =>
      exclusive(async () => {
        await audit('approval_requested', actor);
        setState('awaiting_approval');
        return status;
      }),
    {
      validator: ({ actor }) => {
        requireState('request approval for', ['prepared', 'awaiting_approval']);
        requireActor(actor, 'actor');
      },
    },
  );

  const validateApprove = (decision: ApproveInput): void => {
    requireState('approve', ['prepared', 'awaiting_approval']);
    requireActor(decision?.approver, 'approver');
  };
  const approve = (decision: ApproveInput): Promise<SendingStatus> =>
    exclusive(async () => {
      await audit('approved', decision.approver, decision.comment ? { comment: decision.comment } : undefined);
      status.approval = { approver: decision.approver, atMs: Date.now(), ...(decision.comment ? { comment: decision.comment } : {}) };
      setState('approved');
      return status;
    });
  const validateReject = (decision: RejectInput): void => {
    requireState('reject', ['prepared', 'awaiting_approval']);
    requireActor(decision?.approver, 'approver');
    requireReason(decision.reason, 'reject');
  };
  const reject = (decision: RejectInput): Promise<SendingStatus> =>
    exclusive(async () => {
      await audit('rejected', decision.approver, { reason: decision.reason });
      status.rejection = { approver: decision.approver, reason: decision.reason, atMs: Date.now() };
      setState('rejected');
      return status;
    });

  setHandler(approveUpdate, approve, { validator: validateApprove });
  setHandler(rejectUpdate, reject, { validator: validateReject });
  // Signals cannot answer their sender, so a refused one is written to the audit log instead.
  const viaSignal = <T extends { approver?: string }>(validate: (d: T) => void, apply: (d: T) => Promise<SendingStatus>, action: string) =>
    async (decision: T): Promise<void> => {
      await condition(() => !busy);
      try {
        validate(decision);
      } catch (err) {
        await audit(`${action}_signal_refused`, decision?.approver || 'unknown', { error: (err as Error).message });
        return;
      }
      await apply(decision);
    };
  setHandler(approveSignal, viaSignal(validateApprove, approve, 'approve'));
  setHandler(rejectSignal, viaSignal(validateReject, reject, 'reject'));

  setHandler(
    sendUpdate,
    ({ actor }) =>
      exclusive(async () => {
        const later = status.prepared!.sendAtMs;
        await audit('send_requested', actor, { sendAtMs: later });
        sendRequested = true;
        status.sendAtMs = later ?? Date.now();
        setState(later !== null ? 'scheduled' : 'sending');
        return status;
      }),
    {
      validator: ({ actor }) => {
        requireActor(actor, 'actor');
        if (status.state === 'prepared' || status.state === 'awaiting_approval' || status.state === 'draft') {
          throw refuse(`Sending ${id} is not approved (it is ${status.state}); only an approved sending can be sent. Request approval and have an approver approve it first.`, 'NotApproved');
        }
        requireState('send', ['approved']);
      },
    },
  );

  setHandler(
    rescheduleUpdate,
    (request) =>
      exclusive(async () => {
        const sendAtMs = sendAtOf(request.schedule);
        await audit('rescheduled', request.actor, { schedule: request.schedule, sendAtMs });
        const prepared = status.prepared!;
        prepared.schedule = request.schedule;
        prepared.sendAtMs = sendAtMs;
        if (request.schedule.mode === 'now') prepared.refreshAtSend = false;
        if (status.state === 'scheduled') {
          status.sendAtMs = sendAtMs ?? Date.now();
          scheduleChanged = true;
        }
        return status;
      }),
    {
      validator: (request) => {
        requireState('reschedule', ['prepared', 'awaiting_approval', 'approved', 'scheduled']);
        requireActor(request?.actor, 'actor');
        sendAtOf(request.schedule);
      },
    },
  );

  setHandler(
    cancelUpdate,
    (request) =>
      exclusive(async () => {
        await audit('cancel_requested', request.actor, { reason: request.reason, during: status.state });
        status.cancellation = { actor: request.actor, reason: request.reason, atMs: Date.now() };
        // While sending, the batch in flight finishes first; the state changes when the loop stops.
        if (status.state !== 'sending') setState('cancelled');
        return status;
      }),
    {
      validator: (request) => {
        requireState('cancel', ['draft', 'prepared', 'awaiting_approval', 'approved', 'scheduled', 'sending']);
        requireActor(request?.actor, 'actor');
        requireReason(request.reason, 'cancel');
      },
    },
  );

  setState(status.state);

  // Main path: wait for a send request (or an end), then the timer, then the batches.
  await condition(() => sendRequested || isTerminal());

  while (status.state === 'scheduled' && status.cancellation === null) {
    scheduleChanged = false;
    const waitMs = (status.sendAtMs ?? 0) - Date.now();
    if (waitMs <= 0) break;
    await condition(() => scheduleChanged || status.cancellation !== null, waitMs);
  }

  if (status.state === 'scheduled' && status.cancellation === null) {
    await condition(() => !busy);
    if (status.prepared!.refreshAtSend) {
      try {
        status.refresh = await directory.refreshSnapshot(id, status.selection!);
        await audit('refreshed', 'system', { ...status.refresh });
      } catch (err) {
        return await fail(err);
      }
    }
    setState('sending');
  }

  if (status.state === 'sending') {
    let batches = 0;
    while (status.cancellation === null) {
      let batch;
      try {
        batch = await dispatch.sendBatch({
          sendingId: id,
          projectId: status.selection!.projectId,
          afterSeq: status.progress.cursor,
          limit: tuning.batchSize,
          message: status.prepared!.message,
          senderId: status.prepared!.senderId,
        });
      } catch (err) {
        return await fail(err);
      }
      const p = status.progress;
      p.cursor = batch.lastSeq;
      p.total += batch.counts.total;
      p.sent += batch.counts.sent;
      p.failed += batch.counts.failed;
      p.skipped += batch.counts.skipped;
      p.unknown += batch.counts.unknown;
      if (batch.done) break;
      batches += 1;
      if (batches >= tuning.batchesPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(() => allHandlersFinished() && !busy);
        return await continueAsNew<typeof smsSendingWorkflow>({ sendingId: id, createdBy: status.createdBy, tuning, carried: status });
      }
    }
    const end = status.cancellation ? 'cancelled' : 'completed';
    await audit(end, 'system', { ...status.progress });
    setState(end);
  }

  await condition(() => allHandlersFinished() && !busy);
  return status;

  async function fail(err: unknown): Promise<SendingStatus> {
    const cause = explain(err);
    status.failure = cause instanceof Error ? cause.message : String(cause);
    await audit('failed', 'system', { error: status.failure });
    setState('failed');
    return status;
  }
}
