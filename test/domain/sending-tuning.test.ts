/** A sending's tuning (workflows/tuning.ts): what the client refuses, and what the workflow falls back to. */
import {
  DEFAULT_PARALLEL_BATCHES,
  MAX_BATCH_SIZE,
  MAX_PARALLEL_BATCHES,
  maxBatchSizeOf,
  parallelBatchesOf,
  tuningProblems,
} from '../../workflows/tuning';

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

test('maxBatchSize: named with its limits, and refused below batchSize', () => {
  expect(tuningProblems({ batchSize: 500, maxBatchSize: MAX_BATCH_SIZE })).toEqual([]);
  expect(tuningProblems({ maxBatchSize: 0 })).toEqual([
    '"maxBatchSize" must be a whole number from 1 to 10000 (the most recipients per batch as batches grow); got 0.',
  ]);
  expect(tuningProblems({ batchSize: 500, maxBatchSize: 100 })).toEqual([
    '"maxBatchSize" (100) must not be below "batchSize" (500): batches start at batchSize and grow up to maxBatchSize.',
  ]);
  expect(tuningProblems({ maxBatchSize: 100 })).toEqual([
    '"maxBatchSize" (100) must not be below "batchSize" (500, the default): batches start at batchSize and grow up to maxBatchSize.',
  ]);
  expect(tuningProblems({ batchSize: 50, maxBatchSize: 100 })).toEqual([]);
});

test('the largest batch: the tuning maximum; the batch size when only that is given (fixed batches); otherwise 10,000', () => {
  expect(maxBatchSizeOf({}, 500)).toBe(MAX_BATCH_SIZE);
  expect(maxBatchSizeOf({ maxBatchSize: 2000 }, 500)).toBe(2000);
  expect(maxBatchSizeOf({ batchSize: 20, maxBatchSize: 2000 }, 20)).toBe(2000);
  expect(maxBatchSizeOf({ batchSize: 20 }, 20)).toBe(20);
  // A tuning carried by continue-as-new from a version before batches grew holds batchSize and no maximum: fixed.
  expect(maxBatchSizeOf({ batchSize: 500, batchesPerRun: 100, retryWindowMs: 0, parallelBatches: 1 }, 500)).toBe(500);
  expect(maxBatchSizeOf({ maxBatchSize: 0 }, 500)).toBe(MAX_BATCH_SIZE);
  expect(maxBatchSizeOf({ maxBatchSize: 100 }, 500)).toBe(500);
});
