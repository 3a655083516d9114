/** Select, count and prepare: the builder's steps before approval. */
import { setHandler } from '@temporalio/workflow';
import { approvalHashOf } from '../../domain/approval-hash';
import { INPUT_LIMITS } from '../../domain/input-limits';
import { checkHorizon, resolveSendAt } from '../../domain/schedule';
import { listPlaceholders, validateMessageText } from '../../domain/template';
import { countUpdate, prepareUpdate, selectUpdate, type Schedule } from '../messages';
import { directory, preparation } from './activities';
import { refuse, type SendingContext } from './context';
import { dropApproval } from './governance';
import { checkActor, checkGroups, checkInputObject, checkOptionalBoolean, checkScheduleShape, checkText } from './input-checks';

/** `horizon`: also refuse a time more than a year ahead (validators only: handlers replay what was accepted before it existed). */
export function sendAtOf(schedule: Schedule, options: { horizon?: boolean } = {}): number | null {
  try {
    const now = Date.now();
    const resolved = resolveSendAt(schedule, now);
    if (options.horizon) checkHorizon(schedule, resolved, now);
    return resolved.sendAtMs;
  } catch (err) {
    throw refuse((err as Error).message, 'InvalidSchedule');
  }
}

/** The fingerprint of what is to be approved. */
export function hashOfPrepared(s: SendingContext): string {
  const p = s.status.prepared!;
  return approvalHashOf({
    selection: s.status.selection!,
    message: p.message,
    senderId: p.senderId,
    schedule: p.schedule,
    refreshAtSend: p.refreshAtSend,
    contentDigest: p.contentDigest,
  });
}

export function registerPreparationHandlers(s: SendingContext): void {
  const { status, id } = s;
  const requireSelection = (): void => {
    if (!status.selection) throw refuse(`Sending ${id} has no recipients selected yet: select recipients first.`, 'InvalidState');
  };

  setHandler(
    selectUpdate,
    (selection) =>
      s.exclusive(
        async () => {
          s.requireAllowed('select', 'select recipients for');
          const { actor, established, ...chosen } = selection;
          const count = await directory.registerSelection(id, chosen, actor);
          await s.audit(
            'selected',
            actor,
            {
              audience: chosen.audience,
              groups: chosen.groups,
              duplicatePolicy: chosen.duplicatePolicy,
              voidedPreparation: status.state !== 'draft',
            },
            established,
          );
          status.lastCount = count;
          status.selection = chosen;
          status.prepared = null;
          status.approvalHash = null;
          dropApproval(s);
          s.setState('draft');
          return status;
        },
        { cancellable: true },
      ),
    {
      validator: (selection) => {
        const input = checkInputObject(selection, 'select', ['actor', 'projectId', 'audience', 'groups', 'duplicatePolicy']);
        checkActor(input);
        checkText(input, 'projectId', {
          max: INPUT_LIMITS.name,
          required: true,
          name: true,
          hint: 'pick the project whose contacts receive the SMS',
        });
        if (input.groups !== undefined) checkGroups(input.groups);
        s.requireAllowed('select', 'select recipients for');
        if (selection.audience !== 'all' && selection.audience !== 'groups')
          throw refuse('"audience" must be "all" or "groups".', 'InvalidInput');
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
    ({ actor, established }) =>
      s.exclusive(
        async () => {
          s.requireAllowed('count', 'count');
          const count = await directory.countAudience(status.selection!);
          await s.audit('counted', actor, { ...count }, established);
          status.lastCount = count;
          return count;
        },
        { cancellable: true },
      ),
    {
      validator: (request) => {
        checkActor(checkInputObject(request, 'count', ['actor']));
        s.requireAllowed('count', 'count');
        requireSelection();
      },
    },
  );

  setHandler(
    prepareUpdate,
    (request) =>
      s.exclusive(
        async () => {
          s.requireAllowed('prepare', 'prepare');
          const sendAtMs = sendAtOf(request.schedule);
          const refreshAtSend = request.schedule.mode === 'later' && request.refreshAtSend === true;
          // The values of the message's fields are frozen per recipient: what is approved is what is sent.
          const summary = await preparation.prepareSnapshot(id, status.selection!, listPlaceholders(request.message));
          const senderId = request.senderId ?? null;
          const validation = await preparation.validateSending({
            sendingId: id,
            projectId: status.selection!.projectId,
            message: request.message,
            senderId,
            sendAtMs,
          });
          const { report } = validation;
          if (report.blocking) {
            await s.audit(
              'prepare_refused',
              request.actor,
              { failed: report.points.filter((p) => p.level === 'fail').map((p) => p.code) },
              request.established,
            );
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
            contentDigest: validation.contentDigest,
          };
          status.approvalHash = hashOfPrepared(s);
          await s.audit(
            'prepared',
            request.actor,
            {
              schedule: request.schedule,
              sendAtMs,
              refreshAtSend,
              messages: status.prepared.summary.messages,
              warnings: report.points.filter((p) => p.level === 'warn').map((p) => p.code),
              hash: status.approvalHash,
              voidedApprovals: status.approvals.length,
            },
            request.established,
          );
          dropApproval(s);
          s.setState('prepared');
          return status;
        },
        { cancellable: true },
      ),
    {
      validator: (request) => {
        const input = checkInputObject(request, 'prepare', ['actor', 'message', 'senderId', 'schedule', 'refreshAtSend']);
        checkActor(input);
        checkText(input, 'message', { max: INPUT_LIMITS.message, anyCharacter: true });
        checkText(input, 'senderId', { max: INPUT_LIMITS.senderId, name: true });
        checkScheduleShape(input.schedule);
        checkOptionalBoolean(input, 'refreshAtSend');
        s.requireAllowed('prepare', 'prepare');
        requireSelection();
        try {
          validateMessageText(request.message);
        } catch (err) {
          throw refuse((err as Error).message, 'InvalidInput');
        }
        if (request.refreshAtSend && request.schedule?.mode !== 'later') {
          throw refuse('"refreshAtSend" applies to later sends only: choose a later schedule or turn it off.', 'InvalidInput');
        }
        sendAtOf(request.schedule, { horizon: true });
      },
    },
  );
}
