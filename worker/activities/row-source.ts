/**
 * The rows a batch works through, handed to its lanes one at a time in seq order. A first-pass batch
 * reads its range a page at a time, the next page while the lanes work on this one: a batch of 10,000
 * rows took ~30 ms to read on PostgreSQL before its first message could start (docs/benchmarks.md).
 */
import type { SnapshotRow } from '../directory/directory';

export interface RowSource {
  /** The next row, or undefined when there are no more. */
  next(): Promise<SnapshotRow | undefined>;
  /** No row at all (known before the first `next`). */
  readonly empty: boolean;
  /** Rows handed out so far. */
  readonly taken: number;
  /** The seq of the last row handed out; null before the first. */
  readonly lastSeq: number | null;
}

/** Rows read before the batch started (held rows due, rows put back for a retry). */
export function rowsOf(rows: readonly SnapshotRow[]): RowSource {
  let taken = 0;
  return {
    next: async () => (taken < rows.length ? rows[taken++] : undefined),
    empty: rows.length === 0,
    get taken() {
      return taken;
    },
    get lastSeq() {
      return taken === 0 ? null : rows[taken - 1].seq;
    },
  };
}

/** A batch's first read on PostgreSQL: its first messages start after these rows are read, the rest are read while they go. */
export const FIRST_PAGE = 500;
/** Rows per read after the first page. */
export const SNAPSHOT_PAGE = 1000;
/** The next page is read once fewer rows than this are left unread by the lanes. */
const READ_AHEAD = SNAPSHOT_PAGE / 2;

type ReadPage = (afterSeq: number, limit: number) => Promise<SnapshotRow[]>;

/**
 * The snapshot rows after `afterSeq`, at most `limit`: `firstRead` rows read now, then `SNAPSHOT_PAGE` at a time
 * as the lanes take them. Seqs are dense, so a page shorter than asked is the end.
 */
export async function readSnapshotPages(read: ReadPage, afterSeq: number, limit: number, firstRead = FIRST_PAGE): Promise<RowSource> {
  const end = afterSeq + limit;
  const firstAsked = Math.min(limit, firstRead);
  const firstPage = await read(afterSeq, firstAsked);
  let buffer = firstPage;
  let index = 0;
  let taken = 0;
  let lastSeq: number | null = null;
  let cursor = firstPage.length > 0 ? firstPage[firstPage.length - 1].seq : afterSeq;
  let exhausted = firstPage.length < firstAsked || cursor >= end;
  let reading: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;

  const readNext = (): void => {
    if (reading || exhausted || failure || buffer.length - index > READ_AHEAD) return;
    const asked = Math.min(SNAPSHOT_PAGE, end - cursor);
    reading = read(cursor, asked)
      .then((page) => {
        buffer = buffer.slice(index).concat(page);
        index = 0;
        if (page.length > 0) cursor = page[page.length - 1].seq;
        exhausted = page.length < asked || cursor >= end;
      })
      .catch((error: unknown) => {
        failure = { error };
      })
      .finally(() => {
        reading = null;
      });
  };

  return {
    empty: firstPage.length === 0,
    async next() {
      for (;;) {
        if (index < buffer.length) {
          const row = buffer[index++];
          taken += 1;
          lastSeq = row.seq;
          readNext();
          return row;
        }
        if (failure) throw failure.error;
        if (exhausted) return undefined;
        readNext();
        await reading;
      }
    },
    get taken() {
      return taken;
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
