/**
 * How a first-pass batch reads its range. On PostgreSQL a page at a time: its first message starts after the
 * first page is read, not after all of its rows, and a page that cannot be read fails the batch (run again by
 * Temporal) instead of ending it early with rows never sent. On SQLite, whose reads run on the worker's main
 * thread and cannot overlap the sending, in one read. Either way each recipient gets one message.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchRequest, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { FIRST_PAGE, SNAPSHOT_PAGE } from '../../worker/activities/row-source';
import type { SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { STORES, openFreshDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 5_200;
const BATCH = 5_000;
const everyone: AudienceSelection = { projectId: 'pages', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe.each(STORES)('a batch reading its range (%s)', (store) => {
  let fresh: FreshDirectory;
  /** Every read of the snapshot: [afterSeq, limit, rows returned]. */
  let reads: [number, number, number][] = [];
  let failReadAfterRows = Infinity;
  const rowsRead = () => reads.reduce((sum, [, , rows]) => sum + rows, 0);

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    await seedBulk(fresh.directory, 'pages', RECIPIENTS);
    const read = fresh.directory.readSnapshot.bind(fresh.directory);
    fresh.directory.readSnapshot = async (sendingId, afterSeq, limit) => {
      if (rowsRead() >= failReadAfterRows) throw new Error('the directory went away');
      const rows = await read(sendingId, afterSeq, limit);
      // Reads of one row are a recipient's row read again (deliverRecipient), not the batch's pages.
      if (limit > 1) reads.push([afterSeq, limit, rows.length]);
      return rows;
    };
  });
  afterAll(() => fresh?.close());
  beforeEach(() => {
    reads = [];
    failReadAfterRows = Infinity;
  });

  async function preparedSending(id: string) {
    await fresh.directory.createSending({ id, projectId: 'pages', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await fresh.directory.prepareSnapshot(id, everyone);
    const calls = new Map<number, number>();
    let rowsReadAtFirstCall: number | null = null;
    const provider: SmsProvider = {
      name: 'counting',
      idempotent: false,
      send: async (sms) => {
        rowsReadAtFirstCall ??= rowsRead();
        calls.set(sms.seq!, (calls.get(sms.seq!) ?? 0) + 1);
        return { status: 'sent', providerMessageId: `m-${sms.seq}` };
      },
    };
    const activities = createActivities({
      directory: fresh.directory,
      provider,
      limiter: createRateLimiter(0),
      concurrency: 8,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    });
    const request = (afterSeq: number): SendBatchRequest => ({
      sendingId: id,
      projectId: 'pages',
      afterSeq,
      limit: BATCH,
      message: 'Hi {{firstName}}',
      senderId: null,
    });
    const sendBatch = (afterSeq: number): Promise<SendBatchResult> =>
      new MockActivityEnvironment().run(activities.sendBatch, request(afterSeq));
    return { calls, sendBatch, firstCallAfter: () => rowsReadAtFirstCall };
  }

  test('each recipient gets one message over two batches, read as the store reads best', async () => {
    const sending = await preparedSending(`${store}-1`);
    const first = await sending.sendBatch(0);
    expect(first).toMatchObject({ lastSeq: BATCH, done: false, interrupted: null, calls: BATCH });
    expect(first.counts).toMatchObject({ total: BATCH, sent: BATCH });
    if (store === 'postgres') {
      // The first page, and at most the one read ahead of the lanes, before the first message.
      expect(sending.firstCallAfter()).toBeLessThanOrEqual(FIRST_PAGE + SNAPSHOT_PAGE);
      expect(Math.max(...reads.map(([, , rows]) => rows))).toBeLessThanOrEqual(SNAPSHOT_PAGE);
      expect(rowsRead()).toBe(BATCH);
    } else {
      expect(reads).toEqual([[0, BATCH, BATCH]]);
    }

    reads = [];
    const second = await sending.sendBatch(first.lastSeq);
    expect(second).toMatchObject({ lastSeq: RECIPIENTS, done: true, interrupted: null, calls: RECIPIENTS - BATCH });
    expect(second.counts).toMatchObject({ total: RECIPIENTS - BATCH, sent: RECIPIENTS - BATCH });
    if (store === 'sqlite') expect(reads).toEqual([[BATCH, BATCH, RECIPIENTS - BATCH]]);
    expect(sending.calls.size).toBe(RECIPIENTS);
    expect([...sending.calls.values()].every((n) => n === 1)).toBe(true);
  });

  test('a read that fails fails the batch; the next attempt sends the rest, each recipient once', async () => {
    const sending = await preparedSending(`${store}-2`);
    // PostgreSQL: a page in the middle of the batch; SQLite: its one read.
    failReadAfterRows = store === 'postgres' ? 2_000 : 0;
    await expect(sending.sendBatch(0)).rejects.toThrow('the directory went away');
    const sentBeforeFailure = sending.calls.size;
    if (store === 'postgres') {
      expect(sentBeforeFailure).toBeGreaterThan(0);
      expect(sentBeforeFailure).toBeLessThan(BATCH);
    } else {
      expect(sentBeforeFailure).toBe(0);
    }
    expect(await fresh.directory.progress(`${store}-2`)).toMatchObject({ sent: sentBeforeFailure, dispatching: 0 });

    failReadAfterRows = Infinity;
    const again = await sending.sendBatch(0);
    expect(again).toMatchObject({ lastSeq: BATCH, done: false, interrupted: null, calls: BATCH - sentBeforeFailure });
    expect(sending.calls.size).toBe(BATCH);
    expect([...sending.calls.values()].every((n) => n === 1)).toBe(true);
  });
});
