/**
 * The sending workflow's messages: module-level definitions shared by the workflow, the worker's
 * tests, the operator CLI and the n8n nodes. Payloads hold ids, counts and settings — never phone numbers.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalSettings } from '../domain/compliance/settings';
import type { Schedule } from '../domain/schedule';
import type { AudienceCount, AudienceSelection, PolicyExclusionReason, SendingState } from '../domain/types';
import type { ValidationReport } from '../domain/validation/report';
import type { SendingEventName } from '../domain/sending-events';
import type { DeliverySummary } from '../worker/directory/deliveries';

export type { Schedule };

export const sendingWorkflowId = (sendingId: string): string => `sms-sending-${sendingId}`;

export interface PrepareInput {
  message: string;
  senderId?: string | null;
  schedule: Schedule;
  /** Later sends only: re-resolve the recipients at send time. */
  refreshAtSend?: boolean;
}

/**
 * How the acting person's identity was established, as the audit log records it: `signedLink` (a link n8n
 * signed for a named approver), `nodeParameter` (an n8n node's "Acting As", e.g. from the trigger's data),
 * `operator` (the operator CLI's --as), `selfDeclared` (a name typed on the approval page, or not said).
 */
export type IdentityEstablished = 'signedLink' | 'nodeParameter' | 'operator' | 'selfDeclared';

export interface Actor {
  /** Who acts: a user name, an e-mail, an n8n workflow's name and id ... recorded in the audit log. */
  actor: string;
  established?: IdentityEstablished;
}

export interface ApproveInput {
  approver: string;
  comment?: string;
  /** The approval hash the approver saw (status.approvalHash); refused when the sending changed since. */
  hash?: string;
  established?: IdentityEstablished;
}

export interface RejectInput {
  approver: string;
  reason: string;
  established?: IdentityEstablished;
}

/** An approver asks for the prepared message, rendered for a sample recipient, on their own phone before deciding. */
export interface ProofSendInput {
  /** A named approver of the project (their phone is in the project's settings, never in a payload). */
  approver: string;
  established?: IdentityEstablished;
}

export interface ProofSendResult {
  /** The approver's number, masked. */
  sentTo: string;
  /** The recipient the message was rendered for. */
  sampleSeq: number;
  /** Proof sends left for this approver in this approval round. */
  left: number;
}

export const PROOF_SENDS_PER_APPROVER = 3;

export interface RescheduleInput extends Actor {
  schedule: Schedule;
}

export interface CancelInput extends Actor {
  reason: string;
}

export interface PauseInput extends Actor {
  reason: string;
}

export interface RetryRecipientsInput extends Actor {
  /** Which recipients to send again: `failed` (the provider refused them) and/or `unknown` (the outcome of their message is not known). */
  include: ('failed' | 'unknown')[];
  /** Required with `unknown`: those recipients may already have the message and may get a second copy. */
  confirmPossibleDuplicates?: boolean;
}

export interface Progress {
  /** Last snapshot position handled; the next batch starts after it. */
  cursor: number;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  unknown: number;
  /** Held by quiet hours right now (sent when their window opens). */
  held: number;
  /** Waiting to be sent among the recipients counted (e.g. put back for a retry), or in flight. */
  pending?: number;
}

export interface ApprovalRecord {
  approver: string;
  /** How the approver's identity was established (absent in records made before it was kept). */
  established?: IdentityEstablished;
  atMs: number;
  comment?: string;
  /** What was approved (status.approvalHash at that moment). */
  hash: string;
}

export interface ApprovalRequest {
  requestedBy: string;
  atMs: number;
  /** The request expires then (the project's expiry, at the latest the scheduled time). */
  expiresAtMs: number;
  hash: string;
  /** Set when it expired before enough approvals came. */
  expiredAtMs: number | null;
}

/** One entry of the audit log, also kept in the status (the latest AUDIT_IN_STATUS). */
export interface AuditTrailEntry {
  atMs: number;
  action: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export const AUDIT_IN_STATUS = 200;

export interface HeldRecipients {
  count: number;
  /** When the next held recipient's window opens. */
  nextMs: number | null;
  /** When the last one's does. */
  lastMs: number | null;
}

/** Why a sending is paused: by whom (or the workflow itself), since when, and until when it may stay paused. */
export interface PauseRecord {
  by: string;
  automatic: boolean;
  reason: string;
  /** The provider's error code when the provider's answer paused it (e.g. Twilio 20003). */
  code?: string;
  atMs: number;
  /** It fails with its reason if nobody resumes it before then. */
  expiresAtMs: number;
}

/** The provider asked to wait (or kept failing): the workflow waits on a durable timer and runs the batch again. */
export interface BackoffRecord {
  untilMs: number;
  reason: string;
  /** Backoffs in a row; at the worker's limit the sending pauses itself. */
  rounds: number;
}

export interface PreparedSending {
  message: string;
  senderId: string | null;
  schedule: Schedule;
  /** UTC instant of a later send; null for `now`. */
  sendAtMs: number | null;
  refreshAtSend: boolean;
  preparedBy: string;
  preparedAtMs: number;
  summary: AudienceCount & { snapshotSize: number; policyExcluded: Record<PolicyExclusionReason, number> };
  /** The validation points at preparation (none fails, or it would not be prepared). */
  report: ValidationReport;
  /** The project's approval rules when it was prepared. */
  approvalRules: ApprovalSettings;
  /** SHA-256 of every recipient's number and personalized message as prepared (part of the approval hash). */
  contentDigest?: string;
}

export interface SendingStatus {
  sendingId: string;
  state: SendingState;
  createdBy: string;
  selection: AudienceSelection | null;
  lastCount: AudienceCount | null;
  prepared: PreparedSending | null;
  /** Fingerprint of what is to be approved (message, audience, duplicate policy, schedule, refresh); null before prepare. */
  approvalHash: string | null;
  approvalRequest: ApprovalRequest | null;
  /** Approvals of the current request. */
  approvals: ApprovalRecord[];
  /** Proof sends of the current approval request, per approver (canonical identity → count). */
  proofSends?: Record<string, number>;
  /** The approval that made it approved (the last one needed). */
  approval: ApprovalRecord | null;
  rejection: { approver: string; reason: string; atMs: number } | null;
  cancellation: { actor: string; reason: string; atMs: number } | null;
  /** When sending started (or will start, while scheduled). */
  sendAtMs: number | null;
  refresh: { added: number; removed: number; total: number } | null;
  progress: Progress;
  /** Recipients waiting for their quiet hours to end. */
  held: HeldRecipients | null;
  /** Set while paused. */
  pause?: PauseRecord | null;
  /** Set while waiting for the provider to take messages again. */
  backoff?: BackoffRecord | null;
  /** A completed sending accepts a retry of its failed or unknown recipients until then. */
  retryUntilMs?: number | null;
  failure: string | null;
  /** Continue-as-new generations (history stays bounded). */
  runs: number;
  /** The latest audit entries (the full log is in the directory: `npm run sms -- audit ID`). */
  audit: AuditTrailEntry[];
}

export const selectUpdate = defineUpdate<SendingStatus, [AudienceSelection & Actor]>('select');
export const countUpdate = defineUpdate<AudienceCount, [Actor]>('count');
export const prepareUpdate = defineUpdate<SendingStatus, [PrepareInput & Actor]>('prepare');
export const requestApprovalUpdate = defineUpdate<SendingStatus, [Actor]>('requestApproval');
export const approveUpdate = defineUpdate<SendingStatus, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<SendingStatus, [RejectInput]>('reject');
export const sendUpdate = defineUpdate<SendingStatus, [Actor]>('send');
export const rescheduleUpdate = defineUpdate<SendingStatus, [RescheduleInput]>('reschedule');
export const cancelUpdate = defineUpdate<SendingStatus, [CancelInput]>('cancel');
export const pauseUpdate = defineUpdate<SendingStatus, [PauseInput]>('pause');
export const resumeUpdate = defineUpdate<SendingStatus, [Actor]>('resume');
export const retryRecipientsUpdate = defineUpdate<SendingStatus, [RetryRecipientsInput]>('retryRecipients');
export const proofSendUpdate = defineUpdate<ProofSendResult, [ProofSendInput]>('proofSend');

/** Fire-and-forget routes for approvers (e.g. `temporal workflow signal`); same rules as the updates. */
export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');

export const statusQuery = defineQuery<SendingStatus>('status');

/** Batch sizing; the defaults suit any audience, tests shrink them to exercise continue-as-new. */
export interface SendingTuning {
  /** Recipients per sendBatch activity: the first batches' size, and the smallest (default 500). */
  batchSize: number;
  /**
   * The most recipients per batch of the first pass: batches grow from `batchSize` towards a few seconds of
   * messages at the sending's measured rate, up to this (workflows/sending/batch-size.ts). Default 10,000,
   * or `batchSize` when only that is given (fixed batches, as before).
   */
  maxBatchSize: number;
  /** Batches per workflow run before continue-as-new (default 100). */
  batchesPerRun: number;
  /** How long a completed sending accepts a retry of its failed or unknown recipients (default 7 days). */
  retryWindowMs: number;
  /** Batches of the first pass in flight at once, over disjoint ranges of the snapshot (default 1, 1–16; workflows/tuning.ts). */
  parallelBatches: number;
}

export interface SendingWorkflowInput {
  sendingId: string;
  createdBy: string;
  tuning?: Partial<SendingTuning>;
  /** Set by continue-as-new: the state carried into the next run. */
  carried?: SendingStatus;
}

/** What the n8n nodes' option lists ask the worker's directory, through Temporal. */
export type DirectoryLookup =
  | { kind: 'projects' }
  | { kind: 'groups'; projectId: string }
  | { kind: 'timeZones' }
  /** The profile field names of the project's contacts, for [[name]] in a message. */
  | { kind: 'contactFields'; projectId: string }
  /** The time zone of the sending's project: one option, its value the IANA name. */
  | { kind: 'projectTimeZone'; sendingId: string }
  /** The first recipients' personalized messages of the sending's prepared message (numbers masked), for the approval page. */
  | { kind: 'preview'; sendingId: string; limit: number }
  /**
   * Sending events (domain/sending-events.ts; all when `events` is empty) after `afterId`, oldest first;
   * with `newest`, the latest `limit`, newest first. For the Durable SMS Trigger.
   */
  | {
      kind: 'events';
      projectId?: string;
      events?: string[];
      afterId: number;
      limit: number;
      newest?: boolean;
      /** Events younger than this are left for the next read (default 2000 ms; see worker/directory/events.ts). */
      settleMs?: number;
    }
  /** The sending's delivery summary from its receipts (docs/receipts.md). */
  | { kind: 'deliverySummary'; sendingId: string };

/** One event of a sending, as the trigger outputs it: ids and counts, never a phone number (it lands in Temporal's history). */
export interface SendingEvent {
  /** The audit entry's id: the trigger's cursor. */
  id: number;
  event: SendingEventName;
  sendingId: string;
  projectId: string | null;
  /** ISO time. */
  at: string;
  actor: string;
  detail: Record<string, unknown>;
  /** On `completed`: the delivery summary as the directory has it when the event is read. */
  delivery?: DeliverySummary;
}

/** What each lookup answers. */
export type DirectoryAnswer<L extends DirectoryLookup = DirectoryLookup> = L extends { kind: 'events' }
  ? SendingEvent[]
  : L extends { kind: 'deliverySummary' }
    ? DeliverySummary
    : DirectoryOption[];

export interface DirectoryOption {
  name: string;
  value: string;
  description?: string;
}

export const directoryLookupWorkflowId = (id: string): string => `sms-directory-lookup-${id}`;
