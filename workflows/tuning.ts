/**
 * The limits of a sending's tuning (workflows/messages.ts `SendingTuning`): the client refuses a tuning
 * outside them before it starts the workflow, and the workflow falls back to the default for a value
 * outside them (a workflow cannot refuse its own input).
 */
import type { SendingTuning } from './messages';

/** Batches of one sending in flight at once (so as many workers share it); at most the worker's activity slots. */
export const MAX_PARALLEL_BATCHES = 16;
/**
 * 1: one batch at a time unless the sending asks for more. Under a provider-wide limit that one batch
 * already reaches, more batches reached less of the limit in the benchmarks (docs/scale.md); with a
 * slow provider and no binding limit, 4 made one sending ~3× faster (docs/benchmarks.md, "Scale-out").
 */
export const DEFAULT_PARALLEL_BATCHES = 1;

/** The most recipients one batch may hold (the limit of `batchSize` and `maxBatchSize`). */
export const MAX_BATCH_SIZE = 10_000;
/** The first batches' size, and the smallest, unless the tuning says otherwise. */
export const DEFAULT_BATCH_SIZE = 500;

const wholeIn = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** What is wrong with a tuning, one sentence per field; empty when it can be used. */
export function tuningProblems(tuning: Partial<SendingTuning>): string[] {
  const problems: string[] = [];
  if (tuning.batchSize !== undefined && !wholeIn(tuning.batchSize, 1, MAX_BATCH_SIZE))
    problems.push(
      `"batchSize" must be a whole number from 1 to ${MAX_BATCH_SIZE} (recipients per batch); got ${String(tuning.batchSize)}.`,
    );
  if (tuning.maxBatchSize !== undefined && !wholeIn(tuning.maxBatchSize, 1, MAX_BATCH_SIZE))
    problems.push(
      `"maxBatchSize" must be a whole number from 1 to ${MAX_BATCH_SIZE} (the most recipients per batch as batches grow); got ${String(tuning.maxBatchSize)}.`,
    );
  const batchSize = tuning.batchSize ?? DEFAULT_BATCH_SIZE;
  if (wholeIn(batchSize, 1, MAX_BATCH_SIZE) && wholeIn(tuning.maxBatchSize, 1, MAX_BATCH_SIZE) && tuning.maxBatchSize! < batchSize)
    problems.push(
      `"maxBatchSize" (${tuning.maxBatchSize}) must not be below "batchSize" (${batchSize}${tuning.batchSize === undefined ? ', the default' : ''}): batches start at batchSize and grow up to maxBatchSize.`,
    );
  if (tuning.batchesPerRun !== undefined && !wholeIn(tuning.batchesPerRun, 1, 1_000))
    problems.push(`"batchesPerRun" must be a whole number from 1 to 1000; got ${String(tuning.batchesPerRun)}.`);
  if (tuning.retryWindowMs !== undefined && !wholeIn(tuning.retryWindowMs, 0, 90 * 24 * 3_600_000))
    problems.push(`"retryWindowMs" must be a whole number of milliseconds from 0 to 90 days; got ${String(tuning.retryWindowMs)}.`);
  if (tuning.parallelBatches !== undefined && !wholeIn(tuning.parallelBatches, 1, MAX_PARALLEL_BATCHES))
    problems.push(
      `"parallelBatches" must be a whole number from 1 to ${MAX_PARALLEL_BATCHES} (batches of the sending in flight at once); got ${String(tuning.parallelBatches)}.`,
    );
  return problems;
}

/**
 * The largest batch as the workflow uses it: the tuning's when it is within the limits (never below the
 * batch size); when the tuning gives a batch size but no maximum, that size (fixed batches, as before
 * batches grew); otherwise MAX_BATCH_SIZE.
 */
export function maxBatchSizeOf(tuning: Partial<SendingTuning>, batchSize: number): number {
  if (wholeIn(tuning.maxBatchSize, 1, MAX_BATCH_SIZE)) return Math.max(batchSize, tuning.maxBatchSize!);
  return tuning.batchSize !== undefined ? batchSize : Math.max(batchSize, MAX_BATCH_SIZE);
}

/** K as the workflow uses it: the tuning's when it is within the limits, otherwise the default. */
export const parallelBatchesOf = (tuning: Partial<SendingTuning>): number =>
  wholeIn(tuning.parallelBatches, 1, MAX_PARALLEL_BATCHES) ? tuning.parallelBatches! : DEFAULT_PARALLEL_BATCHES;
