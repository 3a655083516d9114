/** `outbox SENDING_ID --csv`: one row per message the outbox provider recorded, numbers masked unless asked for. */
import { csvDocument } from '../domain/csv-cell';
import { maskE164, maskPhoneNumbers } from '../domain/mask-numbers';
import type { Directory, SnapshotRow } from '../worker/directory/directory';

export const OUTBOX_CSV_HEADER = ['seq', 'recipient', 'to', 'from', 'text', 'recorded_at', 'state'] as const;

export async function outboxCsv(directory: Directory, sendingId: string, options: { fullNumbers: boolean }): Promise<string> {
  const messages = await directory.readOutbox(sendingId);
  const recipients = await snapshotBySeq(
    directory,
    sendingId,
    messages.reduce((last, message) => Math.max(last, message.seq), 0),
  );
  const number = (value: string | null) => (value === null || options.fullNumbers ? value : maskE164(value));
  return csvDocument(
    OUTBOX_CSV_HEADER,
    messages.map((message) => {
      const recipient = recipients.get(message.seq);
      return [
        message.seq,
        recipient?.externalId ?? '',
        number(message.to),
        message.from,
        options.fullNumbers ? message.body : maskPhoneNumbers(message.body),
        new Date(message.createdAt).toISOString(),
        recipient?.state ?? '',
      ];
    }),
  );
}

/** The snapshot's rows up to `lastSeq` (readSnapshot reads a window of seqs at a time). */
async function snapshotBySeq(directory: Directory, sendingId: string, lastSeq: number): Promise<Map<number, SnapshotRow>> {
  const rows = new Map<number, SnapshotRow>();
  for (let after = 0; after < lastSeq; after += PAGE) {
    for (const row of await directory.readSnapshot(sendingId, after, PAGE)) rows.set(row.seq, row);
  }
  return rows;
}

const PAGE = 1000;
