import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import type { AuditEntry, Directory, RefreshResult, SnapshotSummary } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import type { SmsProvider } from '../providers/provider';
import type { RateLimiter } from '../providers/rate-limiter';
import type { DirectoryLookup, DirectoryOption } from '../../workflows/messages';
import { deliverRecipient, type DeliveryOutcome } from './deliver-recipient';
import { lookupDirectory } from './lookup-directory';
import { validateSending } from './validate-sending';
import type { ValidationReport } from '../../domain/validation/report';
import { runPool } from './run-pool';

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
}

export interface SendBatchResult {
  lastSeq: number;
  done: boolean;
  counts: BatchCounts;
}

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

    async validateSending(request: { sendingId: string; projectId: string; message: string; senderId: string | null }): Promise<ValidationReport> {
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
      const counts: BatchCounts = { total: rows.length, sent: 0, failed: 0, skipped: 0, unknown: 0 };
      if (rows.length === 0) return { lastSeq: request.afterSeq, done: true, counts };
      const context = Context.current();
      // No sender on the sending: the project's (the one the validation points judged).
      const senderId = request.senderId ?? (await directory.getProject(request.projectId))?.senderId ?? null;
      await runPool(rows, deps.concurrency, async (row) => {
        const outcome: DeliveryOutcome = await deliverRecipient(deps, { ...request, senderId }, row);
        counts[outcome] += 1;
        context.heartbeat({ seq: row.seq });
      });
      return { lastSeq: rows[rows.length - 1].seq, done: rows.length < request.limit, counts };
    },
  };
};
