/**
 * The operator's controls: cancel, pause, resume and retry. Cancel and pause bite at once: the dispatch
 * stop is written to the directory before anything else, so no message starts after it, and the batch in
 * flight is cancelled; the update answers once the messages in flight have settled.
 */
import { condition, patched, setHandler } from '@temporalio/workflow';
import { cancelUpdate, pauseUpdate, resumeUpdate, retryRecipientsUpdate, type RetryRecipientsInput } from '../messages';
import { directory } from './activities';
import { iso, refuse, type SendingContext } from './context';
import { checkActor, checkInputObject, checkOptionalBoolean, checkReason } from './input-checks';

const dispatching = (s: SendingContext): boolean => s.status.state === 'sending' || s.status.state === 'paused';

/** A pause or resume that arrives while a cancel is being carried out would undo its stop (chaos round, CI 2026-11-29). */
export const REFUSED_WHILE_CANCELLING = 'pause-and-resume-refused-while-cancelling';

function refuseWhileCancelling(s: SendingContext, verb: string): void {
  if (s.status.cancellation)
    throw refuse(`Cannot ${verb} sending ${s.id}: it is being cancelled (by ${s.status.cancellation.actor}).`, 'InvalidState');
}

export function registerControlHandlers(s: SendingContext): void {
  const { status, id } = s;

  setHandler(
    cancelUpdate,
    async (request) => {
      // Cancel goes first: a prepare or a count in progress is cancelled instead of being waited for.
      s.cancelWorkInProgress();
      const stopsDispatch = await s.exclusive(async () => {
        s.requireAllowed('cancel', 'cancel');
        const during = status.state;
        const now = Date.now();
        if (dispatching(s)) await directory.stopDispatch(id, { kind: 'cancelled', reason: request.reason, atMs: now });
        await s.audit('cancel_requested', request.actor, { reason: request.reason, during }, request.established);
        status.cancellation = { actor: request.actor, reason: request.reason, atMs: now };
        if (!dispatching(s)) {
          s.setState('cancelled');
          return false;
        }
        s.batchScope?.cancel();
        return true;
      });
      // Sending or paused: the dispatch loop settles the messages in flight, then the sending is cancelled.
      if (stopsDispatch) await condition(() => s.isTerminal());
      return status;
    },
    {
      validator: (request) => {
        const input = checkInputObject(request, 'cancel', ['actor', 'reason']);
        checkActor(input);
        checkReason(input, 'cancel');
        s.requireAllowed('cancel', 'cancel');
      },
    },
  );

  setHandler(
    pauseUpdate,
    async (request) => {
      await s.exclusive(async () => {
        s.requireAllowed('pause', 'pause');
        if (patched(REFUSED_WHILE_CANCELLING)) refuseWhileCancelling(s, 'pause');
        const now = Date.now();
        const { maxPausedMs } = await directory.stopDispatch(id, { kind: 'paused', reason: request.reason, atMs: now });
        await s.audit('pause_requested', request.actor, { reason: request.reason }, request.established);
        status.pause = { by: request.actor, automatic: false, reason: request.reason, atMs: now, expiresAtMs: now + maxPausedMs };
        s.batchScope?.cancel();
      });
      await condition(() => status.state !== 'sending');
      return status;
    },
    {
      validator: (request) => {
        const input = checkInputObject(request, 'pause', ['actor', 'reason']);
        checkActor(input);
        checkReason(input, 'pause');
        s.requireAllowed('pause', 'pause');
        refuseWhileCancelling(s, 'pause');
      },
    },
  );

  setHandler(
    resumeUpdate,
    ({ actor, established }) =>
      s.exclusive(async () => {
        s.requireAllowed('resume', 'resume');
        if (patched(REFUSED_WHILE_CANCELLING)) refuseWhileCancelling(s, 'resume');
        await directory.resumeDispatch(id);
        const pause = status.pause;
        await s.audit(
          'resumed',
          actor,
          { pausedBy: pause?.by, reason: pause?.reason, pausedMs: pause ? Date.now() - pause.atMs : null },
          established,
        );
        status.pause = null;
        status.backoff = null;
        s.setState('sending');
        return status;
      }),
    {
      validator: (request) => {
        checkActor(checkInputObject(request, 'resume', ['actor']));
        s.requireAllowed('resume', 'resume');
        refuseWhileCancelling(s, 'resume');
      },
    },
  );

  const validateRetry = (request: RetryRecipientsInput): void => {
    s.requireAllowed('retryRecipients', 'retry recipients of');
    const include = request.include;
    if (!Array.isArray(include) || include.length === 0 || include.some((x) => x !== 'failed' && x !== 'unknown')) {
      throw refuse('"include" must list "failed" and/or "unknown": which recipients to send again.', 'InvalidInput');
    }
    if (include.includes('unknown') && request.confirmPossibleDuplicates !== true) {
      throw refuse(
        `Recipients marked unknown may already have the message (the provider took the request but its answer was lost): sending again may give them a second copy. ` +
          `Check the provider's log first; to send again anyway, confirm with "confirmPossibleDuplicates" (CLI: --confirm-possible-duplicates).`,
        'ConfirmationRequired',
      );
    }
    if (status.state === 'completed' && (status.retryUntilMs ?? 0) < Date.now()) {
      throw refuse(
        `Sending ${id} completed and its retry window closed${status.retryUntilMs ? ` at ${iso(status.retryUntilMs)}` : ''}: prepare a new sending for these recipients.`,
        'RetryWindowClosed',
      );
    }
  };

  setHandler(
    retryRecipientsUpdate,
    (request) =>
      s.exclusive(async () => {
        validateRetry(request);
        const reset = await directory.resetForRetry(id, request.include);
        await s.audit(
          'retry_requested',
          request.actor,
          { include: request.include, failed: reset.failed, unknown: reset.unknown, possibleDuplicates: reset.unknown },
          request.established,
        );
        const p = status.progress;
        p.failed -= reset.failed;
        p.unknown -= reset.unknown;
        p.pending = (p.pending ?? 0) + reset.failed + reset.unknown;
        if (status.state === 'completed' && reset.failed + reset.unknown > 0) {
          status.retryUntilMs = null;
          s.setState('sending');
        }
        return status;
      }),
    {
      validator: (request) => {
        const input = checkInputObject(request, 'retryRecipients', ['actor', 'include', 'confirmPossibleDuplicates']);
        checkActor(input);
        checkOptionalBoolean(input, 'confirmPossibleDuplicates');
        validateRetry(request);
      },
    },
  );
}
