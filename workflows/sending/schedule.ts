/** Send (now or at the scheduled time), reschedule, and the durable timer to the send time. */
import { condition, setHandler } from '@temporalio/workflow';
import { isCancellation } from '@temporalio/workflow';
import { rescheduleUpdate, sendUpdate } from '../messages';
import { listPlaceholders } from '../../domain/template';
import { preparation } from './activities';
import { iso, refuse, type SendingContext } from './context';
import { dropApproval, openApprovalRequest } from './governance';
import { checkActor, checkInputObject, checkScheduleShape } from './input-checks';
import { hashOfPrepared, sendAtOf } from './preparation';

export function registerScheduleHandlers(s: SendingContext): void {
  const { status, id } = s;

  setHandler(
    sendUpdate,
    ({ actor, established }) =>
      s.exclusive(async () => {
        s.requireAllowed('send', 'send');
        const later = status.prepared!.sendAtMs;
        await s.audit('send_requested', actor, { sendAtMs: later, hash: status.approvalHash }, established);
        s.sendRequested = true;
        status.sendAtMs = later ?? Date.now();
        s.setState(later !== null ? 'scheduled' : 'sending');
        return status;
      }),
    {
      validator: (input) => {
        checkActor(checkInputObject(input, 'send', ['actor']));
        const request = status.approvalRequest;
        const expired =
          request?.expiredAtMs ??
          (status.state === 'awaiting_approval' && request && Date.now() >= request.expiresAtMs ? request.expiresAtMs : null);
        if ((status.state === 'prepared' || status.state === 'awaiting_approval') && expired) {
          throw refuse(
            `Sending ${id} is not approved (it is ${status.state}): its approval request expired at ${iso(expired)} without enough approvals. Request approval again.`,
            'NotApproved',
          );
        }
        if (status.state === 'prepared' || status.state === 'awaiting_approval' || status.state === 'draft') {
          throw refuse(
            `Sending ${id} is not approved (it is ${status.state}); only an approved sending can be sent. Request approval and have an approver approve it first.`,
            'NotApproved',
          );
        }
        s.requireAllowed('send', 'send');
      },
    },
  );

  setHandler(
    rescheduleUpdate,
    (request) =>
      s.exclusive(async () => {
        s.requireAllowed('reschedule', 'reschedule');
        const sendAtMs = sendAtOf(request.schedule);
        const prepared = status.prepared!;
        const wasApproved = status.state === 'approved' || status.state === 'scheduled';
        const voided = status.approvals.length;
        prepared.schedule = request.schedule;
        prepared.sendAtMs = sendAtMs;
        if (request.schedule.mode === 'now') prepared.refreshAtSend = false;
        status.approvalHash = hashOfPrepared(s);
        await s.audit(
          'rescheduled',
          request.actor,
          { schedule: request.schedule, sendAtMs, hash: status.approvalHash, voidedApprovals: voided },
          request.established,
        );
        // What was approved has changed: back to approval (a pending request starts over).
        if (status.state === 'prepared') dropApproval(s);
        else {
          openApprovalRequest(s, request.actor);
          s.sendRequested = false;
          status.sendAtMs = null;
          await s.audit(
            'approval_requested',
            request.actor,
            {
              hash: status.approvalHash,
              expiresAtMs: status.approvalRequest!.expiresAtMs,
              after: wasApproved ? 'reschedule voided the approval' : 'reschedule',
            },
            request.established,
          );
          s.setState('awaiting_approval');
        }
        return status;
      }),
    {
      validator: (request) => {
        const input = checkInputObject(request, 'reschedule', ['actor', 'schedule']);
        checkActor(input);
        checkScheduleShape(input.schedule);
        s.requireAllowed('reschedule', 'reschedule');
        sendAtOf(request.schedule, { horizon: true });
      },
    },
  );
}

/** Sleeps on a durable timer until the send time (a reschedule or a cancel wakes it), refreshes the recipients if asked, and starts sending. */
export async function waitForSendTime(s: SendingContext): Promise<void> {
  const { status } = s;
  while (status.state === 'scheduled' && status.cancellation === null) {
    const version = s.stateVersion;
    const waitMs = (status.sendAtMs ?? 0) - Date.now();
    if (waitMs <= 0) break;
    await condition(() => s.stateVersion !== version || status.cancellation !== null, waitMs);
  }
  if (status.state !== 'scheduled' || status.cancellation !== null) return;
  try {
    await s.exclusive(
      async () => {
        if (status.state !== 'scheduled') return;
        if (status.prepared!.refreshAtSend) {
          status.refresh = await preparation.refreshSnapshot(s.id, status.selection!, listPlaceholders(status.prepared!.message));
          await s.audit('refreshed', 'system', { ...status.refresh });
        }
        s.setState('sending');
      },
      { cancellable: true },
    );
  } catch (err) {
    if (status.cancellation !== null || isCancellation(err)) return;
    await s.fail(err);
  }
}
