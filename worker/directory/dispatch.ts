/** Per-recipient state during dispatch: the last-moment check, state changes, progress. */
import type { MessageState } from '../../domain/types';
import type { DispatchCheck, HeldSummary, ProgressCounts } from './directory';
import { DirectoryInputError } from './errors';
import { jsonRows, jsonRowsParam, type SqlStore } from './sql-store';
import { StatementGroup, type StatementItem } from './statement-group';

const MESSAGE_STATES: readonly MessageState[] = ['pending', 'held', 'dispatching', 'sent', 'failed', 'skipped', 'unknown'];
const FINAL_STATES: readonly MessageState[] = ['sent', 'failed', 'skipped', 'unknown'];

/**
 * Whether the recipient may still get the message: the kill list first, then the contact itself.
 * The checks the lanes of a batch ask at the same moment are answered by one statement.
 */
export function checkDispatch(db: SqlStore, projectId: string, contactId: string, e164: string): Promise<DispatchCheck> {
  const id = /^\d+$/.test(contactId) ? Number(contactId) : -1;
  return groupsFor(db).checks.submit({ key: `${projectId}\u0000${e164}\u0000${id}`, params: [projectId, e164, id] });
}

async function checkAll(db: SqlStore, items: StatementItem[]): Promise<DispatchCheck[]> {
  const rows = await db.all<{ i: number | string; opted_out: number; active: number | null }>(
    `SELECT CAST(j.value ->> 0 AS INTEGER) AS i,
            (SELECT COUNT(*) FROM opt_outs o WHERE o.project_id = j.value ->> 1 AND o.e164 = j.value ->> 2) AS opted_out,
            (SELECT c.active FROM contacts c WHERE c.project_id = j.value ->> 1 AND c.id = CAST(j.value ->> 3 AS BIGINT)) AS active
       FROM ${jsonRows(db.dialect)}`,
    [jsonRowsParam(items.map((item, i) => [i, ...item.params]))],
  );
  const checks: DispatchCheck[] = new Array(items.length).fill('removed');
  for (const row of rows) {
    const active = row.active === null || row.active === undefined ? null : Number(row.active);
    checks[Number(row.i)] = Number(row.opted_out ?? 0) > 0 ? 'optedOut' : active === null ? 'removed' : active === 1 ? 'ok' : 'inactive';
  }
  return checks;
}

/**
 * Marks a pending or held recipient `dispatching` only when they may still get the message (not on
 * the kill list, contact still active), in one step; otherwise changes nothing and says why.
 */
export async function claimDispatch(db: SqlStore, sendingId: string, seq: number, projectId: string, contactId: string, e164: string): Promise<DispatchCheck> {
  const id = /^\d+$/.test(contactId) ? Number(contactId) : -1;
  const claimed = await groupsFor(db).claims.submit({ key: `${sendingId}\u0000${seq}`, params: [sendingId, seq, projectId, e164, id] });
  if (claimed) return 'ok';
  const check = await checkDispatch(db, projectId, contactId, e164);
  // Allowed after all (the kill list or the contact changed in between), or not in the snapshot: the plain write says which.
  if (check === 'ok') await markDispatching(db, sendingId, seq);
  return check;
}

async function claimAll(db: SqlStore, items: StatementItem[]): Promise<boolean[]> {
  const claimed = await db.all<{ sending_id: string; seq: number | string }>(
    `UPDATE sending_recipients AS r
        SET state = 'dispatching', attempts = r.attempts + 1, updated_at = ?
       FROM ${jsonRows(db.dialect)}
      WHERE r.sending_id = j.value ->> 0 AND r.seq = CAST(j.value ->> 1 AS INTEGER)
        AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.project_id = j.value ->> 2 AND o.e164 = j.value ->> 3)
        AND EXISTS (SELECT 1 FROM contacts c WHERE c.project_id = j.value ->> 2 AND c.id = CAST(j.value ->> 4 AS BIGINT) AND c.active = 1)
  RETURNING sending_id, seq`,
    [Date.now(), jsonRowsParam(items.map((item) => item.params))],
  );
  const keys = new Set(claimed.map((row) => `${row.sending_id}\u0000${Number(row.seq)}`));
  return items.map((item) => keys.has(item.key));
}

/**
 * The state changes of the send path (dispatching before the provider call, the final state after
 * it) that the lanes ask at the same moment, written by one statement: one commit, one round trip.
 * Each caller still waits until its own row is written.
 */
async function writeAll(db: SqlStore, items: StatementItem[]): Promise<(void | Error)[]> {
  const changed = await db.all<{ sending_id: string; seq: number | string }>(
    `UPDATE sending_recipients AS r
        SET state = j.value ->> 2,
            detail = CASE WHEN CAST(j.value ->> 4 AS INTEGER) = 1 THEN j.value ->> 3 ELSE r.detail END,
            attempts = r.attempts + CAST(j.value ->> 5 AS INTEGER),
            updated_at = ?
       FROM ${jsonRows(db.dialect)}
      WHERE r.sending_id = j.value ->> 0 AND r.seq = CAST(j.value ->> 1 AS INTEGER)
  RETURNING sending_id, seq`,
    [Date.now(), jsonRowsParam(items.map((item) => item.params))],
  );
  const written = new Set(changed.map((row) => `${row.sending_id}\u0000${Number(row.seq)}`));
  return Promise.all(
    items.map(async (item) => {
      if (written.has(item.key)) return undefined;
      const [sendingId, seq] = item.params as [string, number];
      const exists = await db.get('SELECT 1 AS found FROM sending_recipients WHERE sending_id = ? AND seq = ?', [sendingId, seq]);
      return exists ? undefined : new DirectoryInputError(`Sending "${sendingId}" has no recipient #${seq} in its snapshot.`);
    }),
  );
}

function writeState(db: SqlStore, sendingId: string, seq: number, state: MessageState, detail: { value: string | null } | null, attempts: 0 | 1): Promise<void> {
  const params = [sendingId, seq, state, detail?.value ?? null, detail ? 1 : 0, attempts];
  return groupsFor(db).writes.submit({ key: `${sendingId}\u0000${seq}`, params });
}

const groups = new WeakMap<SqlStore, { checks: StatementGroup<DispatchCheck>; claims: StatementGroup<boolean>; writes: StatementGroup<void> }>();

function groupsFor(db: SqlStore) {
  let found = groups.get(db);
  if (!found) {
    found = {
      checks: new StatementGroup((items) => checkAll(db, items)),
      claims: new StatementGroup((items) => claimAll(db, items)),
      writes: new StatementGroup((items) => writeAll(db, items)),
    };
    groups.set(db, found);
  }
  return found;
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
  return writeState(db, sendingId, seq, 'dispatching', null, 1);
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
  return writeState(db, sendingId, seq, state, { value: detail }, 0);
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
