/**
 * The page source a first-pass batch reads its range through on PostgreSQL (the batch itself:
 * batch-reads.test.ts), and the lanes that take rows from it.
 */
import { FIRST_PAGE, readSnapshotPages } from '../../worker/activities/row-source';
import { runLanes } from '../../worker/activities/run-pool';
import type { SnapshotRow } from '../../worker/directory/directory';

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
