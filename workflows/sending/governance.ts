/** Approval: the request and its expiry, approvals by distinct people bound to the hash, rejection. */
import { condition, patched, setHandler } from '@temporalio/workflow';
import { canonicalIdentity, samePerson } from '../../domain/identity';
import { INPUT_LIMITS } from '../../domain/input-limits';
import {
  approveSignal,
  approveUpdate,
  PROOF_SENDS_PER_APPROVER,
  proofSendUpdate,
  rejectSignal,
  rejectUpdate,
  requestApprovalUpdate,
  type ApproveInput,
  type IdentityEstablished,
  type ProofSendInput,
  type RejectInput,
  type SendingStatus,
} from '../messages';
import { directory } from './activities';
import { HOUR_MS, iso, refuse, requireActor, requireReason, type SendingContext } from './context';
import { ESTABLISHED, checkActor, checkInputObject, checkReason, checkText, isPlainName } from './input-checks';

/** Signals replay: the input checks apply to approve/reject signals sent after they were introduced. */
const SIGNAL_INPUT_CHECKS = 'signal-input-checks';

const APPROVAL_HASH = /^[0-9a-f]{64}$/;

function checkApproveInput(decision: unknown): void {
  const input = checkInputObject(decision, 'approve', ['approver', 'comment', 'hash']);
  checkActor(input, 'approver');
  checkText(input, 'comment', { max: INPUT_LIMITS.comment });
  if (input.hash !== undefined && (typeof input.hash !== 'string' || !APPROVAL_HASH.test(input.hash))) {
    throw refuse(
      `"hash" must be the 64 hexadecimal characters of the approval hash you reviewed (status.approvalHash), got ${JSON.stringify(input.hash).slice(0, 80)}.`,
      'InvalidInput',
    );
  }
}

function checkRejectInput(decision: unknown): void {
  const input = checkInputObject(decision, 'reject', ['approver', 'reason']);
  checkActor(input, 'approver');
  checkReason(input, 'reject');
}

/** Who the audit log names for a refused signal: the approver when it is a plain name. */
const signalActor = (approver: unknown): string => (isPlainName(approver) ? approver : 'unknown');

/** A new approval round: earlier approvals no longer count; it expires per the project, at the latest at the send time. */
export function openApprovalRequest(s: SendingContext, requestedBy: string): void {
  const { status } = s;
  const now = Date.now();
  const expiry = now + Math.round(status.prepared!.approvalRules.expiresAfterHours * HOUR_MS);
  const sendAt = status.prepared!.sendAtMs;
  status.approvals = [];
  status.approval = null;
  status.proofSends = {};
  status.approvalRequest = {
    requestedBy,
    atMs: now,
    expiresAtMs: sendAt === null ? expiry : Math.min(expiry, sendAt),
    hash: status.approvalHash!,
    expiredAtMs: null,
  };
}

export function dropApproval(s: SendingContext): void {
  s.status.proofSends = {};
  s.status.approvals = [];
  s.status.approval = null;
  s.status.approvalRequest = null;
}

export function registerGovernanceHandlers(s: SendingContext): void {
  const { status, id } = s;

  setHandler(
    requestApprovalUpdate,
    ({ actor, established }) =>
      s.exclusive(async () => {
        s.requireAllowed('requestApproval', 'request approval for');
        openApprovalRequest(s, actor);
        const request = status.approvalRequest!;
        await s.audit(
          'approval_requested',
          actor,
          { hash: request.hash, expiresAtMs: request.expiresAtMs, approvalsRequired: status.prepared!.approvalRules.approvalsRequired },
          established,
        );
        s.setState('awaiting_approval');
        return status;
      }),
    {
      validator: (input) => {
        checkActor(checkInputObject(input, 'requestApproval', ['actor']));
        s.requireAllowed('requestApproval', 'request approval for');
        const sendAt = status.prepared!.sendAtMs;
        if (sendAt !== null && sendAt <= Date.now()) {
          throw refuse(
            `The scheduled time of sending ${id} (${iso(sendAt)}) has passed: reschedule it before requesting approval.`,
            'SchedulePassed',
          );
        }
      },
    },
  );

  const validateApprove = (decision: ApproveInput): void => {
    if (status.state === 'prepared') {
      const expired = status.approvalRequest?.expiredAtMs;
      throw refuse(
        expired
          ? `The approval request of sending ${id} expired at ${iso(expired)}; an expired request cannot be approved. Request approval again.`
          : `No approval has been requested for sending ${id}: request approval first.`,
        expired ? 'ApprovalExpired' : 'InvalidState',
      );
    }
    s.requireAllowed('approve', 'approve');
    requireActor(decision?.approver, 'approver');
    const request = status.approvalRequest!;
    if (Date.now() >= request.expiresAtMs) {
      throw refuse(
        `The approval request of sending ${id} expired at ${iso(request.expiresAtMs)}; an expired request cannot be approved. Request approval again.`,
        'ApprovalExpired',
      );
    }
    if (decision.hash !== undefined && decision.hash !== status.approvalHash) {
      throw refuse(
        `Sending ${id} changed after you saw it (approval hash ${decision.hash.slice(0, 12)}… is now ${status.approvalHash!.slice(0, 12)}…): review it again before approving.`,
        'ApprovalOutdated',
      );
    }
    const rules = status.prepared!.approvalRules;
    if (rules.requireNamedApprovers) {
      const approvers = rules.approvers ?? [];
      if (!approvers.some((a) => samePerson(a.email, decision.approver))) {
        throw refuse(
          `${decision.approver.trim()} is not one of the approvers of this project (${approvers.map((a) => a.email).join(', ')}): only they can approve sending ${id}.`,
          'NotAnApprover',
        );
      }
      if (decision.established !== 'signedLink') {
        throw refuse(
          `Sending ${id} takes approvals only through the link sent to each approver (project setting compliance.approval.requireNamedApprovers): approve from your link.`,
          'SignedLinkRequired',
        );
      }
    }
    if (!rules.allowSelfApproval && samePerson(decision.approver, status.prepared!.preparedBy)) {
      throw refuse(
        `${decision.approver.trim()} prepared sending ${id} and cannot approve it too: another person must approve it (project setting compliance.approval.allowSelfApproval is off).`,
        'SelfApproval',
      );
    }
    if (status.approvals.some((a) => samePerson(a.approver, decision.approver))) {
      throw refuse(
        `${decision.approver.trim()} has already approved sending ${id}; ${rules.approvalsRequired} different approvers are needed.`,
        'AlreadyApproved',
      );
    }
  };
  const approve = (decision: ApproveInput): Promise<SendingStatus> =>
    s.exclusive(async () => {
      validateApprove(decision);
      const record = {
        approver: decision.approver,
        established: decision.established ?? 'selfDeclared',
        atMs: Date.now(),
        hash: status.approvalHash!,
        ...(decision.comment ? { comment: decision.comment } : {}),
      };
      const required = status.prepared!.approvalRules.approvalsRequired;
      await s.audit(
        'approved',
        decision.approver,
        {
          hash: record.hash,
          approval: status.approvals.length + 1,
          of: required,
          ...(decision.comment ? { comment: decision.comment } : {}),
        },
        decision.established,
      );
      status.approvals.push(record);
      if (status.approvals.length >= required) {
        status.approval = record;
        s.setState('approved');
      }
      return status;
    });
  const validateReject = (decision: RejectInput): void => {
    s.requireAllowed('reject', 'reject');
    requireActor(decision?.approver, 'approver');
    requireReason(decision.reason, 'reject');
  };
  const reject = (decision: RejectInput): Promise<SendingStatus> =>
    s.exclusive(async () => {
      validateReject(decision);
      await s.audit('rejected', decision.approver, { reason: decision.reason, hash: status.approvalHash }, decision.established);
      status.rejection = { approver: decision.approver, reason: decision.reason, atMs: Date.now() };
      s.setState('rejected');
      return status;
    });

  setHandler(approveUpdate, approve, {
    validator: (d) => {
      checkApproveInput(d);
      validateApprove(d);
    },
  });
  setHandler(rejectUpdate, reject, {
    validator: (d) => {
      checkRejectInput(d);
      validateReject(d);
    },
  });
  // Signals cannot answer their sender, so a refused one is written to the audit log instead.
  const viaSignal =
    <T extends { approver?: string; established?: IdentityEstablished }>(
      checkInput: (d: unknown) => void,
      validate: (d: T) => void,
      apply: (d: T) => Promise<SendingStatus>,
      action: string,
    ) =>
    async (decision: T): Promise<void> => {
      await condition(() => !s.busy);
      const checked = patched(SIGNAL_INPUT_CHECKS);
      const refused = (err: unknown) =>
        checked
          ? s.audit(
              `${action}_signal_refused`,
              signalActor(decision?.approver),
              { error: (err as Error).message },
              ESTABLISHED.includes(decision?.established as IdentityEstablished) ? decision.established : undefined,
            )
          : s.audit(`${action}_signal_refused`, decision?.approver || 'unknown', { error: (err as Error).message }, decision?.established);
      try {
        if (checked) checkInput(decision);
        validate(decision);
      } catch (err) {
        await refused(err);
        return;
      }
      // Checked again once it runs: another change may have come first.
      await apply(decision).catch(refused);
    };
  const validateProofSend = (input: ProofSendInput): void => {
    s.requireAllowed('proofSend', 'proof-send');
    const rules = status.prepared!.approvalRules;
    if (!(rules.approvers ?? []).some((a) => samePerson(a.email, input.approver))) {
      throw refuse(
        `${input.approver.trim()} is not one of the approvers of this project: proof sends go only to a named approver's phone.`,
        'NotAnApprover',
      );
    }
    if ((status.proofSends?.[canonicalIdentity(input.approver)] ?? 0) >= PROOF_SENDS_PER_APPROVER) {
      throw refuse(
        `${input.approver.trim()} has had the ${PROOF_SENDS_PER_APPROVER} proof sends of this approval round.`,
        'ProofSendLimit',
      );
    }
  };
  setHandler(
    proofSendUpdate,
    (input) =>
      s.exclusive(async () => {
        validateProofSend(input);
        const key = canonicalIdentity(input.approver);
        const used = status.proofSends?.[key] ?? 0;
        const p = status.prepared!;
        const sent = await directory.proofSend({
          sendingId: id,
          projectId: status.selection!.projectId,
          approver: input.approver,
          message: p.message,
          senderId: p.senderId,
          number: used + 1,
        });
        status.proofSends = { ...status.proofSends, [key]: used + 1 };
        await s.audit('proof_sent', input.approver, { sentTo: sent.sentTo, sampleSeq: sent.sampleSeq, test: true }, input.established);
        return { ...sent, left: PROOF_SENDS_PER_APPROVER - used - 1 };
      }),
    {
      validator: (input) => {
        checkActor(checkInputObject(input, 'proofSend', ['approver']), 'approver');
        validateProofSend(input);
      },
    },
  );

  setHandler(approveSignal, viaSignal(checkApproveInput, validateApprove, approve, 'approve'));
  setHandler(rejectSignal, viaSignal(checkRejectInput, validateReject, reject, 'reject'));
}

/** Waits for a send request; a pending approval request expires meanwhile (back to prepared). */
export async function waitForSendRequest(s: SendingContext): Promise<void> {
  const { status } = s;
  while (!s.sendRequested && !s.isTerminal()) {
    const version = s.stateVersion;
    const changed = () => s.sendRequested || s.isTerminal() || s.stateVersion !== version;
    const request = status.state === 'awaiting_approval' ? status.approvalRequest : null;
    if (!request) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, Math.max(1, request.expiresAtMs - Date.now()))) continue;
    await s.exclusive(async () => {
      if (status.state === 'awaiting_approval' && s.stateVersion === version) {
        request.expiredAtMs = Date.now();
        await s.audit('approval_expired', 'system', {
          hash: request.hash,
          requestedAtMs: request.atMs,
          approvals: status.approvals.length,
        });
        status.approvals = [];
        s.setState('prepared');
      }
    });
  }
}
