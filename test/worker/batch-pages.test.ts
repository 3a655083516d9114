/**
 * A first-pass batch reads its range a page at a time: its first message starts after the first page is
 * read, not after all of its rows, and a page that cannot be read fails the batch (run again by Temporal)
 * instead of ending it early with rows never sent.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchRequest, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { FIRST_PAGE, SNAPSHOT_PAGE, readSnapshotPages } from '../../worker/activities/row-source';
import { runLanes } from '../../worker/activities/run-pool';
import type { SnapshotRow } from '../../worker/directory/directory';
import type { SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 5_200;
const BATCH = 5_000;
const everyone: AudienceSelection = { projectId: 'pages', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe('a batch read in pages', () => {
  let fresh: FreshDirectory;
  /** Rows the directory handed out, and the largest single read. */
  let rowsRead = 0;
  let largestRead = 0;
  let failReadAfterRows = Infinity;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'pages', RECIPIENTS);
    const read = fresh.directory.readSnapshot.bind(fresh.directory);
    fresh.directory.readSnapshot = async (sendingId, afterSeq, limit) => {
      if (rowsRead >= failReadAfterRows) throw new Error('the directory went away');
      const rows = await read(sendingId, afterSeq, limit);
      rowsRead += rows.length;
      largestRead = Math.max(largestRead, rows.length);
      return rows;
    };
  });
  afterAll(() => fresh?.close());
  beforeEach(() => {
    rowsRead = 0;
    largestRead = 0;
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
        rowsReadAtFirstCall ??= rowsRead;
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

  test('the first message goes after the first page is read; the rest is read while it sends, each row once', async () => {
    const sending = await preparedSending('pages-1');
    const first = await sending.sendBatch(0);
    // The first page (500) and at most the one read ahead of the lanes.
    expect(FIRST_PAGE).toBe(500);
    expect(sending.firstCallAfter()).toBeLessThanOrEqual(500 + SNAPSHOT_PAGE);
    expect(largestRead).toBeLessThanOrEqual(SNAPSHOT_PAGE);
    expect(rowsRead).toBe(BATCH);
    expect(first).toMatchObject({ lastSeq: BATCH, done: false, interrupted: null, calls: BATCH });
    expect(first.counts).toMatchObject({ total: BATCH, sent: BATCH });

    const second = await sending.sendBatch(first.lastSeq);
    expect(second).toMatchObject({ lastSeq: RECIPIENTS, done: true, interrupted: null, calls: RECIPIENTS - BATCH });
    expect(second.counts).toMatchObject({ total: RECIPIENTS - BATCH, sent: RECIPIENTS - BATCH });
    expect(sending.calls.size).toBe(RECIPIENTS);
    expect([...sending.calls.values()].every((n) => n === 1)).toBe(true);
  });

  test('a page that cannot be read fails the batch; the next attempt sends the rest, each recipient once', async () => {
    const sending = await preparedSending('pages-2');
    failReadAfterRows = 2_000;
    await expect(sending.sendBatch(0)).rejects.toThrow('the directory went away');
    const sentBeforeFailure = sending.calls.size;
    expect(sentBeforeFailure).toBeGreaterThan(0);
    expect(sentBeforeFailure).toBeLessThan(BATCH);
    expect(await fresh.directory.progress('pages-2')).toMatchObject({ sent: sentBeforeFailure, dispatching: 0 });

    failReadAfterRows = Infinity;
    const again = await sending.sendBatch(0);
    expect(again).toMatchObject({ lastSeq: BATCH, done: false, interrupted: null, calls: BATCH - sentBeforeFailure });
    expect(sending.calls.size).toBe(BATCH);
    expect([...sending.calls.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('snapshot pages', () => {
  const rows = (from: number, to: number): SnapshotRow[] =>
    Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => ({ seq: from + i }) as SnapshotRow);

  test('lanes asking at once get each row once, in seq order, with one read per page', async () => {
    const reads: [number, number][] = [];
    const last = 2_345;
    const read = async (afterSeq: number, limit: number) => {
      reads.push([afterSeq, limit]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return rows(afterSeq + 1, Math.min(afterSeq + limit, last));
    };
    const source = await readSnapshotPages(read, 100, 5_000);
    const taken: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let row = await source.next(); row; row = await source.next()) taken.push(row.seq);
      }),
    );
    expect(taken).toEqual(rows(101, last).map((r) => r.seq));
    expect(reads).toEqual([
      [100, FIRST_PAGE],
      [600, 1000],
      [1600, 1000],
    ]);
    expect(source.taken).toBe(last - 100);
    expect(source.lastSeq).toBe(last);
  });

  test('a first page shorter than asked is the end of the snapshot: no further read', async () => {
    const reads: [number, number][] = [];
    const source = await readSnapshotPages(
      async (afterSeq, limit) => (reads.push([afterSeq, limit]), rows(afterSeq + 1, Math.min(afterSeq + limit, 300))),
      0,
      5_000,
    );
    let count = 0;
    while (await source.next()) count++;
    expect(count).toBe(300);
    expect(reads).toEqual([[0, FIRST_PAGE]]);
  });

  test('reads stop at the range even when the snapshot goes on', async () => {
    const source = await readSnapshotPages(async (afterSeq, limit) => rows(afterSeq + 1, afterSeq + limit), 0, 1_200);
    let count = 0;
    while (await source.next()) count++;
    expect(count).toBe(1_200);
    expect(source.lastSeq).toBe(1_200);
  });
});

describe('lanes over a source that waits', () => {
  test('no item starts after a lane failed, also in lanes that were waiting for their item', async () => {
    let handed = 0;
    const next = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return ++handed;
    };
    const started: number[] = [];
    let failedAt: number | null = null;
    const run = runLanes(next, 8, async (item) => {
      if (failedAt !== null) started.push(item);
      if (item === 3) {
        failedAt = item;
        throw new Error('the directory went away');
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    await expect(run).rejects.toThrow('the directory went away');
    expect(started).toEqual([]);
  });
});
