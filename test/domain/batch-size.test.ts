/** The first pass's next batch size (workflows/sending/batch-size.ts): a few seconds of messages at the last batch's rate. */
import { BATCH_GROWTH, BATCH_SECONDS, nextBatchSize } from '../../workflows/sending/batch-size';

const MIN = 500;
const MAX = 10_000;

test('a batch lasts BATCH_SECONDS at the rate the last one reached', () => {
  // 2,000 calls in 2 s: 1,000 a second.
  expect(nextBatchSize(2000, { limit: 2000, calls: 2000, elapsedMs: 2000 }, MIN, MAX)).toBe(1000 * BATCH_SECONDS);
  // 500 calls in 5 s (a limit of 100 a second): the smallest batch.
  expect(nextBatchSize(500, { limit: 500, calls: 500, elapsedMs: 5000 }, MIN, MAX)).toBe(MIN);
});

test('a batch grows at most BATCH_GROWTH times the one measured, and never past the maximum', () => {
  expect(nextBatchSize(500, { limit: 500, calls: 500, elapsedMs: 100 }, MIN, MAX)).toBe(500 * BATCH_GROWTH);
  expect(nextBatchSize(8000, { limit: 8000, calls: 8000, elapsedMs: 100 }, MIN, MAX)).toBe(MAX);
});

test('it shrinks at once when the rate falls, down to the smallest batch', () => {
  expect(nextBatchSize(10_000, { limit: 10_000, calls: 3000, elapsedMs: 10_000 }, MIN, MAX)).toBe(1500);
  expect(nextBatchSize(10_000, { limit: 10_000, calls: 10, elapsedMs: 60_000 }, MIN, MAX)).toBe(MIN);
});

test('a batch without a provider call (held by quiet hours, skipped, already done) keeps the size: held rows cost no time', () => {
  expect(nextBatchSize(2000, { limit: 2000, calls: 0, elapsedMs: 5 }, MIN, MAX)).toBe(2000);
  // Few calls among many held rows: the rate of the calls, not of the rows.
  expect(nextBatchSize(2000, { limit: 2000, calls: 10, elapsedMs: 1000 }, MIN, MAX)).toBe(MIN);
});
