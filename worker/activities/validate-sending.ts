import { createHash } from 'node:crypto';
import type { ApprovalSettings } from '../../domain/compliance/settings';
import { renderMessage } from '../../domain/template';
import type { PolicyExclusionReason } from '../../domain/types';
import { addRecipient, emptyStats } from '../../domain/validation/message-stats';
import { evaluateSending } from '../../domain/validation/evaluate';
import type { ValidationReport } from '../../domain/validation/report';
import type { DispatchLedger, ProjectStore, SendingStore, SnapshotStore } from '../directory/roles';
import { DirectoryInputError } from '../directory/errors';
import { createRecipientRules } from './recipient-rules';

/**
 * Snapshot rows per read. Smaller pages let a page's rows die young in V8 instead of being promoted
 * and piling up until a full collection (the prepare benchmark: 5000 → 2000 cut the peak growth at
 * 1M recipients); larger ones cost fewer round trips to PostgreSQL.
 */
const PAGE = 2000;

export interface ValidateSendingRequest {
  sendingId: string;
  projectId: string;
  message: string;
  senderId: string | null;
  /** When the sending starts (null: now); quiet hours are judged at that instant. */
  sendAtMs: number | null;
}

export interface SendingValidation {
  report: ValidationReport;
  /** Recipients the project's rules took out of the snapshot (marked skipped). */
  policyExcluded: Record<PolicyExclusionReason, number>;
  /** The project's approval rules, fixed for this preparation. */
  approval: ApprovalSettings;
  /** SHA-256 over every recipient's seq, number and personalized message, in seq order: what the approval binds to. */
  contentDigest: string;
}

export type ValidationDirectory = ProjectStore & SnapshotStore & Pick<DispatchLedger, 'skipRecipients'> & SendingStore;

/**
 * Reads the snapshot page by page: takes out the recipients the project's rules exclude, then
 * personalizes each message and gathers the facts the validation points judge.
 */
export async function validateSending(
  directory: ValidationDirectory,
  request: ValidateSendingRequest,
  onPage: (recipientsSoFar: number) => void = () => undefined,
): Promise<SendingValidation> {
  const project = await directory.getProject(request.projectId);
  if (!project) throw new DirectoryInputError(`Unknown project "${request.projectId}".`);
  const rules = createRecipientRules(project);
  const stats = emptyStats();
  const digest = createHash('sha256');
  const atMs = request.sendAtMs ?? Date.now();
  for (let after = 0; ; ) {
    onPage(stats.recipients);
    const rows = await directory.readSnapshot(request.sendingId, after, PAGE);
    const excluded = new Map<string, number[]>();
    for (const row of rows) {
      if (row.state === 'skipped') continue;
      const facts = rules.facts(row);
      const exclusion = rules.exclusion(facts);
      if (exclusion) {
        const seqs = excluded.get(exclusion);
        if (seqs) seqs.push(row.seq);
        else excluded.set(exclusion, [row.seq]);
        stats.excluded[exclusion] = (stats.excluded[exclusion] ?? 0) + 1;
        continue;
      }
      const { body, missing } = renderMessage(request.message, row.frozenFields ?? row.fields);
      digest.update(`${row.seq}\u0000${row.e164}\u0000${body}\u0001`);
      addRecipient(stats, { contactId: row.externalId ?? row.contactId, body, missing, facts, heldUntilMs: rules.heldUntil(row, atMs) });
    }
    for (const [reason, seqs] of excluded) await directory.skipRecipients(request.sendingId, seqs, reason);
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].seq;
  }
  const report = evaluateSending({
    message: request.message,
    senderId: request.senderId ?? project.senderId,
    stats,
    compliance: project.compliance,
    atMs,
  });
  const policyExcluded: Record<PolicyExclusionReason, number> = { countryNotAllowed: 0, numberType: 0 };
  for (const [reason, n] of Object.entries(stats.excluded)) policyExcluded[reason.split(':')[0] as PolicyExclusionReason] += n;
  await directory.recordPreparedMessage(request.sendingId, request.message);
  // Approvers' phones (proof sends) stay in the directory: what goes to the workflow is in Temporal's history.
  const approval = {
    ...project.compliance.approval,
    approvers: project.compliance.approval.approvers.map(({ email, name, phone }) => ({ email, name, hasPhone: phone !== undefined })),
  };
  return { report, policyExcluded, approval, contentDigest: digest.digest('hex') };
}
