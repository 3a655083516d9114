/** Send SMS's "wait for receipts": reads the summary until nothing awaits a receipt or the deadline passes. */
import { waitForReceipts } from '../../client/delivery-wait';
import type { DeliverySummary } from '../../worker/directory/deliveries';

const summary = (awaitingReceipt: number): DeliverySummary => ({
  sent: 10,
  delivered: 10 - awaitingReceipt,
  read: 0,
  undelivered: 0,
  failed: 0,
  awaitingReceipt,
  byErrorCode: {},
  killListed: {},
});

/** A lookup answering the summaries in turn (the last one again), and a clock that sleeps without waiting. */
function fake(awaiting: number[]) {
  let now = 1_000_000;
  const pauses: number[] = [];
  const reads: string[] = [];
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const sendings = {
    lookup: async (request: { kind: string; sendingId?: string }) => {
      reads.push(`${request.kind}:${request.sendingId}`);
      return summary(awaiting[Math.min(reads.length - 1, awaiting.length - 1)]);
    },
  } as never;
  const sleep = async (ms: number) => {
    pauses.push(ms);
    now += ms;
  };
  return { sendings, sleep, pauses, reads };
}

afterEach(() => jest.restoreAllMocks());

test('without a deadline: one read, complete when nothing awaits a receipt', async () => {
  const f = fake([3]);
  expect(await waitForReceipts(f.sendings, 's1', 0, f.sleep)).toEqual({ summary: summary(3), receiptsComplete: false });
  expect(f.reads).toEqual(['deliverySummary:s1']);
  expect(f.pauses).toEqual([]);
});

test('polls, spaced out, until every receipt is in', async () => {
  const f = fake([5, 2, 1, 0]);
  expect(await waitForReceipts(f.sendings, 's1', 600_000, f.sleep)).toEqual({ summary: summary(0), receiptsComplete: true });
  expect(f.reads).toHaveLength(4);
  expect(f.pauses).toEqual([2_000, 4_000, 8_000]);
});

test('stops at the deadline with what it has: receiptsComplete false', async () => {
  const f = fake([4]);
  const wait = await waitForReceipts(f.sendings, 's1', 45_000, f.sleep);
  expect(wait).toEqual({ summary: summary(4), receiptsComplete: false });
  expect(f.pauses).toEqual([2_000, 4_000, 8_000, 16_000, 15_000]);
  expect(f.pauses.reduce((a, b) => a + b, 0)).toBe(45_000);
});
