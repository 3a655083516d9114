/** Select, count, prepare and refresh a sending's recipients, and the pickers' lookups. */
import { Context } from '@temporalio/activity';
import type { AudienceCount, AudienceSelection } from '../../domain/types';
import type { RefreshResult, SnapshotSummary } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import type { AudienceCounter, ProjectStore, SendingStore, SnapshotStore } from '../directory/roles';
import type { DirectoryAnswer, DirectoryLookup } from '../../workflows/messages';
import { asInputFailure } from './input-failure';
import { lookupDirectory, type LookupDirectory } from './lookup-directory';
import { validateSending, type SendingValidation, type ValidateSendingRequest, type ValidationDirectory } from './validate-sending';

export type SelectionDirectory = ProjectStore & AudienceCounter & SendingStore & SnapshotStore & ValidationDirectory & LookupDirectory;

export function selectionActivities(directory: SelectionDirectory) {
  async function projectFor(selection: AudienceSelection) {
    const project = await directory.getProject(selection.projectId);
    if (!project)
      throw new DirectoryInputError(
        `Unknown project "${selection.projectId}": check the project id, or create the project first (npm run sms -- project --id ID --name NAME; docs/getting-started.md).`,
      );
    return project;
  }

  return {
    async registerSelection(sendingId: string, selection: AudienceSelection, actor: string): Promise<AudienceCount> {
      return asInputFailure(async () => {
        await projectFor(selection);
        const count = await directory.countAudience(selection);
        await directory.createSending({
          id: sendingId,
          projectId: selection.projectId,
          selection,
          createdBy: actor,
          createdAt: Date.now(),
        });
        return count;
      });
    },

    async countAudience(selection: AudienceSelection): Promise<AudienceCount> {
      return asInputFailure(() => directory.countAudience(selection));
    },

    /** `fields`: the message's fields, whose values are frozen per recipient (what is approved is what is sent). */
    async prepareSnapshot(sendingId: string, selection: AudienceSelection, fields?: string[]): Promise<SnapshotSummary> {
      return asInputFailure(async () => {
        const project = await projectFor(selection);
        if (!project.smsEnabled) {
          throw new DirectoryInputError(
            `SMS is not enabled for project "${project.id}": enable the SMS module in the project settings (smsEnabled) before preparing.`,
          );
        }
        const summary = await directory.prepareSnapshot(sendingId, selection, fields);
        if (summary.messages === 0) {
          const why = Object.entries(summary.excluded)
            .filter(([, n]) => n > 0)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ');
          throw new DirectoryInputError(
            `No recipient to send to: ${summary.targeted} contact(s) targeted${why ? `, excluded: ${why}` : ''}. Change the selection or fix the contacts' numbers.`,
          );
        }
        return summary;
      });
    },

    /** Heartbeats page by page; a cancelled prepare stops at the next page. */
    async validateSending(request: ValidateSendingRequest): Promise<SendingValidation> {
      const context = Context.current();
      return asInputFailure(() =>
        validateSending(directory, request, (recipients) => {
          context.heartbeat({ recipients });
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        }),
      );
    },

    async refreshSnapshot(sendingId: string, selection: AudienceSelection, fields?: string[]): Promise<RefreshResult> {
      return asInputFailure(() => directory.refreshSnapshot(sendingId, selection, fields));
    },

    async lookupDirectory(request: DirectoryLookup): Promise<DirectoryAnswer> {
      return asInputFailure(() => lookupDirectory(directory, request));
    },
  };
}
