/**
 * The dispatch ledger: one row per (sending, recipient) whose state says what has happened to the message.
 *
 * Every change is a compare-and-set. A row is claimed (`pending`/`held` → `dispatching`) by one attempt of
 * one batch, which writes its token and a lease into the row; only the attempt holding the token may settle
 * it (`sent`/`failed`/`unknown`) or release it (back to `pending`). A final state is never overwritten. A
 * claim also fails while the sending's dispatch is stopped (paused or cancelled), so nothing starts after a
 * stop has been recorded. Two attempts of one batch that overlap therefore cannot send one message twice.
 */
import type { MessageState } from '../../domain/types';
import type { Claim, ClaimOutcome, DispatchCheck, DispatchStop, HeldSummary, InFlight, ProgressCounts, RecipientRef } from './directory';
import { DirectoryInputError } from './errors';
import { jsonRows, jsonRowsParam, type SqlStore } from './sql-store';
import { StatementGroup, type StatementItem } from './statement-group';

const MESSAGE_STATES: readonly MessageState[] = ['pending', 'held', 'dispatching', 'sent', 'failed', 'skipped', 'unknown'];
export const SETTLED_STATES = ['sent', 'failed', 'unknown'] as const;
export type SettledState = (typeof SETTLED_STATES)[number];

const contactKey = (contactId: string): number => (/^\d+$/.test(contactId) ? Number(contactId) : -1);
const rowKey = (sendingId: string, seq: number): string => `${sendingId}\u0000${seq}`;

/**
 * Whether the recipient may still get the message: the kill list first, then the contact itself (still
 * there, active, and still at the number in the snapshot — the one that was approved).
 * The checks the lanes of a batch ask at the same moment are answered by one statement.
 */
export function checkDispatch(db: SqlStore, projectId: string, contactId: string, e164: string): Promise<DispatchCheck> {
  const id = contactKey(contactId);
  return groupsFor(db).checks.submit({ key: `${projectId}\u0000${e164}\u0000${id}`, params: [projectId, e164, id] });
}

async function checkAll(db: SqlStore, items: StatementItem[]): Promise<DispatchCheck[]> {
  const rows = await db.all<{ i: number | string; opted_out: number; active: number | null; same_number: number | null }>(
    `SELECT CAST(j.value ->> 0 AS INTEGER) AS i,
            (SELECT COUNT(*) FROM opt_outs o WHERE o.project_id = j.value ->> 1 AND o.e164 = j.value ->> 2) AS opted_out,
            (SELECT c.active FROM contacts c WHERE c.project_id = j.value ->> 1 AND c.id = CAST(j.value ->> 3 AS BIGINT)) AS active,
            (SELECT CASE WHEN c.sms_e164 = j.value ->> 2 THEN 1 ELSE 0 END FROM contacts c WHERE c.project_id = j.value ->> 1 AND c.id = CAST(j.value ->> 3 AS BIGINT)) AS same_number
       FROM ${jsonRows(db.dialect)}`,
    [jsonRowsParam(items.map((item, i) => [i, ...item.params]))],
  );
  const checks: DispatchCheck[] = new Array(items.length).fill('removed');
  for (const row of rows) {
    const active = row.active === null || row.active === undefined ? null : Number(row.active);
    checks[Number(row.i)] =
      Number(row.opted_out ?? 0) > 0
        ? 'optedOut'
        : active === null
          ? 'removed'
          : active !== 1
            ? 'inactive'
            : Number(row.same_number) === 1
              ? 'ok'
              : 'changedAfterApproval';
  }
  return checks;
}

/**
 * Claims a pending or held row for one attempt: only while the sending's dispatch is not stopped and the
 * recipient may still get the message, in one step. When the recipient may not (kill list, inactive,
 * deleted), the row is marked `skipped` with that reason instead.
 */
export async function claimDispatch(db: SqlStore, row: RecipientRef, claim: Claim): Promise<ClaimOutcome> {
  const params = [row.sendingId, row.seq, row.projectId, row.e164, contactKey(row.contactId), claim.token, claim.leaseUntilMs];
  if (await groupsFor(db).claim({ key: rowKey(row.sendingId, row.seq), params })) return 'claimed';
  const current = await db.get<{ state: MessageState; stop: string | null }>(
    'SELECT r.state, s.dispatch_stop AS stop FROM sending_recipients r LEFT JOIN sendings s ON s.id = r.sending_id WHERE r.sending_id = ? AND r.seq = ?',
    [row.sendingId, row.seq],
  );
  if (!current) throw noSuchRecipient(row.sendingId, row.seq);
  if (current.state !== 'pending' && current.state !== 'held') return 'taken';
  if (current.stop !== null) return 'stopped';
  const check = await checkDispatch(db, row.projectId, row.contactId, row.e164);
  // Allowed after all: the kill list or the contact changed between the two statements; the caller tries again.
  if (check === 'ok') return 'taken';
  return (await skipRecipient(db, row.sendingId, row.seq, check)) ? check : 'taken';
}

/** SQLite: the claims the lanes ask at the same moment, in one statement (PostgreSQL: `stepAll`). */
async function claimAll(db: SqlStore, items: StatementItem[]): Promise<boolean[]> {
  const claims = jsonRowsParam(items.map((item) => item.params));
  const claimed = await db.all<{ sending_id: string; seq: number | string }>(
    `UPDATE sending_recipients AS r
              SET state = 'dispatching', attempts = r.attempts + 1, claim_token = j.value ->> 5, lease_until = CAST(j.value ->> 6 AS BIGINT), updated_at = ?
             FROM ${jsonRows(db.dialect)}
            WHERE r.sending_id = j.value ->> 0 AND r.seq = CAST(j.value ->> 1 AS INTEGER)
              AND r.state IN ('pending', 'held')
              AND EXISTS (SELECT 1 FROM sendings s WHERE s.id = r.sending_id AND s.dispatch_stop IS NULL)
              AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.project_id = j.value ->> 2 AND o.e164 = j.value ->> 3)
              AND EXISTS (SELECT 1 FROM contacts c WHERE c.project_id = j.value ->> 2 AND c.id = CAST(j.value ->> 4 AS BIGINT) AND c.active = 1 AND c.sms_e164 = r.e164)
        RETURNING sending_id, seq`,
    [Date.now(), claims],
  );
  const keys = new Set(claimed.map((row) => rowKey(row.sending_id, Number(row.seq))));
  return items.map((item) => keys.has(item.key));
}

/** The final state of a message, written only where `token` still holds the row. False when it does not. */
export function settleClaim(
  db: SqlStore,
  sendingId: string,
  seq: number,
  token: string,
  state: SettledState,
  detail: string | null,
): Promise<boolean> {
  if (!SETTLED_STATES.includes(state))
    throw new DirectoryInputError(`"${state}" is not a state a message settles in. Use sent, failed or unknown.`);
  return groupsFor(db).settle({ key: rowKey(sendingId, seq), params: [sendingId, seq, token, state, storable(detail)] });
}

/**
 * A provider's text as a database column can hold it: PostgreSQL refuses NUL in text and unpaired surrogates in
 * JSON, which would fail the statement that settles the message (and the others grouped with it).
 */
const storable = (detail: string | null): string | null =>
  detail === null
    ? null
    : detail.replace(/\u0000/g, '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** SQLite: the settles the lanes ask at the same moment, in one statement: one commit (PostgreSQL: `stepAll`). */
async function settleAll(db: SqlStore, items: StatementItem[]): Promise<boolean[]> {
  const changed = await db.all<{ sending_id: string; seq: number | string }>(
    `UPDATE sending_recipients AS r
        SET state = j.value ->> 3, detail = j.value ->> 4, claim_token = NULL, lease_until = NULL, updated_at = ?,
            provider_message_id = CASE WHEN j.value ->> 3 = 'sent' THEN j.value ->> 4 ELSE r.provider_message_id END
       FROM ${jsonRows(db.dialect)}
      WHERE r.sending_id = j.value ->> 0 AND r.seq = CAST(j.value ->> 1 AS INTEGER)
        AND r.state = 'dispatching' AND r.claim_token = j.value ->> 2
  RETURNING sending_id, seq`,
    [Date.now(), jsonRowsParam(items.map((item) => item.params))],
  );
  const written = new Set(changed.map((row) => rowKey(row.sending_id, Number(row.seq))));
  return items.map((item) => written.has(item.key));
}

/**
 * PostgreSQL: the settles and the claims the lanes ask at the same moment, in one call of `dispatch_step`
 * (migration 14; `claim_recipients` takes the dispatch lock): one round trip and one commit for both. When
 * the call fails, the settles and then the claims are tried again each alone, so that a claim's error never
 * fails a settle (a message the provider took would be released and sent again) and the reverse.
 */
async function stepAll(db: SqlStore, items: StatementItem[]): Promise<(boolean | Error)[]> {
  try {
    return await step(db, items);
  } catch (error) {
    const kinds = ['settle', 'claim'].map((kind) => items.filter((item) => item.kind === kind));
    if (kinds.some((part) => part.length === 0)) throw error;
    const answers = new Map<StatementItem, boolean | Error>();
    for (const part of kinds) {
      const answered = await step(db, part).catch((err: unknown) => part.map(() => (err instanceof Error ? err : new Error(String(err)))));
      part.forEach((item, i) => answers.set(item, answered[i]));
    }
    return items.map((item) => answers.get(item)!);
  }
}

async function step(db: SqlStore, items: StatementItem[]): Promise<boolean[]> {
  const of = (kind: 'claim' | 'settle') => jsonRowsParam(items.filter((item) => item.kind === kind).map((item) => item.params));
  const rows = await db.all<{ step: string; sending_id: string; seq: number | string }>(
    'SELECT step, step_sending_id AS sending_id, step_seq AS seq FROM dispatch_step(CAST(? AS json), CAST(? AS json), ?)',
    [of('settle'), of('claim'), Date.now()],
  );
  const done = new Set(rows.map((row) => `${row.step === 'claimed' ? 'claim' : 'settle'}\u0000${rowKey(row.sending_id, Number(row.seq))}`));
  return items.map((item) => done.has(`${item.kind}\u0000${item.key}`));
}

/** Puts a row this attempt holds back to `pending` (the provider surely did not take the message). */
export async function releaseClaim(db: SqlStore, sendingId: string, seq: number, token: string): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET state = 'pending', claim_token = NULL, lease_until = NULL, updated_at = ?
      WHERE sending_id = ? AND seq = ? AND state = 'dispatching' AND claim_token = ?`,
    [Date.now(), sendingId, seq, token],
  );
  return changed > 0;
}

/**
 * Ends this attempt's claim on a row whose message the provider may have (a call got no answer) without
 * putting it back to `pending`: the row stays `dispatching` with its lease over, so the next attempt takes it
 * over and resends it with its idempotency key, and a cancel marks it `unknown` (settleDispatch).
 */
export async function endClaimInDoubt(db: SqlStore, sendingId: string, seq: number, token: string): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET lease_until = 0, updated_at = ?
      WHERE sending_id = ? AND seq = ? AND state = 'dispatching' AND claim_token = ?`,
    [Date.now(), sendingId, seq, token],
  );
  return changed > 0;
}

/** Extends the lease of a row this attempt holds (before it calls the provider again). */
export async function renewClaim(db: SqlStore, sendingId: string, seq: number, claim: Claim): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET lease_until = ?, attempts = attempts + 1, updated_at = ?
      WHERE sending_id = ? AND seq = ? AND state = 'dispatching' AND claim_token = ?`,
    [claim.leaseUntilMs, Date.now(), sendingId, seq, claim.token],
  );
  return changed > 0;
}

/**
 * Takes over a `dispatching` row whose holder's lease ran out (its worker died, or stalled past it):
 * only from that holder (`expiredToken`; null for a row claimed before claims carried tokens), and only
 * while the sending's dispatch is not stopped.
 */
export async function takeOverClaim(
  db: SqlStore,
  sendingId: string,
  seq: number,
  expiredToken: string | null,
  claim: Claim,
  nowMs: number,
): Promise<boolean> {
  const changed = await underDispatchLock(db, sendingId, 'claim', (tx) =>
    tx.run(
      `UPDATE sending_recipients SET claim_token = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
        WHERE sending_id = ? AND seq = ? AND state = 'dispatching' AND COALESCE(claim_token, '') = ? AND COALESCE(lease_until, 0) < ?
          AND EXISTS (SELECT 1 FROM sendings s WHERE s.id = sending_recipients.sending_id AND s.dispatch_stop IS NULL)`,
      [claim.token, claim.leaseUntilMs, Date.now(), sendingId, seq, expiredToken ?? '', nowMs],
    ),
  );
  return changed > 0;
}

/** Marks `unknown` a `dispatching` row whose holder's lease ran out, when resending could send twice. */
export async function abandonClaim(
  db: SqlStore,
  sendingId: string,
  seq: number,
  expiredToken: string | null,
  detail: string,
  nowMs: number,
): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET state = 'unknown', detail = ?, claim_token = NULL, lease_until = NULL, updated_at = ?
      WHERE sending_id = ? AND seq = ? AND state = 'dispatching' AND COALESCE(claim_token, '') = ? AND COALESCE(lease_until, 0) < ?`,
    [detail, Date.now(), sendingId, seq, expiredToken ?? '', nowMs],
  );
  return changed > 0;
}

/** Marks `unknown` every `dispatching` row of the sending whose lease ran out (a cancelled sending's in-doubt messages). */
export async function abandonExpiredClaims(db: SqlStore, sendingId: string, detail: string, nowMs: number): Promise<number> {
  return db.run(
    `UPDATE sending_recipients SET state = 'unknown', detail = ?, claim_token = NULL, lease_until = NULL, updated_at = ?
      WHERE sending_id = ? AND state = 'dispatching' AND lease_until < ?`,
    [detail, Date.now(), sendingId, nowMs],
  );
}

/** Holds a pending or held recipient until `untilMs` (quiet hours). False when the row is in another state. */
export async function holdRecipient(db: SqlStore, sendingId: string, seq: number, untilMs: number): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET state = 'held', not_before = ?, updated_at = ? WHERE sending_id = ? AND seq = ? AND state IN ('pending', 'held')`,
    [untilMs, Date.now(), sendingId, seq],
  );
  if (changed === 0) await requireRecipient(db, sendingId, seq);
  return changed > 0;
}

/** Marks a pending or held recipient `skipped` with the reason. False when the row is in another state. */
export async function skipRecipient(db: SqlStore, sendingId: string, seq: number, reason: string): Promise<boolean> {
  const changed = await db.run(
    `UPDATE sending_recipients SET state = 'skipped', detail = ?, updated_at = ? WHERE sending_id = ? AND seq = ? AND state IN ('pending', 'held')`,
    [reason, Date.now(), sendingId, seq],
  );
  if (changed === 0) await requireRecipient(db, sendingId, seq);
  return changed > 0;
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

/** Puts the sending's `failed` and/or `unknown` recipients back to `pending` for a retry; answers how many of each. */
export async function resetForRetry(
  db: SqlStore,
  sendingId: string,
  states: readonly ('failed' | 'unknown')[],
): Promise<{ failed: number; unknown: number }> {
  return db.transaction(async (tx) => {
    const reset = { failed: 0, unknown: 0 };
    for (const state of new Set(states)) {
      reset[state] = await tx.run(
        `UPDATE sending_recipients SET state = 'pending', detail = ?, claim_token = NULL, lease_until = NULL, updated_at = ? WHERE sending_id = ? AND state = ?`,
        [`retry of a ${state} message`, Date.now(), sendingId, state],
      );
    }
    return reset;
  });
}

/** Records that the sending's dispatch is stopped: from now on no claim succeeds. Returns when it is written. */
export async function stopDispatch(db: SqlStore, sendingId: string, stop: DispatchStop): Promise<void> {
  const changed = await underDispatchLock(db, sendingId, 'stop', (tx) =>
    tx.run('UPDATE sendings SET dispatch_stop = ?, dispatch_stop_reason = ?, dispatch_stop_at = ? WHERE id = ?', [
      stop.kind,
      stop.reason,
      stop.atMs,
      sendingId,
    ]),
  );
  if (changed === 0) throw new DirectoryInputError(`Unknown sending "${sendingId}": nothing to stop.`);
}

/**
 * A claim and a stop of the same sending exclude each other, so that once a stop is written no claim
 * commits after it: a claim running when the stop comes finishes first, and one that starts later
 * reads the stop. PostgreSQL: an advisory lock per sending (shared for claims, exclusive for the stop),
 * taken before the claim's statement reads anything; a row lock on the sending did the same, but wrote
 * the sending's row at every claim, which was most of the server's work per message. The grouped claim
 * takes the same lock inside its function (`claim_recipients`, migrations 9, 12, 13 and 14); a takeover and a stop take it here. SQLite: one
 * writer at a time already.
 */
async function underDispatchLock<T>(
  db: SqlStore,
  sendingId: string,
  mode: 'claim' | 'stop',
  work: (tx: SqlStore) => Promise<T>,
): Promise<T> {
  if (db.dialect !== 'postgres') return work(db);
  return db.transaction(async (tx) => {
    await tx.run(
      `SELECT ${mode === 'claim' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtext(current_schema()), hashtext(?))`,
      [sendingId],
    );
    return work(tx);
  });
}

/** Lets claims succeed again (a paused sending resumes). A cancel's stop is never lifted. */
export async function resumeDispatch(db: SqlStore, sendingId: string): Promise<void> {
  await db.run(
    "UPDATE sendings SET dispatch_stop = NULL, dispatch_stop_reason = NULL, dispatch_stop_at = NULL WHERE id = ? AND dispatch_stop = 'paused'",
    [sendingId],
  );
}

export async function dispatchStopOf(db: SqlStore, sendingId: string): Promise<DispatchStop | null> {
  const row = await db.get<{ stop: string | null; reason: string | null; at: number | null }>(
    'SELECT dispatch_stop AS stop, dispatch_stop_reason AS reason, dispatch_stop_at AS at FROM sendings WHERE id = ?',
    [sendingId],
  );
  return row?.stop ? { kind: row.stop as DispatchStop['kind'], reason: row.reason ?? '', atMs: Number(row.at) } : null;
}

/** How many sendings are paused (their dispatch stop is `paused`), across the directory. */
export async function pausedSendings(db: SqlStore): Promise<number> {
  const row = await db.get<{ count: number }>("SELECT COUNT(*) AS count FROM sendings WHERE dispatch_stop = 'paused'");
  return Number(row?.count ?? 0);
}

/** Messages of the sending in flight: held by an attempt whose lease still runs, or whose lease ran out. */
export async function inFlight(db: SqlStore, sendingId: string, nowMs: number): Promise<InFlight> {
  const row = await db.get<{ live: number; expired: number; last: number | null }>(
    `SELECT COALESCE(SUM(CASE WHEN lease_until >= ? THEN 1 ELSE 0 END), 0) AS live,
            COALESCE(SUM(CASE WHEN lease_until < ? THEN 1 ELSE 0 END), 0) AS expired,
            MAX(lease_until) AS last
       FROM sending_recipients WHERE sending_id = ? AND state = 'dispatching' AND lease_until IS NOT NULL`,
    [nowMs, nowMs, sendingId],
  );
  return {
    live: Number(row?.live ?? 0),
    expired: Number(row?.expired ?? 0),
    lastLeaseMs: row?.last === null || row?.last === undefined ? null : Number(row.last),
  };
}

/** Recipients per state, every state present; with `upToSeq`, only the rows up to that position. */
export async function progress(db: SqlStore, sendingId: string, upToSeq?: number): Promise<ProgressCounts> {
  const rows = await db.all<{ state: MessageState; count: number }>(
    `SELECT state, COUNT(*) AS count FROM sending_recipients WHERE sending_id = ?${upToSeq === undefined ? '' : ' AND seq <= ?'} GROUP BY state`,
    upToSeq === undefined ? [sendingId] : [sendingId, upToSeq],
  );
  const counts = Object.fromEntries(MESSAGE_STATES.map((state) => [state, 0])) as ProgressCounts;
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}

async function requireRecipient(db: SqlStore, sendingId: string, seq: number): Promise<void> {
  const exists = await db.get('SELECT 1 AS found FROM sending_recipients WHERE sending_id = ? AND seq = ?', [sendingId, seq]);
  if (!exists) throw noSuchRecipient(sendingId, seq);
}

function noSuchRecipient(sendingId: string, seq: number): DirectoryInputError {
  return new DirectoryInputError(`Sending "${sendingId}" has no recipient #${seq} in its snapshot.`);
}

interface DispatchGroups {
  checks: StatementGroup<DispatchCheck>;
  claim(item: StatementItem): Promise<boolean>;
  settle(item: StatementItem): Promise<boolean>;
}

const groups = new WeakMap<SqlStore, DispatchGroups>();

/** SQLite runs in this process: a statement per kind. PostgreSQL: settles and claims share one round trip. */
function groupsFor(db: SqlStore): DispatchGroups {
  let found = groups.get(db);
  if (!found) {
    const checks = new StatementGroup((items) => checkAll(db, items));
    if (db.dialect === 'postgres') {
      const steps = new StatementGroup<boolean>((items) => stepAll(db, items));
      found = {
        checks,
        claim: (item) => steps.submit({ ...item, kind: 'claim' }),
        settle: (item) => steps.submit({ ...item, kind: 'settle' }),
      };
    } else {
      const claims = new StatementGroup<boolean>((items) => claimAll(db, items));
      const settles = new StatementGroup<boolean>((items) => settleAll(db, items));
      found = { checks, claim: (item) => claims.submit(item), settle: (item) => settles.submit(item) };
    }
    groups.set(db, found);
  }
  return found;
}
