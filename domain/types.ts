/** Types shared by the n8n nodes, the workflow and the worker. Pure data, no I/O. */

export type DuplicatePolicy = 'perContact' | 'perNumber';

export interface AudienceSelection {
  projectId: string;
  /** `all`: every active contact of the project; `groups`: the union of the named groups. */
  audience: 'all' | 'groups';
  /** Group names (with audience `groups`); a contact in several of them counts once. */
  groups: string[];
  duplicatePolicy: DuplicatePolicy;
}

export type ExclusionReason = 'missingNumber' | 'invalidNumber' | 'inactive' | 'optedOut' | 'duplicateNumber';

/** Excluded at prepare by the project's rules (Count does not judge these). */
export type PolicyExclusionReason = 'countryNotAllowed' | 'numberType';

/** What Count reports and Prepare snapshots. All numbers, never phone numbers. */
export interface AudienceCount {
  /** Contacts targeted by the selection after cross-group dedup (active or not). */
  targeted: number;
  /** Contacts excluded, by reason (a contact is counted under its first reason in the order of the keys). */
  excluded: Record<ExclusionReason, number>;
  /** Distinct valid E.164 numbers among the recipients. */
  distinctNumbers: number;
  /** Messages that will be sent. */
  messages: number;
}

/** Every state, in the order a sending goes through them. */
export const SENDING_STATES = [
  'draft',
  'prepared',
  'awaiting_approval',
  'approved',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'rejected',
  'cancelled',
  'failed',
] as const;

export type SendingState = (typeof SENDING_STATES)[number];

export const TERMINAL_STATES: readonly SendingState[] = ['completed', 'rejected', 'cancelled', 'failed'];

/** Per-recipient state of a message in the snapshot; `held`: waiting for the recipient's quiet hours to end. */
export type MessageState = 'pending' | 'held' | 'dispatching' | 'sent' | 'failed' | 'skipped' | 'unknown';
