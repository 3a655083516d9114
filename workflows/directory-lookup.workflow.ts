import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../worker/activities';
import type { DirectoryLookup, DirectoryOption } from './messages';

const { lookupDirectory } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['DirectoryInputError'] },
});

/** A short read of the directory for a client that only talks to Temporal (the n8n nodes' option lists). */
export async function directoryLookupWorkflow(request: DirectoryLookup): Promise<DirectoryOption[]> {
  return lookupDirectory(request);
}
