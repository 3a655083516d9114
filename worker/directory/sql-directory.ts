/** The Directory on a SqlStore: each method delegates to the module that owns its tables. */
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import { countAudience } from './audience';
import { contactFieldNames, deleteContact, setContactActive, setMemberships, upsertContactBatches, upsertContacts } from './contacts';
import type {
  AuditEntry,
  AuditRecord,
  ContactInput,
  Directory,
  Claim,
  ClaimOutcome,
  DispatchCheck,
  DispatchStop,
  GroupSummary,
  HeldSummary,
  InboundKeyword,
  InboundKeywordOutcome,
  InFlight,
  OutboxMessage,
  ProgressCounts,
  Project,
  ProjectInput,
  RecipientRef,
  RefreshResult,
  SendingRecord,
  SnapshotRow,
  SnapshotSummary,
} from './directory';
import {
  abandonClaim,
  abandonExpiredClaims,
  checkDispatch,
  claimDispatch,
  dispatchStopOf,
  heldSummary,
  holdRecipient,
  inFlight,
  pausedSendings,
  progress,
  releaseClaim,
  endClaimInDoubt,
  renewClaim,
  resetForRetry,
  resumeDispatch,
  settleClaim,
  skipRecipient,
  skipRecipients,
  stopDispatch,
  takeOverClaim,
} from './dispatch';
import {
  countDeliveryFailures,
  deliverySummary,
  readDeliveryReport,
  recordDelivery,
  type DeliveryReceipt,
  type DeliveryRecorded,
  type DeliveryReportRow,
  type DeliverySummary,
} from './deliveries';
import { readEvents, type EventQuery, type EventRecord } from './events';
import { listGroups } from './groups';
import { listOptOuts, type KillListEntry } from './kill-list';
import { applyInboundKeyword } from './inbound-messages';
import { migrate } from './migrations';
import { addOptOut, removeOptOut } from './opt-outs';
import { getProject, listProjects, requireProject, upsertProject } from './projects';
import { audit, createSending, getSending, preparedMessage, readAudit, readOutbox, recordPreparedMessage, writeOutbox } from './sendings';
import { prepareSnapshot, readDueHeld, readPendingUpTo, readSnapshot, refreshSnapshot } from './snapshot';
import type { SqlStore } from './sql-store';

export class SqlDirectory implements Directory {
  readonly kind: 'sqlite' | 'postgres';

  constructor(private readonly db: SqlStore) {
    this.kind = db.dialect;
  }

  migrate(): Promise<void> {
    return migrate(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  upsertProject(project: ProjectInput): Promise<Project> {
    return upsertProject(this.db, project);
  }

  getProject(id: string): Promise<Project | undefined> {
    return getProject(this.db, id);
  }

  listProjects(): Promise<Project[]> {
    return listProjects(this.db);
  }

  upsertContacts(projectId: string, contacts: ContactInput[]): Promise<{ inserted: number; updated: number }> {
    return upsertContacts(this.db, projectId, contacts);
  }

  upsertContactBatches(projectId: string, batches: AsyncIterable<ContactInput[]>): Promise<{ inserted: number; updated: number }> {
    return upsertContactBatches(this.db, projectId, batches);
  }

  setContactActive(projectId: string, externalId: string, active: boolean): Promise<void> {
    return setContactActive(this.db, projectId, externalId, active);
  }

  setMemberships(projectId: string, externalId: string, groups: string[]): Promise<void> {
    return setMemberships(this.db, projectId, externalId, groups);
  }

  deleteContact(projectId: string, externalId: string): Promise<boolean> {
    return deleteContact(this.db, projectId, externalId);
  }

  contactFieldNames(projectId: string): Promise<string[]> {
    return contactFieldNames(this.db, projectId);
  }

  async listGroups(projectId: string): Promise<GroupSummary[]> {
    await requireProject(this.db, projectId);
    return listGroups(this.db, projectId);
  }

  addOptOut(projectId: string, number: string, source: string): Promise<boolean> {
    return addOptOut(this.db, projectId, number, source);
  }

  removeOptOut(projectId: string, number: string): Promise<void> {
    return removeOptOut(this.db, projectId, number);
  }

  applyInboundKeyword(projectId: string, message: InboundKeyword): Promise<InboundKeywordOutcome> {
    return applyInboundKeyword(this.db, projectId, message);
  }

  countAudience(selection: AudienceSelection): Promise<AudienceCount> {
    return countAudience(this.db, selection);
  }

  createSending(record: SendingRecord): Promise<void> {
    return createSending(this.db, record);
  }

  getSending(id: string): Promise<SendingRecord | undefined> {
    return getSending(this.db, id);
  }

  recordPreparedMessage(sendingId: string, message: string): Promise<void> {
    return recordPreparedMessage(this.db, sendingId, message);
  }

  preparedMessage(sendingId: string): Promise<string | null> {
    return preparedMessage(this.db, sendingId);
  }

  prepareSnapshot(sendingId: string, selection: AudienceSelection, fields?: readonly string[]): Promise<SnapshotSummary> {
    return prepareSnapshot(this.db, sendingId, selection, fields);
  }

  refreshSnapshot(sendingId: string, selection: AudienceSelection, fields?: readonly string[]): Promise<RefreshResult> {
    return refreshSnapshot(this.db, sendingId, selection, fields);
  }

  readSnapshot(sendingId: string, afterSeq: number, limit: number): Promise<SnapshotRow[]> {
    return readSnapshot(this.db, sendingId, afterSeq, limit);
  }

  readDueHeld(sendingId: string, nowMs: number, limit: number): Promise<SnapshotRow[]> {
    return readDueHeld(this.db, sendingId, nowMs, limit);
  }

  readPendingUpTo(sendingId: string, upToSeq: number, limit: number): Promise<SnapshotRow[]> {
    return readPendingUpTo(this.db, sendingId, upToSeq, limit);
  }

  resetForRetry(sendingId: string, states: readonly ('failed' | 'unknown')[]): Promise<{ failed: number; unknown: number }> {
    return resetForRetry(this.db, sendingId, states);
  }

  skipRecipients(sendingId: string, seqs: number[], reason: string): Promise<void> {
    return skipRecipients(this.db, sendingId, seqs, reason);
  }

  heldSummary(sendingId: string): Promise<HeldSummary> {
    return heldSummary(this.db, sendingId);
  }

  checkDispatch(projectId: string, contactId: string, e164: string): Promise<DispatchCheck> {
    return checkDispatch(this.db, projectId, contactId, e164);
  }

  claimDispatch(row: RecipientRef, claim: Claim): Promise<ClaimOutcome> {
    return claimDispatch(this.db, row, claim);
  }

  settleClaim(
    sendingId: string,
    seq: number,
    token: string,
    state: 'sent' | 'failed' | 'unknown',
    detail: string | null,
  ): Promise<boolean> {
    return settleClaim(this.db, sendingId, seq, token, state, detail);
  }

  releaseClaim(sendingId: string, seq: number, token: string): Promise<boolean> {
    return releaseClaim(this.db, sendingId, seq, token);
  }

  endClaimInDoubt(sendingId: string, seq: number, token: string): Promise<boolean> {
    return endClaimInDoubt(this.db, sendingId, seq, token);
  }

  renewClaim(sendingId: string, seq: number, claim: Claim): Promise<boolean> {
    return renewClaim(this.db, sendingId, seq, claim);
  }

  takeOverClaim(sendingId: string, seq: number, expiredToken: string | null, claim: Claim, nowMs: number): Promise<boolean> {
    return takeOverClaim(this.db, sendingId, seq, expiredToken, claim, nowMs);
  }

  abandonClaim(sendingId: string, seq: number, expiredToken: string | null, detail: string, nowMs: number): Promise<boolean> {
    return abandonClaim(this.db, sendingId, seq, expiredToken, detail, nowMs);
  }

  abandonExpiredClaims(sendingId: string, detail: string, nowMs: number): Promise<number> {
    return abandonExpiredClaims(this.db, sendingId, detail, nowMs);
  }

  holdRecipient(sendingId: string, seq: number, untilMs: number): Promise<boolean> {
    return holdRecipient(this.db, sendingId, seq, untilMs);
  }

  skipRecipient(sendingId: string, seq: number, reason: string): Promise<boolean> {
    return skipRecipient(this.db, sendingId, seq, reason);
  }

  stopDispatch(sendingId: string, stop: DispatchStop): Promise<void> {
    return stopDispatch(this.db, sendingId, stop);
  }

  resumeDispatch(sendingId: string): Promise<void> {
    return resumeDispatch(this.db, sendingId);
  }

  dispatchStop(sendingId: string): Promise<DispatchStop | null> {
    return dispatchStopOf(this.db, sendingId);
  }

  pausedSendings(): Promise<number> {
    return pausedSendings(this.db);
  }

  inFlight(sendingId: string, nowMs: number): Promise<InFlight> {
    return inFlight(this.db, sendingId, nowMs);
  }

  progress(sendingId: string, upToSeq?: number): Promise<ProgressCounts> {
    return progress(this.db, sendingId, upToSeq);
  }

  writeOutbox(message: Omit<OutboxMessage, 'createdAt'>): Promise<void> {
    return writeOutbox(this.db, message);
  }

  readOutbox(sendingId: string): Promise<OutboxMessage[]> {
    return readOutbox(this.db, sendingId);
  }

  audit(entry: AuditEntry): Promise<void> {
    return audit(this.db, entry);
  }

  readAudit(sendingId: string): Promise<AuditRecord[]> {
    return readAudit(this.db, sendingId);
  }

  listOptOuts(projectId: string, sourcePrefix?: string): Promise<KillListEntry[]> {
    return listOptOuts(this.db, projectId, sourcePrefix);
  }

  // Delivery receipts (deliveries.ts).
  recordDelivery(projectId: string, receipt: DeliveryReceipt): Promise<DeliveryRecorded> {
    return recordDelivery(this.db, projectId, receipt);
  }

  countDeliveryFailures(projectId: string, e164: string, codes: readonly string[]): Promise<number> {
    return countDeliveryFailures(this.db, projectId, e164, codes);
  }

  deliverySummary(sendingId: string): Promise<DeliverySummary> {
    return deliverySummary(this.db, sendingId);
  }

  readDeliveryReport(sendingId: string, afterSeq: number, limit: number): Promise<DeliveryReportRow[]> {
    return readDeliveryReport(this.db, sendingId, afterSeq, limit);
  }

  // The audit log as events (events.ts).
  readEvents(query: EventQuery): Promise<EventRecord[]> {
    return readEvents(this.db, query);
  }
}
