import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../worker/activities';
import type { DirectoryAnswer, DirectoryLookup } from './messages';

const { lookupDirectory } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['DirectoryInputError'] },
});

/** A short read of the directory for a client that only talks to Temporal (the n8n nodes' option lists, events, delivery summaries). */
export async function directoryLookupWorkflow(request: DirectoryLookup): Promise<DirectoryAnswer> {
  return lookupDirectory(request);
}
