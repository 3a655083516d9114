/** Dispatch-ledger steps for directory tests: claim a snapshot row as an attempt would, and settle it. */
import type { Directory } from '../../worker/directory/directory';

/** Claims row `seq` for `token` (the row must be claimable), as a batch attempt does before its provider call. */
export async function claimRow(directory: Directory, sendingId: string, seq: number, token = 'test-attempt'): Promise<void> {
  const [row] = await directory.readSnapshot(sendingId, seq - 1, 1);
  if (!row || row.seq !== seq) throw new Error(`Sending ${sendingId} has no row #${seq}.`);
  const sending = await directory.getSending(sendingId);
  const outcome = await directory.claimDispatch(
    { sendingId, seq, projectId: sending!.projectId, contactId: row.contactId, e164: row.e164 },
    { token, leaseUntilMs: Date.now() + 60_000 },
  );
  if (outcome !== 'claimed') throw new Error(`Row #${seq} of ${sendingId} could not be claimed: ${outcome}.`);
}

/** Claims row `seq` and settles it `sent` with the provider's id. */
export async function sendRow(directory: Directory, sendingId: string, seq: number, providerMessageId: string): Promise<void> {
  await claimRow(directory, sendingId, seq);
  if (!(await directory.settleClaim(sendingId, seq, 'test-attempt', 'sent', providerMessageId)))
    throw new Error(`Row #${seq} of ${sendingId} could not be settled.`);
}
