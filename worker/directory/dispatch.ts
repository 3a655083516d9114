/** Per-recipient state during dispatch: the last-moment check, state changes, progress. */
import type { MessageState } from '../../domain/types';
import type { DispatchCheck, HeldSummary, ProgressCounts } from './directory';
import { DirectoryInputError } from './errors';
import type { SqlStore } from './sql-store';

const MESSAGE_STATES: readonly MessageState[] = ['pending', 'held', 'dispatching', 'sent', 'failed', 'skipped', 'unknown'];
const FINAL_STATES: readonly MessageState[] = ['sent', 'failed', 'skipped', 'unknown'];

/** Whether the recipient may still get the message: the kill list first, then the contact itself. */
export async function checkDispatch(db: SqlStore, projectId: string, contactId: string, e164: string): Promise<DispatchCheck> {
  const id = /^\d+$/.test(contactId) ? Number(contactId) : -1;
  const row = await db.get<{ opted_out: number; active: number | null }>(
    `SELECT (SELECT COUNT(*) FROM opt_outs WHERE project_id = ? AND e164 = ?) AS opted_out,
            (SELECT active FROM contacts WHERE project_id = ? AND id = ?) AS active`,
    [projectId, e164, projectId, id],
  );
  if (Number(row?.opted_out ?? 0) > 0) return 'optedOut';
  if (row?.active === null || row?.active === undefined) return 'removed';
  return Number(row.active) === 1 ? 'ok' : 'inactive';
}

async function setState(
  db: SqlStore,
  sendingId: string,
  seq: number,
  assignments: string,
  params: (string | number | null)[],
  onlyFrom?: MessageState,
): Promise<void> {
  const changed = await db.run(
    `UPDATE sending_recipients SET ${assignments}, updated_at = ? WHERE sending_id = ? AND seq = ?${onlyFrom ? ' AND state = ?' : ''}`,
    [...params, Date.now(), sendingId, seq, ...(onlyFrom ? [onlyFrom] : [])],
  );
  if (changed > 0) return;
  const exists = await db.get('SELECT 1 AS found FROM sending_recipients WHERE sending_id = ? AND seq = ?', [sendingId, seq]);
  if (!exists) throw new DirectoryInputError(`Sending "${sendingId}" has no recipient #${seq} in its snapshot.`);
}

export function markDispatching(db: SqlStore, sendingId: string, seq: number): Promise<void> {
  return setState(db, sendingId, seq, "state = 'dispatching', attempts = attempts + 1", []);
}

/** Holds a recipient until `untilMs` (quiet hours); only a pending or held row. */
export function markHeld(db: SqlStore, sendingId: string, seq: number, untilMs: number): Promise<void> {
  return setState(db, sendingId, seq, "state = 'held', not_before = ?", [untilMs]);
}

/** Marks pending recipients `skipped` with the reason (excluded by the project's rules at prepare). */
export async function skipRecipients(db: SqlStore, sendingId: string, seqs: number[], reason: string): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < seqs.length; i += 500) {
    const chunk = seqs.slice(i, i + 500);
    await db.run(
      `UPDATE sending_recipients SET state = 'skipped', detail = ?, updated_at = ? WHERE sending_id = ? AND state = 'pending' AND seq IN (${chunk.map(() => '?').join(', ')})`,
      [reason, now, sendingId, ...chunk],
    );
  }
}

/** How many recipients are held, and when the first and the last are due. */
export async function heldSummary(db: SqlStore, sendingId: string): Promise<HeldSummary> {
  const row = await db.get<{ count: number; first: number | null; last: number | null }>(
    "SELECT COUNT(*) AS count, MIN(not_before) AS first, MAX(not_before) AS last FROM sending_recipients WHERE sending_id = ? AND state = 'held'",
    [sendingId],
  );
  const count = Number(row?.count ?? 0);
  return count === 0 ? { count: 0, nextMs: null, lastMs: null } : { count, nextMs: Number(row!.first), lastMs: Number(row!.last) };
}

export function releaseDispatching(db: SqlStore, sendingId: string, seq: number): Promise<void> {
  return setState(db, sendingId, seq, "state = 'pending'", [], 'dispatching');
}

export function markDone(
  db: SqlStore,
  sendingId: string,
  seq: number,
  state: Exclude<MessageState, 'pending' | 'dispatching'>,
  detail: string | null,
): Promise<void> {
  if (!FINAL_STATES.includes(state)) {
    throw new DirectoryInputError(`"${state}" is not a final message state. Use sent, failed, skipped or unknown.`);
  }
  return setState(db, sendingId, seq, 'state = ?, detail = ?', [state, detail]);
}

/** Recipients per state, every state present. */
export async function progress(db: SqlStore, sendingId: string): Promise<ProgressCounts> {
  const rows = await db.all<{ state: MessageState; count: number }>(
    'SELECT state, COUNT(*) AS count FROM sending_recipients WHERE sending_id = ? GROUP BY state',
    [sendingId],
  );
  const counts = Object.fromEntries(MESSAGE_STATES.map((state) => [state, 0])) as ProgressCounts;
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}
