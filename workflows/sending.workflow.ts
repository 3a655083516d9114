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
import { approvalHashOf } from '../domain/approval-hash';
import { resolveSendAt } from '../domain/schedule';
import { validateMessageText } from '../domain/template';
import { TERMINAL_STATES, type SendingState } from '../domain/types';
import {
  approveSignal,
  approveUpdate,
  AUDIT_IN_STATUS,
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
type BatchCounts = Awaited<ReturnType<Activities['sendBatch']>>['counts'];

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

const HOUR_MS = 3_600_000;

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

const samePerson = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
const iso = (ms: number): string => new Date(ms).toISOString();

function initialStatus(input: SendingWorkflowInput): SendingStatus {
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
    progress: { cursor: 0, total: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, held: 0 },
    held: null,
    failure: null,
    runs: 0,
    audit: [],
  };
}

export async function smsSendingWorkflow(input: SendingWorkflowInput): Promise<SendingStatus> {
  const status: SendingStatus = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialStatus(input);
  const id = status.sendingId;
  const tuning: SendingTuning = { ...DEFAULT_TUNING, ...input.tuning };
  let busy = false;
  let sendRequested = status.state === 'scheduled' || status.state === 'sending';
  /** Bumped by every state change: waits that depend on the state wake up. */
  let stateVersion = 0;

  const isTerminal = (): boolean => TERMINAL_STATES.includes(status.state);
  const setState = (state: SendingState): void => {
    status.state = state;
    stateVersion += 1;
    upsertSearchAttributes([
      { key: SMS_SENDING_STATE, value: state },
      ...(status.selection ? [{ key: SMS_PROJECT_ID, value: status.selection.projectId }] : []),
    ]);
  };
  /** Written to the directory's audit log first; the latest entries also stay in the status. */
  const audit = async (action: string, actor: string, detail?: Record<string, unknown>): Promise<void> => {
    await directory.recordAudit({ sendingId: id, action, actor, detail });
    status.audit.push({ atMs: Date.now(), action, actor, ...(detail ? { detail } : {}) });
    if (status.audit.length > AUDIT_IN_STATUS) status.audit.splice(0, status.audit.length - AUDIT_IN_STATUS);
  };

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

  const hashOfPrepared = (): string => {
    const p = status.prepared!;
    return approvalHashOf({ selection: status.selection!, message: p.message, senderId: p.senderId, schedule: p.schedule, refreshAtSend: p.refreshAtSend });
  };
  /** A new approval round: earlier approvals no longer count; it expires per the project, at the latest at the send time. */
  const openApprovalRequest = (requestedBy: string): void => {
    const now = Date.now();
    const expiry = now + Math.round(status.prepared!.approvalRules.expiresAfterHours * HOUR_MS);
    const sendAt = status.prepared!.sendAtMs;
    status.approvals = [];
    status.approval = null;
    status.approvalRequest = { requestedBy, atMs: now, expiresAtMs: sendAt === null ? expiry : Math.min(expiry, sendAt), hash: status.approvalHash!, expiredAtMs: null };
  };
  const dropApproval = (): void => {
    status.approvals = [];
    status.approval = null;
    status.approvalRequest = null;
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
        status.approvalHash = null;
        dropApproval();
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
        const validation = await directory.validateSending({ sendingId: id, projectId: status.selection!.projectId, message: request.message, senderId, sendAtMs });
        const { report } = validation;
        if (report.blocking) {
          await audit('prepare_refused', request.actor, { failed: report.points.filter((p) => p.level === 'fail').map((p) => p.code) });
          const failed = report.points.filter((p) => p.level === 'fail').map((p) => `${p.code}: ${p.message}`);
          throw refuse(`The sending cannot be prepared: ${failed.join(' | ')}`, 'ValidationFailed');
        }
        const excluded = validation.policyExcluded.countryNotAllowed + validation.policyExcluded.numberType;
        status.prepared = {
          message: request.message,
          senderId,
          schedule: request.schedule,
          sendAtMs,
          refreshAtSend,
          preparedBy: request.actor,
          preparedAtMs: Date.now(),
          summary: { ...summary, messages: summary.messages - excluded, policyExcluded: validation.policyExcluded },
          report,
          approvalRules: validation.approval,
        };
        status.approvalHash = hashOfPrepared();
        await audit('prepared', request.actor, {
          schedule: request.schedule,
          sendAtMs,
          refreshAtSend,
          messages: status.prepared.summary.messages,
          warnings: report.points.filter((p) => p.level === 'warn').map((p) => p.code),
          hash: status.approvalHash,
          voidedApprovals: status.approvals.length,
        });
        dropApproval();
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
        openApprovalRequest(actor);
        const request = status.approvalRequest!;
        await audit('approval_requested', actor, { hash: request.hash, expiresAtMs: request.expiresAtMs, approvalsRequired: status.prepared!.approvalRules.approvalsRequired });
        setState('awaiting_approval');
        return status;
      }),
    {
      validator: ({ actor }) => {
        requireState('request approval for', ['prepared', 'awaiting_approval']);
        requireActor(actor, 'actor');
        const sendAt = status.prepared!.sendAtMs;
        if (sendAt !== null && sendAt <= Date.now()) {
          throw refuse(`The scheduled time of sending ${id} (${iso(sendAt)}) has passed: reschedule it before requesting approval.`, 'SchedulePassed');
        }
      },
    },
  );

  const validateApprove = (decision: ApproveInput): void => {
    if (status.state === 'prepared' && !busy) {
      const expired = status.approvalRequest?.expiredAtMs;
      throw refuse(
        expired
          ? `The approval request of sending ${id} expired at ${iso(expired)}; an expired request cannot be approved. Request approval again.`
          : `No approval has been requested for sending ${id}: request approval first.`,
        expired ? 'ApprovalExpired' : 'InvalidState',
      );
    }
    requireState('approve', ['awaiting_approval']);
    requireActor(decision?.approver, 'approver');
    const request = status.approvalRequest!;
    if (Date.now() >= request.expiresAtMs) {
      throw refuse(`The approval request of sending ${id} expired at ${iso(request.expiresAtMs)}; an expired request cannot be approved. Request approval again.`, 'ApprovalExpired');
    }
    if (decision.hash !== undefined && decision.hash !== status.approvalHash) {
      throw refuse(`Sending ${id} changed after you saw it (approval hash ${decision.hash.slice(0, 12)}… is now ${status.approvalHash!.slice(0, 12)}…): review it again before approving.`, 'ApprovalOutdated');
    }
    const rules = status.prepared!.approvalRules;
    if (!rules.allowSelfApproval && samePerson(decision.approver, status.prepared!.preparedBy)) {
      throw refuse(
        `${decision.approver.trim()} prepared sending ${id} and cannot approve it too: another person must approve it (project setting compliance.approval.allowSelfApproval is off).`,
        'SelfApproval',
      );
    }
    if (status.approvals.some((a) => samePerson(a.approver, decision.approver))) {
      throw refuse(`${decision.approver.trim()} has already approved sending ${id}; ${rules.approvalsRequired} different approvers are needed.`, 'AlreadyApproved');
    }
  };
  const approve = (decision: ApproveInput): Promise<SendingStatus> =>
    exclusive(async () => {
      const record = { approver: decision.approver, atMs: Date.now(), hash: status.approvalHash!, ...(decision.comment ? { comment: decision.comment } : {}) };
      const required = status.prepared!.approvalRules.approvalsRequired;
      await audit('approved', decision.approver, { hash: record.hash, approval: status.approvals.length + 1, of: required, ...(decision.comment ? { comment: decision.comment } : {}) });
      status.approvals.push(record);
      if (status.approvals.length >= required) {
        status.approval = record;
        setState('approved');
      }
      return status;
    });
  const validateReject = (decision: RejectInput): void => {
    requireState('reject', ['prepared', 'awaiting_approval']);
    requireActor(decision?.approver, 'approver');
    requireReason(decision.reason, 'reject');
  };
  const reject = (decision: RejectInput): Promise<SendingStatus> =>
    exclusive(async () => {
      await audit('rejected', decision.approver, { reason: decision.reason, hash: status.approvalHash });
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
        await audit('send_requested', actor, { sendAtMs: later, hash: status.approvalHash });
        sendRequested = true;
        status.sendAtMs = later ?? Date.now();
        setState(later !== null ? 'scheduled' : 'sending');
        return status;
      }),
    {
      validator: ({ actor }) => {
        requireActor(actor, 'actor');
        const request = status.approvalRequest;
        const expired = request?.expiredAtMs ?? (status.state === 'awaiting_approval' && request && Date.now() >= request.expiresAtMs ? request.expiresAtMs : null);
        if ((status.state === 'prepared' || status.state === 'awaiting_approval') && expired) {
          throw refuse(`Sending ${id} is not approved (it is ${status.state}): its approval request expired at ${iso(expired)} without enough approvals. Request approval again.`, 'NotApproved');
        }
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
        const prepared = status.prepared!;
        const wasApproved = status.state === 'approved' || status.state === 'scheduled';
        const voided = status.approvals.length;
        prepared.schedule = request.schedule;
        prepared.sendAtMs = sendAtMs;
        if (request.schedule.mode === 'now') prepared.refreshAtSend = false;
        status.approvalHash = hashOfPrepared();
        await audit('rescheduled', request.actor, { schedule: request.schedule, sendAtMs, hash: status.approvalHash, voidedApprovals: voided });
        // What was approved has changed: back to approval (a pending request starts over).
        if (status.state === 'prepared') dropApproval();
        else {
          openApprovalRequest(request.actor);
          sendRequested = false;
          status.sendAtMs = null;
          await audit('approval_requested', request.actor, { hash: status.approvalHash, expiresAtMs: status.approvalRequest!.expiresAtMs, after: wasApproved ? 'reschedule voided the approval' : 'reschedule' });
          setState('awaiting_approval');
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

  // Main path: wait for a send request (a pending approval may expire meanwhile), the timer, then the batches.
  for (;;) {
    await waitForSendRequest();
    if (isTerminal()) break;

    while (status.state === 'scheduled' && status.cancellation === null) {
      const version = stateVersion;
      const waitMs = (status.sendAtMs ?? 0) - Date.now();
      if (waitMs <= 0) break;
      await condition(() => stateVersion !== version || status.cancellation !== null, waitMs);
    }
    if (status.state === 'scheduled' && status.cancellation === null) {
      await condition(() => !busy);
      if (status.state === 'scheduled') {
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
    }
    if (status.state === 'sending') return await sendAll();
    if (isTerminal()) break;
    // A reschedule voided the approval: wait for the next one.
  }

  await condition(() => allHandlersFinished() && !busy);
  return status;

  async function waitForSendRequest(): Promise<void> {
    while (!sendRequested && !isTerminal()) {
      const version = stateVersion;
      const changed = () => sendRequested || isTerminal() || stateVersion !== version;
      const request = status.state === 'awaiting_approval' ? status.approvalRequest : null;
      if (!request) {
        await condition(changed);
        continue;
      }
      if (await condition(changed, Math.max(1, request.expiresAtMs - Date.now()))) continue;
      await condition(() => !busy);
      if (status.state === 'awaiting_approval' && stateVersion === version) {
        request.expiredAtMs = Date.now();
        await audit('approval_expired', 'system', { hash: request.hash, requestedAtMs: request.atMs, approvals: status.approvals.length });
        status.approvals = [];
        setState('prepared');
      }
    }
  }

  /** The snapshot pass in batches, then the recipients held by quiet hours as their windows open. */
  async function sendAll(): Promise<SendingStatus> {
    const p = status.progress;
    let batches = 0;
    const request = () => ({ sendingId: id, projectId: status.selection!.projectId, limit: tuning.batchSize, message: status.prepared!.message, senderId: status.prepared!.senderId });
    const add = (counts: BatchCounts, firstPass: boolean): void => {
      if (firstPass) p.total += counts.total;
      p.sent += counts.sent;
      p.failed += counts.failed;
      p.skipped += counts.skipped;
      p.unknown += counts.unknown;
    };
    /** A long sending continues as new between batches, so each run's history stays bounded. */
    const runIsLong = (): boolean => {
      batches += 1;
      return batches >= tuning.batchesPerRun || workflowInfo().continueAsNewSuggested;
    };
    let carryOn = false;
    try {
      while (status.cancellation === null && !carryOn) {
        const batch = await dispatch.sendBatch({ ...request(), afterSeq: p.cursor });
        p.cursor = batch.lastSeq;
        add(batch.counts, true);
        p.held += batch.counts.held;
        if (batch.done) break;
        carryOn = runIsLong();
      }
      if (!carryOn && status.cancellation === null && p.held > 0) {
        status.held = await directory.heldSummary(id);
        p.held = status.held.count;
      }
      while (!carryOn && status.cancellation === null && status.held && status.held.count > 0) {
        const waitMs = (status.held.nextMs ?? 0) - Date.now();
        if (waitMs > 0) await condition(() => status.cancellation !== null, waitMs);
        if (status.cancellation !== null) break;
        const batch = await dispatch.releaseHeldBatch(request());
        add(batch.counts, false);
        status.held = batch.held;
        p.held = batch.held.count;
        carryOn = runIsLong();
      }
    } catch (err) {
      return await fail(err);
    }
    if (carryOn) {
      await condition(() => allHandlersFinished() && !busy);
      return await continueAsNew<typeof smsSendingWorkflow>({ sendingId: id, createdBy: status.createdBy, tuning, carried: status });
    }
    const end = status.cancellation ? 'cancelled' : 'completed';
    await audit(end, 'system', { ...status.progress });
    setState(end);
    await condition(() => allHandlersFinished() && !busy);
    return status;
  }

  async function fail(err: unknown): Promise<SendingStatus> {
    const cause = explain(err);
    status.failure = cause instanceof Error ? cause.message : String(cause);
    await audit('failed', 'system', { error: status.failure });
    setState('failed');
    return status;
  }
}

