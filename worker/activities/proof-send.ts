/**
 * A proof send: the prepared message, rendered for the sending's first recipient, to a named approver's own
 * phone through the sending's provider — marked as a test, outside the sending's counts and its snapshot.
 * The phone comes from the project's settings in the directory; only a masked form goes back to the workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import { samePerson } from '../../domain/identity';
import { maskE164 } from '../../domain/mask-numbers';
import { renderMessage } from '../../domain/template';
import { ProviderAccountError, ProviderConfigError, RetryableProviderError } from '../providers/provider';
import type { ProjectStore, SnapshotStore } from '../directory/roles';
import type { ActivityDeps } from './index';

export interface ProofSendRequest {
  sendingId: string;
  projectId: string;
  approver: string;
  message: string;
  senderId: string | null;
  /** The approver's how-many-th proof send of this round: part of its idempotency key. */
  number: number;
}

export type ProofSendDeps = Pick<ActivityDeps, 'provider' | 'limiter'> & { directory: ProjectStore & SnapshotStore };

export const PROOF_PREFIX = '[TEST] ';

const refuse = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type);

export async function proofSend(deps: ProofSendDeps, request: ProofSendRequest): Promise<{ sentTo: string; sampleSeq: number }> {
  const project = await deps.directory.getProject(request.projectId);
  if (!project) throw refuse(`Project "${request.projectId}" no longer exists.`, 'DirectoryInputError');
  const approver = project.compliance.approval.approvers.find((a) => samePerson(a.email, request.approver));
  if (!approver) throw refuse(`${request.approver} is not one of the approvers of project "${project.id}".`, 'NotAnApprover');
  if (!approver.phone) {
    throw refuse(
      `${approver.email} has no phone in the project's settings: add it (compliance.approval.approvers[].phone, E.164) to receive proof sends.`,
      'NoApproverPhone',
    );
  }
  const [sample] = await deps.directory.readSnapshot(request.sendingId, 0, 1);
  if (!sample) throw refuse(`Sending "${request.sendingId}" has no recipient to render the message for.`, 'DirectoryInputError');
  const body = PROOF_PREFIX + renderMessage(request.message, sample.frozenFields ?? sample.fields).body;
  await deps.limiter.acquire(request.sendingId);
  try {
    const result = await deps.provider.send({
      to: approver.phone,
      from: request.senderId ?? project.senderId ?? null,
      body,
      idempotencyKey: `proof:${request.sendingId}:${approver.email.toLowerCase()}:${request.number}`,
      sendingId: request.sendingId,
      // Outside the snapshot's positions (1..n): the outbox keeps proofs apart from the sending's messages.
      seq: -request.number,
    });
    if (result.status === 'rejected') throw refuse(`The provider refused the proof send: ${result.reason}`, 'ProofSendRefused');
  } catch (err) {
    if (err instanceof RetryableProviderError || err instanceof ProviderAccountError || err instanceof ProviderConfigError) {
      throw refuse(`The proof send did not go: ${err.message}`, 'ProofSendFailed');
    }
    throw err;
  }
  return { sentTo: maskE164(approver.phone), sampleSeq: sample.seq };
}
