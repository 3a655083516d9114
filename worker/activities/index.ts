import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import type { AuditEntry, Directory, HeldSummary, RefreshResult, SnapshotRow, SnapshotSummary } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import type { SmsProvider } from '../providers/provider';
import type { RateLimiter } from '../providers/rate-limiter';
import type { DirectoryLookup, DirectoryOption } from '../../workflows/messages';
import { deliverRecipient, type DeliveryOutcome } from './deliver-recipient';
import { lookupDirectory } from './lookup-directory';
import { createRecipientRules } from './recipient-rules';
import { runPool } from './run-pool';
import { validateSending, type SendingValidation, type ValidateSendingRequest } from './validate-sending';

export interface ActivityDeps {
  directory: Directory;
  provider: SmsProvider;
  limiter: RateLimiter;
  /** Messages in flight at once within one batch. */
  concurrency: number;
}

export interface SendBatchRequest {
  sendingId: string;
  projectId: string;
  /** The snapshot pass: recipients after this seq. */
  afterSeq: number;
  limit: number;
  message: string;
  senderId: string | null;
}

export interface BatchCounts {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  unknown: number;
  /** Held by quiet hours (again, for a release batch). */
  held: number;
}

export interface SendBatchResult {
  lastSeq: number;
  done: boolean;
  counts: BatchCounts;
}

export interface ReleaseBatchResult {
  counts: BatchCounts;
  /** Held recipients left after this batch. */
  held: HeldSummary;
  /** No due held recipient is left (the rest wait for later windows). */
  done: boolean;
}

const HEARTBEAT_EVERY_MS = 1000;

/** Bad input is the caller's to fix: fail at once, with the directory's message, instead of retrying. */
async function asInputFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DirectoryInputError) throw ApplicationFailure.nonRetryable(err.message, 'DirectoryInputError');
    throw err;
  }
}

export const createActivities = (deps: ActivityDeps) => {
  const { directory } = deps;

  async function projectFor(selection: AudienceSelection) {
    const project = await directory.getProject(selection.projectId);
    if (!project) throw new DirectoryInputError(`Unknown project "${selection.projectId}": check the project id, or create the project first (see the README).`);
    return project;
  }

  async function deliverRows(request: SendBatchRequest, rows: SnapshotRow[]): Promise<BatchCounts> {
    const counts: BatchCounts = { total: rows.length, sent: 0, failed: 0, skipped: 0, unknown: 0, held: 0 };
    if (rows.length === 0) return counts;
    const context = Context.current();
    const project = await directory.getProject(request.projectId);
    if (!project) throw ApplicationFailure.nonRetryable(`Project "${request.projectId}" no longer exists.`, 'DirectoryInputError');
    const rules = createRecipientRules(project);
    // No sender on the sending: the project's (the one the validation points judged).
    const senderId = request.senderId ?? project.senderId ?? null;
    // A heartbeat per message costs a call into the SDK's native core each; one a second is plenty for a 15 s timeout.
    let lastHeartbeat = 0;
    await runPool(rows, deps.concurrency, async (row) => {
      const outcome: DeliveryOutcome = await deliverRecipient(deps, { ...request, senderId }, row, rules);
      counts[outcome] += 1;
      const now = Date.now();
      if (now - lastHeartbeat >= HEARTBEAT_EVERY_MS) {
        lastHeartbeat = now;
        context.heartbeat({ seq: row.seq });
      }
    });
    return counts;
  }

  return {
    async registerSelection(sendingId: string, selection: AudienceSelection, actor: string): Promise<AudienceCount> {
      return asInputFailure(async () => {
        await projectFor(selection);
        const count = await directory.countAudience(selection);
        await directory.createSending({ id: sendingId, projectId: selection.projectId, selection, createdBy: actor, createdAt: Date.now() });
        return count;
      });
    },

    async countAudience(selection: AudienceSelection): Promise<AudienceCount> {
      return asInputFailure(() => directory.countAudience(selection));
    },

    async prepareSnapshot(sendingId: string, selection: AudienceSelection): Promise<SnapshotSummary> {
      return asInputFailure(async () => {
        const project = await projectFor(selection);
        if (!project.smsEnabled) {
          throw new DirectoryInputError(`SMS is not enabled for project "${project.id}": enable the SMS module in the project settings (smsEnabled) before preparing.`);
        }
        const summary = await directory.prepareSnapshot(sendingId, selection);
        if (summary.messages === 0) {
          const why = Object.entries(summary.excluded).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${reason}`).join(', ');
          throw new DirectoryInputError(`No recipient to send to: ${summary.targeted} contact(s) targeted${why ? `, excluded: ${why}` : ''}. Change the selection or fix the contacts' numbers.`);
        }
        return summary;
      });
    },

    async validateSending(request: ValidateSendingRequest): Promise<SendingValidation> {
      return asInputFailure(() => validateSending(directory, request));
    },

    async refreshSnapshot(sendingId: string, selection: AudienceSelection): Promise<RefreshResult> {
      return asInputFailure(() => directory.refreshSnapshot(sendingId, selection));
    },

    async lookupDirectory(request: DirectoryLookup): Promise<DirectoryOption[]> {
      return asInputFailure(() => lookupDirectory(directory, request));
    },

    async recordAudit(entry: AuditEntry): Promise<void> {
      await directory.audit(entry);
    },

    /**
     * Sends the recipients after `afterSeq`, at most `limit`. Safe to run again after a crash or
     * a retry: each recipient's state in the directory says what is left to do (see deliverRecipient).
     */
    async sendBatch(request: SendBatchRequest): Promise<SendBatchResult> {
      const rows = await directory.readSnapshot(request.sendingId, request.afterSeq, request.limit);
      const counts = await deliverRows(request, rows);
      if (rows.length === 0) return { lastSeq: request.afterSeq, done: true, counts };
      return { lastSeq: rows[rows.length - 1].seq, done: rows.length < request.limit, counts };
    },

    /** Sends the held recipients whose quiet hours are over (at most `limit`); the others stay held. */
    async releaseHeldBatch(request: Omit<SendBatchRequest, 'afterSeq'>): Promise<ReleaseBatchResult> {
      const rows = await directory.readDueHeld(request.sendingId, Date.now(), request.limit);
      const counts = await deliverRows({ ...request, afterSeq: 0 }, rows);
      return { counts, held: await directory.heldSummary(request.sendingId), done: rows.length < request.limit };
    },

    async heldSummary(sendingId: string): Promise<HeldSummary> {
      return directory.heldSummary(sendingId);
    },
  };
};
