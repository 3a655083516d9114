import type { Directory, HeldSummary } from '../directory/directory';
import type { SmsProvider } from '../providers/provider';
import type { RateLimiter } from '../providers/rate-limiter';
import type { SmsMetrics } from '../metrics/sms-metrics';
import { timedProvider } from '../metrics/timed-provider';
import type { BatchInterruption } from './batch-control';
import { dispatchActivities } from './dispatch-activities';
import type { DispatchSettings } from './dispatch-settings';
import { governanceActivities } from './governance-activities';
import { selectionActivities } from './selection-activities';

export type { BatchInterruption } from './batch-control';

/** What the worker gives the activities: the whole directory (each group keeps the roles it uses). */
export interface ActivityDeps {
  directory: Directory;
  provider: SmsProvider;
  limiter: RateLimiter;
  /** Messages in flight at once within one batch. */
  concurrency: number;
  dispatch: DispatchSettings;
  /** Prometheus metrics (worker/metrics); none when unset. */
  metrics?: SmsMetrics;
}

export interface SendBatchRequest {
  sendingId: string;
  projectId: string;
  /** The snapshot pass: recipients after this seq. */
  afterSeq: number;
  limit: number;
  message: string;
  senderId: string | null;
  /** Recipients up to this seq were judged by Prepare's validation; later ones (added by a refresh) are judged at send. */
  validatedUpToSeq?: number;
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

/** An interrupted batch moves nothing forward: `lastSeq` is `afterSeq`, its counts are zero, and the same range runs again. */
export interface SendBatchResult {
  lastSeq: number;
  done: boolean;
  counts: BatchCounts;
  interrupted: BatchInterruption | null;
  /** With a backoff: how many backoffs in a row the worker allows before the sending pauses itself. */
  backoffRoundsBeforePause: number;
  /** Provider calls this attempt made (the next batch is sized by their rate); absent from workers before it. */
  calls?: number;
}

export interface ReleaseBatchResult {
  /** What this batch did to the held recipients it decided (also when it was interrupted). */
  counts: BatchCounts;
  /** Held recipients left after this batch. */
  held: HeldSummary;
  /** No due held recipient is left (the rest wait for later windows). */
  done: boolean;
  interrupted: BatchInterruption | null;
  backoffRoundsBeforePause: number;
}

export interface RetryBatchResult {
  /** What this batch did to the recipients it decided (also when it was interrupted). */
  counts: BatchCounts;
  /** Recipients up to the cursor still waiting after this batch. */
  pendingLeft: number;
  interrupted: BatchInterruption | null;
  backoffRoundsBeforePause: number;
}

export interface SettleRequest {
  /** Cancelled: in-doubt messages whose holder is gone become `unknown`; paused: they wait for the resume. */
  abandonExpired: boolean;
}

/** Every activity the workflows call; each group takes only the directory's roles it uses. */
export const createActivities = (given: ActivityDeps) => {
  const deps: ActivityDeps = { ...given, provider: timedProvider(given.provider, given.metrics) };
  return {
    ...selectionActivities(deps.directory),
    ...governanceActivities(deps),
    ...dispatchActivities(deps),
  };
};
