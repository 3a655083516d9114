/**
 * The directory's roles: each consumer depends on the few it uses (docs/architecture.md, "Seams");
 * `Directory` (./directory.ts) is all of them, for the composition root.
 */
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import type {
  AuditEntry,
  AuditRecord,
  Claim,
  ClaimOutcome,
  ContactInput,
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

/** Which database, its schema, and the connection's end. */
export interface DirectoryConnection {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Projects and their settings (projects.ts). */
export interface ProjectStore {
  upsertProject(project: ProjectInput): Promise<Project>;
  getProject(id: string): Promise<Project | undefined>;
  listProjects(): Promise<Project[]>;
}

/** Contacts, their profile fields and group memberships (contacts.ts, groups.ts). */
export interface ContactStore {
  upsertContacts(projectId: string, contacts: ContactInput[]): Promise<{ inserted: number; updated: number }>;
  /** Upserts every batch in one transaction: when `batches` throws, nothing of it is kept and the error is rethrown. */
  upsertContactBatches(projectId: string, batches: AsyncIterable<ContactInput[]>): Promise<{ inserted: number; updated: number }>;
  setContactActive(projectId: string, externalId: string, active: boolean): Promise<void>;
  setMemberships(projectId: string, externalId: string, groups: string[]): Promise<void>;
  /** Deletes a contact (and its memberships); true when it existed. */
  deleteContact?(projectId: string, externalId: string): Promise<boolean>;
  listGroups(projectId: string): Promise<GroupSummary[]>;
  /** The profile field names the project's contacts carry, the number field left out. */
  contactFieldNames(projectId: string): Promise<string[]>;
}

/** The project's kill list, as operators and quarantines change it (opt-outs.ts). */
export interface OptOutList {
  /** True when the kill list changed (false: the number was on it already). */
  addOptOut(projectId: string, number: string, source: string): Promise<boolean>;
  removeOptOut(projectId: string, number: string): Promise<void>;
}

/** STOP and START replies, each applied once to the kill list (inbound-messages.ts). */
export interface InboundLog {
  /** Applies a STOP or START reply once, in the provider's order; a START removes only what an inbound STOP added. */
  applyInboundKeyword(projectId: string, message: InboundKeyword): Promise<InboundKeywordOutcome>;
}

/** How many contacts a selection reaches, and why the others are excluded (audience.ts). */
export interface AudienceCounter {
  countAudience(selection: AudienceSelection): Promise<AudienceCount>;
}

/** The sending's record and the message it was last prepared with (sendings.ts). */
export interface SendingStore {
  createSending(record: SendingRecord): Promise<void>;
  getSending(id: string): Promise<SendingRecord | undefined>;
  /** The message of the sending's latest preparation (what previews render). */
  recordPreparedMessage(sendingId: string, message: string): Promise<void>;
  preparedMessage(sendingId: string): Promise<string | null>;
}

/** The recipients a preparation froze, and the reads of them the dispatcher pages through (snapshot.ts). */
export interface SnapshotStore {
  /** `fields`: the message's fields, whose values are frozen per recipient (see snapshot.ts). */
  prepareSnapshot(sendingId: string, selection: AudienceSelection, fields?: readonly string[]): Promise<SnapshotSummary>;
  refreshSnapshot(sendingId: string, selection: AudienceSelection, fields?: readonly string[]): Promise<RefreshResult>;
  readSnapshot(sendingId: string, afterSeq: number, limit: number): Promise<SnapshotRow[]>;
  /** Held rows whose time has come (`not_before` ≤ nowMs), in seq order. */
  readDueHeld(sendingId: string, nowMs: number, limit: number): Promise<SnapshotRow[]>;
  /** Pending or in-flight rows up to `upToSeq` (put back for a retry), in seq order. */
  readPendingUpTo(sendingId: string, upToSeq: number, limit: number): Promise<SnapshotRow[]>;
}

/** One recipient's row, changed by compare-and-set only (dispatch.ts): what makes each message exactly once. */
export interface DispatchLedger {
  checkDispatch(projectId: string, contactId: string, e164: string): Promise<DispatchCheck>;
  claimDispatch(row: RecipientRef, claim: Claim): Promise<ClaimOutcome>;
  settleClaim(sendingId: string, seq: number, token: string, state: 'sent' | 'failed' | 'unknown', detail: string | null): Promise<boolean>;
  releaseClaim(sendingId: string, seq: number, token: string): Promise<boolean>;
  endClaimInDoubt(sendingId: string, seq: number, token: string): Promise<boolean>;
  renewClaim(sendingId: string, seq: number, claim: Claim): Promise<boolean>;
  takeOverClaim(sendingId: string, seq: number, expiredToken: string | null, claim: Claim, nowMs: number): Promise<boolean>;
  abandonClaim(sendingId: string, seq: number, expiredToken: string | null, detail: string, nowMs: number): Promise<boolean>;
  holdRecipient(sendingId: string, seq: number, untilMs: number): Promise<boolean>;
  skipRecipient(sendingId: string, seq: number, reason: string): Promise<boolean>;
  skipRecipients(sendingId: string, seqs: number[], reason: string): Promise<void>;
  /** The sending's stop, when its dispatch is stopped. */
  dispatchStop(sendingId: string): Promise<DispatchStop | null>;
}

/** A sending's dispatch as a whole: stop, resume, retry, and what a stop leaves in doubt (dispatch.ts). */
export interface DispatchControl {
  stopDispatch(sendingId: string, stop: DispatchStop): Promise<void>;
  resumeDispatch(sendingId: string): Promise<void>;
  /** Sendings whose dispatch is paused, across the directory. */
  pausedSendings(): Promise<number>;
  resetForRetry(sendingId: string, states: readonly ('failed' | 'unknown')[]): Promise<{ failed: number; unknown: number }>;
  abandonExpiredClaims(sendingId: string, detail: string, nowMs: number): Promise<number>;
}

/** Counts of a sending's recipients (dispatch.ts). */
export interface DispatchProgress {
  /** Recipients per state; with `upToSeq`, only the snapshot's rows up to that position. */
  progress(sendingId: string, upToSeq?: number): Promise<ProgressCounts>;
  inFlight(sendingId: string, nowMs: number): Promise<InFlight>;
  heldSummary(sendingId: string): Promise<HeldSummary>;
}

/** Messages the outbox provider recorded instead of sending (sendings.ts). */
export interface OutboxStore {
  /** Ignores a second write for the same sendingId + seq. */
  writeOutbox(message: Omit<OutboxMessage, 'createdAt'>): Promise<void>;
  readOutbox(sendingId: string): Promise<OutboxMessage[]>;
}

/** Who did what to a sending (sendings.ts). */
export interface AuditLog {
  audit(entry: AuditEntry): Promise<void>;
  readAudit(sendingId: string): Promise<AuditRecord[]>;
}
