/**
 * One workflow per sending (`sms-sending-<id>`). The handlers live by concern in ./sending/ (preparation,
 * governance, schedule, control, dispatch); the states and their transitions in domain/sending-transitions.ts.
 * The main path: wait for an approved send request, then for the send time, then send; a completed
 * sending stays open for a retry of its failed or unknown recipients until its retry window closes.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler } from '@temporalio/workflow';
import { statusQuery, type SendingStatus, type SendingWorkflowInput } from './messages';
import { SendingContext } from './sending/context';
import { registerControlHandlers } from './sending/control';
import { runDispatch, stopRequested } from './sending/dispatch';
import { registerGovernanceHandlers, waitForSendRequest } from './sending/governance';
import { registerPreparationHandlers } from './sending/preparation';
import { registerScheduleHandlers, waitForSendTime } from './sending/schedule';

export { DEFAULT_TUNING } from './sending/context';

export async function smsSendingWorkflow(input: SendingWorkflowInput): Promise<SendingStatus> {
  const s = new SendingContext(input);
  const { status } = s;

  setHandler(statusQuery, () => status);
  registerPreparationHandlers(s);
  registerGovernanceHandlers(s);
  registerScheduleHandlers(s);
  registerControlHandlers(s);

  s.setState(status.state);

  for (;;) {
    await waitForSendRequest(s);
    if (s.isTerminal() && status.state !== 'completed') break;
    await waitForSendTime(s);
    if (status.state === 'sending' || status.state === 'paused') {
      if ((await runDispatch(s)) === 'continueAsNew') {
        // A pause or a cancel waits for the dispatch loop to act on it: the loop goes on instead of continuing as new.
        await condition(() => (allHandlersFinished() && !s.busy) || stopRequested(s));
        if (!stopRequested(s))
          return await continueAsNew<typeof smsSendingWorkflow>({
            sendingId: s.id,
            createdBy: status.createdBy,
            tuning: s.tuning,
            carried: status,
          });
        continue;
      }
    }
    if (status.state === 'completed' && status.retryUntilMs) {
      // A retry of failed or unknown recipients sends again; the window closing ends the workflow.
      if (await condition(() => status.state !== 'completed', Math.max(1, status.retryUntilMs - Date.now()))) continue;
      status.retryUntilMs = null;
      break;
    }
    if (s.isTerminal()) break;
    // A reschedule voided the approval: wait for the next one.
  }

  await condition(() => allHandlersFinished() && !s.busy);
  return status;
}
