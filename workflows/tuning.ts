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

const wholeIn = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** What is wrong with a tuning, one sentence per field; empty when it can be used. */
export function tuningProblems(tuning: Partial<SendingTuning>): string[] {
  const problems: string[] = [];
  if (tuning.batchSize !== undefined && !wholeIn(tuning.batchSize, 1, 10_000))
    problems.push(`"batchSize" must be a whole number from 1 to 10000 (recipients per batch); got ${String(tuning.batchSize)}.`);
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

/** K as the workflow uses it: the tuning's when it is within the limits, otherwise the default. */
export const parallelBatchesOf = (tuning: Partial<SendingTuning>): number =>
  wholeIn(tuning.parallelBatches, 1, MAX_PARALLEL_BATCHES) ? tuning.parallelBatches! : DEFAULT_PARALLEL_BATCHES;
