/** The activities the sending workflow calls, by kind of work; it imports only their types. */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../worker/activities';

export type Activities = ReturnType<typeof createActivities>;

/**
 * Short directory work (audit, selection, counts, stops). Every activity heartbeats while it runs
 * (worker/activities/heartbeat-interceptor.ts): a worker that dies during one is noticed within 30 s.
 * Bounded retries: a directory down for ~10 minutes fails the call.
 */
export const directory = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 25, nonRetryableErrorTypes: ['DirectoryInputError'] },
});

/**
 * Prepare's and refresh's long passes over the snapshot: they heartbeat (a single SQLite statement of a big
 * snapshot holds the worker's event loop for a while, hence the generous timeout), and a cancel does not
 * wait for them.
 */
export const preparation = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  cancellationType: ActivityCancellationType.TRY_CANCEL,
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: ['DirectoryInputError'] },
});

/**
 * Batches of messages. They heartbeat every second whatever the provider does, so a heartbeat timeout of
 * 30 s (twice the provider's default time-out) means a dead worker, never a slow provider. A cancel does
 * not wait for the batch: the dispatch stop recorded in the directory already keeps any message from
 * starting, and settleDispatch waits for the ones in flight.
 */
export const dispatch = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30s',
  cancellationType: ActivityCancellationType.TRY_CANCEL,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['DirectoryInputError'],
  },
});

/** Waits for the messages in flight of a stopped sending (each settles within the provider's time-out). */
export const settling = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});
