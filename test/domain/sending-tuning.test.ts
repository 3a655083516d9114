/** A sending's tuning (workflows/tuning.ts): what the client refuses, and what the workflow falls back to. */
import { DEFAULT_PARALLEL_BATCHES, MAX_PARALLEL_BATCHES, parallelBatchesOf, tuningProblems } from '../../workflows/tuning';

test('a tuning within its limits has no problem; each field out of them is named with its limits', () => {
  expect(tuningProblems({})).toEqual([]);
  expect(tuningProblems({ batchSize: 500, batchesPerRun: 100, retryWindowMs: 0, parallelBatches: MAX_PARALLEL_BATCHES })).toEqual([]);
  expect(tuningProblems({ parallelBatches: 0 })).toEqual([
    '"parallelBatches" must be a whole number from 1 to 16 (batches of the sending in flight at once); got 0.',
  ]);
  expect(tuningProblems({ parallelBatches: 2.5, batchSize: 0, batchesPerRun: -1, retryWindowMs: Number.NaN })).toHaveLength(4);
  expect(tuningProblems({ parallelBatches: '4' as unknown as number })).toHaveLength(1);
});

test('the workflow uses the tuning K when it is within the limits, the default otherwise', () => {
  expect(parallelBatchesOf({ parallelBatches: 4 })).toBe(4);
  expect(parallelBatchesOf({})).toBe(DEFAULT_PARALLEL_BATCHES);
  expect(parallelBatchesOf({ parallelBatches: 0 })).toBe(DEFAULT_PARALLEL_BATCHES);
  expect(parallelBatchesOf({ parallelBatches: MAX_PARALLEL_BATCHES + 1 })).toBe(DEFAULT_PARALLEL_BATCHES);
  expect(DEFAULT_PARALLEL_BATCHES).toBe(1);
});
