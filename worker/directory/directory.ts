import type { NumberFacts } from '../../domain/compliance/recipient-policy';
import type { ComplianceSettings } from '../../domain/compliance/settings';
import type { AudienceCount, AudienceSelection, MessageState } from '../../domain/types';
import type { Deliveries } from './deliveries';
import type { EventLog } from './events';
import type { KillList } from './kill-list';
import type {
  AuditLog,
  AudienceCounter,
  ContactStore,
  DirectoryConnection,
  DispatchControl,
  DispatchLedger,
  DispatchProgress,
  InboundLog,
  OptOutList,
  OutboxStore,
  ProjectStore,
  SendingStore,
  SnapshotStore,
} from './roles';

export { DirectoryInputError } from './errors';
export type * from './roles';

/** Settings of a project that drive recipient resolution and sending. */
export interface ProjectSettings {
  smsEnabled: boolean;
  /** Profile field holding the SMS number, e.g. `mobile`. */
  numberField: string;
  /** ISO 3166-1 alpha-2 country used to read numbers written in local format, e.g. `CA`. */
  defaultCountry: string;
  /** IANA zone, e.g. `America/Toronto`. */
  timeZone: string;
  /** Sender id (alphanumeric or a phone number) used when a sending does not set one. */
  senderId: string | null;
  /** Validation policy, price, countries, number types, quiet hours and approval rules. */
  compliance: ComplianceSettings;
}

/** What upsertProject takes: unset settings keep their value; `compliance` is merged over the stored one. */
export type ProjectInput = { id: string; name: string } & Partial<Omit<ProjectSettings, 'compliance'>> & { compliance?: unknown };

export interface Project extends ProjectSettings {
  id: string;
  name: string;
}

export interface ContactInput {
  /** The caller's id for the contact, unique in the project. */
  externalId: string;
  active?: boolean;
  /** Profile fields (firstName, mobile, ...). Replaces the stored ones. */
  fields: Record<string, string>;
  /** Group names; groups are created when missing. Replaces the contact's memberships when given. */
  groups?: string[];
}

export interface GroupSummary {
  name: string;
  memberCount: number;
}

export interface SendingRecord {
  id: string;
  projectId: string;
  selection: AudienceSelection;
  createdBy: string;
  createdAt: number;
}

/** One recipient of a prepared sending, as the dispatcher reads it. */
export interface SnapshotRow {
  seq: number;
  /** The directory's key for the contact (what checkDispatch takes), not the caller's externalId. */
  contactId: string;
  e164: string;
  fields: Record<string, string>;
  state: MessageState;
  attempts: number;
  /** The values of the message's fields frozen when the snapshot was made (absent for snapshots made before). */
  frozenFields?: Record<string, string>;
  /** A `dispatching` row: the token of the attempt holding it and when its lease runs out (null: claimed before claims had them). */
  claim?: { token: string | null; leaseUntilMs: number | null };
  /** The caller's id of the contact (absent when the contact was deleted since preparation). */
  externalId?: string;
  /** Country and type of `e164` as stored with the contact; absent when its number changed since, or was stored before they were. */
  facts?: NumberFacts;
}

export interface SnapshotSummary extends AudienceCount {
  /** Rows written to the snapshot (= messages). */
  snapshotSize: number;
}

export interface RefreshResult {
  added: number;
  removed: number;
  total: number;
  /** Pending rows whose contact's number changed since preparation (they now carry the new one). */
  renumbered?: number;
}

/** `changedAfterApproval`: the contact's number is no longer the one in the snapshot (what was approved). */
export type DispatchCheck = 'ok' | 'optedOut' | 'inactive' | 'removed' | 'changedAfterApproval';

/** A recipient of a sending, as the dispatch ledger's calls name it. */
export interface RecipientRef {
  sendingId: string;
  seq: number;
  projectId: string;
  contactId: string;
  e164: string;
}

/** One attempt's hold on a `dispatching` row: its token, and until when the row is its own (ms since epoch). */
export interface Claim {
  token: string;
  leaseUntilMs: number;
}

/**
 * `claimed`: the row is this attempt's; `optedOut`/`inactive`/`removed`: the recipient may no longer get the
 * message and the row is now `skipped` with that reason; `stopped`: the sending's dispatch is stopped;
 * `taken`: the row is not pending or held any more (another attempt holds or settled it).
 */
export type ClaimOutcome = 'claimed' | Exclude<DispatchCheck, 'ok'> | 'stopped' | 'taken';

/** A sending's dispatch stopped (paused, cancelled, or failed): no claim succeeds until a resume lifts a pause. */
export interface DispatchStop {
  kind: 'paused' | 'cancelled' | 'failed';
  reason: string;
  atMs: number;
}

/** Messages of a sending in flight (`dispatching`): `live` leases still run, `expired` ones ran out. */
export interface InFlight {
  live: number;
  expired: number;
  lastLeaseMs: number | null;
}

export interface AuditEntry {
  sendingId: string;
  action: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  at: number;
}

export type ProgressCounts = Record<MessageState, number>;

/** Recipients held by quiet hours: how many, when the next one is due and when the last one is. */
export interface HeldSummary {
  count: number;
  nextMs: number | null;
  lastMs: number | null;
}

export interface OutboxMessage {
  sendingId: string;
  seq: number;
  to: string;
  from: string | null;
  body: string;
  createdAt: number;
}

/** An opt-out or opt-in reply (worker/inbound) as the directory applies it to the kill list. */
export interface InboundKeyword {
  /** The sender, read like every kill-list number. */
  number: string;
  intent: 'optOut' | 'optIn';
  /** The keyword behind it, e.g. STOP: an opt-out's kill-list source is `inbound:STOP`. */
  keyword: string;
  /** The provider's id of the message: a message whose id was applied before changes nothing. */
  messageId?: string;
  /** The provider's time of the message (ms since the epoch); without it the order of arrival counts. */
  sentAt?: number;
}

/**
 * What applying a reply did: `added`/`alreadyOptedOut` (STOP), `removed`/`notOptedOut` (START), `kept`
 * (START, but the entry is not one an inbound STOP made: an operator's or a quarantine), `outOfOrder`
 * (START older than the number's latest STOP), `duplicate` (message id seen before). Only the first
 * and `removed` change the kill list.
 */
export type InboundApplied = 'added' | 'alreadyOptedOut' | 'removed' | 'notOptedOut' | 'kept' | 'outOfOrder' | 'duplicate';

export interface InboundKeywordOutcome {
  applied: InboundApplied;
  /** With `kept`: the source of the entry that stays, e.g. `cli:alex`. */
  keptSource?: string;
}

/**
 * The contact directory: SQLite file by default, PostgreSQL when a URL is configured.
 * Every method is async so both stores share one interface. Only the composition root (worker/main.ts,
 * the CLI, tests) holds the whole of it; everything else takes the roles it uses (./roles.ts).
 */
export interface Directory
  extends DirectoryConnection,
    ProjectStore,
    ContactStore,
    OptOutList,
    InboundLog,
    AudienceCounter,
    SendingStore,
    SnapshotStore,
    DispatchLedger,
    DispatchControl,
    DispatchProgress,
    OutboxStore,
    AuditLog,
    Deliveries,
    KillList,
    EventLog {}
