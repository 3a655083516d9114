/**
 * The size of the first pass's next batch: a few seconds of messages at the rate the last batch reached.
 * Each batch ends with a round trip through Temporal (its completion, a workflow task, the next activity)
 * during which the sending has no message in flight; at a fast provider a batch of 500 lasts ~0.2 s and
 * those round trips cost a tenth of the rate, and each batch costs Temporal actions. A batch that lasts
 * seconds makes both negligible, while it stays far inside its 30-minute `startToCloseTimeout` and keeps
 * the tail of a sending spread over several workers short.
 */

/** The time one batch should last, at the rate the previous one reached. */
export const BATCH_SECONDS = 5;
/** A batch grows at most this many times over the one measured (a fast batch of few calls says little). */
export const BATCH_GROWTH = 4;

export interface LandedBatch {
  /** The batch's limit (recipients asked for). */
  limit: number;
  /**
   * Provider calls it made: held and skipped recipients, and rows an earlier attempt decided (a range run
   * again), cost no call and no time at the provider.
   */
  calls: number;
  /** From launching it to its answer, in workflow time (both ends are workflow tasks' times). */
  elapsedMs: number;
}

/**
 * The next batch's size, from `min` (the tuning's `batchSize`) to `max` (its `maxBatchSize`). A batch without
 * a provider call (all held, skipped, or decided by an earlier attempt) says nothing about the rate: the size stays.
 */
export function nextBatchSize(current: number, landed: LandedBatch, min: number, max: number): number {
  if (landed.calls === 0) return current;
  const perSecond = (landed.calls * 1000) / Math.max(1, landed.elapsedMs);
  const wanted = Math.min(Math.floor(perSecond * BATCH_SECONDS), BATCH_GROWTH * landed.limit);
  return Math.min(max, Math.max(min, wanted));
}
