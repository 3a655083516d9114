/** The recipients snapshot of a sending: prepared and refreshed in SQL, read by cursor. */
import type { AudienceSelection, MessageState } from '../../domain/types';
import { countResolvedAudience, recipientsCte, resolveAudience } from './audience';
import { parseFields } from './contact-number';
import { frozenFieldsSql } from './frozen-fields';
import type { RefreshResult, SnapshotRow, SnapshotSummary } from './directory';
import { requireSending } from './sendings';
import { freshenAudienceStatistics } from './planner-statistics';
import type { SqlStore } from './sql-store';

/** Largest INTEGER of PostgreSQL. */
const MAX_SEQ = 2 ** 31 - 1;
const SNAPSHOT_COLUMNS = 'sending_id, seq, contact_id, e164, state, attempts, detail, updated_at, frozen_fields';

/**
 * Replaces the sending's snapshot with the current recipients, seq 1..n in contact order, each with the
 * values of `fields` (the message's fields) frozen as they are now; without `fields`, nothing is frozen
 * and messages render from the contact's fields at send time (snapshots made before freezing existed).
 */
export async function prepareSnapshot(
  db: SqlStore,
  sendingId: string,
  selection: AudienceSelection,
  fields?: readonly string[],
): Promise<SnapshotSummary> {
  await freshenAudienceStatistics(db);
  return db.transaction(
    async (tx) => {
      await requireSending(tx, sendingId, selection.projectId);
      const audience = await resolveAudience(tx, selection);
      const count = await countResolvedAudience(tx, audience);
      await tx.run('DELETE FROM sending_recipients WHERE sending_id = ?', [sendingId]);
      const cte = recipientsCte(tx.dialect, audience);
      const frozen = fields ? frozenFieldsSql(tx.dialect, fields, 'c') : { sql: 'NULL', params: [] };
      const snapshotSize = await tx.run(
        `${cte.sql}
         INSERT INTO sending_recipients (${SNAPSHOT_COLUMNS})
         SELECT CAST(? AS TEXT), ROW_NUMBER() OVER (ORDER BY r.id), r.id, r.e164, 'pending', 0, NULL, CAST(? AS BIGINT), ${frozen.sql}
         FROM recipients r JOIN contacts c ON c.id = r.id`,
        [...cte.params, sendingId, Date.now(), ...frozen.params],
      );
      return { ...count, snapshotSize };
    },
    { consistentReads: true },
  );
}

/**
 * Re-resolves the recipients at send time: pending rows of contacts no longer targeted become
 * `skipped`/`removed`, pending rows follow a changed number, and new recipients are appended.
 */
export async function refreshSnapshot(
  db: SqlStore,
  sendingId: string,
  selection: AudienceSelection,
  fields?: readonly string[],
): Promise<RefreshResult> {
  await freshenAudienceStatistics(db);
  return db.transaction(
    async (tx) => {
      await requireSending(tx, sendingId, selection.projectId);
      const audience = await resolveAudience(tx, selection);
      const now = Date.now();
      const cte = recipientsCte(tx.dialect, audience);
      await tx.run('CREATE TEMP TABLE refresh_recipients (contact_id BIGINT PRIMARY KEY, e164 TEXT NOT NULL)');
      await tx.run(`${cte.sql} INSERT INTO refresh_recipients (contact_id, e164) SELECT id, e164 FROM recipients`, cte.params);
      if (tx.dialect === 'postgres') await tx.run('ANALYZE refresh_recipients');
      const removed = await tx.run(
        `UPDATE sending_recipients SET state = 'skipped', detail = 'removed', updated_at = ?
         WHERE sending_id = ? AND state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM refresh_recipients r WHERE r.contact_id = sending_recipients.contact_id)`,
        [now, sendingId],
      );
      const renumbered = await tx.run(
        `UPDATE sending_recipients
         SET e164 = (SELECT r.e164 FROM refresh_recipients r WHERE r.contact_id = sending_recipients.contact_id), updated_at = ?
         WHERE sending_id = ? AND state = 'pending' AND EXISTS (
           SELECT 1 FROM refresh_recipients r WHERE r.contact_id = sending_recipients.contact_id AND r.e164 <> sending_recipients.e164)`,
        [now, sendingId],
      );
      const last = await tx.get<{ max_seq: number }>(
        'SELECT COALESCE(MAX(seq), 0) AS max_seq FROM sending_recipients WHERE sending_id = ?',
        [sendingId],
      );
      // New: not in a live row of the snapshot; under perNumber, nor is their number.
      const numberNotCovered =
        audience.duplicatePolicy === 'perNumber'
          ? `AND e164 IN (SELECT e164 FROM refresh_recipients
                          EXCEPT SELECT e164 FROM sending_recipients WHERE sending_id = ? AND state <> 'skipped')`
          : '';
      const frozen = fields ? frozenFieldsSql(tx.dialect, fields, 'c') : { sql: 'NULL', params: [] };
      const added = await tx.run(
        `INSERT INTO sending_recipients (${SNAPSHOT_COLUMNS})
         SELECT CAST(? AS TEXT), CAST(? AS INTEGER) + ROW_NUMBER() OVER (ORDER BY n.contact_id), n.contact_id, n.e164, 'pending', 0, NULL, CAST(? AS BIGINT), ${frozen.sql}
         FROM refresh_recipients n JOIN contacts c ON c.id = n.contact_id
         WHERE n.contact_id IN (SELECT contact_id FROM refresh_recipients
                                EXCEPT SELECT contact_id FROM sending_recipients WHERE sending_id = ? AND state <> 'skipped')
           ${numberNotCovered.replace('AND e164 IN', 'AND n.e164 IN')}`,
        [sendingId, Number(last?.max_seq ?? 0), now, ...frozen.params, sendingId, ...(numberNotCovered ? [sendingId] : [])],
      );
      await tx.run('DROP TABLE refresh_recipients');
      const total = await tx.get<{ total: number }>(
        "SELECT COUNT(*) AS total FROM sending_recipients WHERE sending_id = ? AND state <> 'skipped'",
        [sendingId],
      );
      return { added, removed, renumbered, total: Number(total?.total ?? 0) };
    },
    { consistentReads: true },
  );
}

/** The row, the contact's current fields, and its number's stored facts when they are those of the row's number. */
const SNAPSHOT_ROW_COLUMNS = `s.seq, s.contact_id, s.e164, s.state, s.attempts, s.claim_token, s.lease_until, s.frozen_fields, c.external_id, c.fields,
  CASE WHEN c.sms_e164 = s.e164 THEN c.sms_country END AS sms_country, CASE WHEN c.sms_e164 = s.e164 THEN c.sms_type END AS sms_type`;

interface SnapshotJoinRow {
  seq: number;
  contact_id: number;
  e164: string;
  state: MessageState;
  attempts: number;
  claim_token: string | null;
  lease_until: number | null;
  frozen_fields: string | null;
  external_id: string | null;
  fields: string | null;
  sms_country: string | null;
  sms_type: string | null;
}

/**
 * Rows after `afterSeq` in seq order, with the contact's current profile fields. Seqs are dense
 * (1..n, refresh appends), so the page is also a seq range: an index range scan on any plan.
 */
export async function readSnapshot(db: SqlStore, sendingId: string, afterSeq: number, limit: number): Promise<SnapshotRow[]> {
  const rows = await db.all<SnapshotJoinRow>(
    `SELECT ${SNAPSHOT_ROW_COLUMNS}
     FROM sending_recipients s LEFT JOIN contacts c ON c.id = s.contact_id
     WHERE s.sending_id = ? AND s.seq > ? AND s.seq <= ? ORDER BY s.seq LIMIT ?`,
    [sendingId, afterSeq, Math.min(afterSeq + limit, MAX_SEQ), limit],
  );
  return rows.map(toSnapshotRow);
}

/** Held rows due at `nowMs`, oldest seq first; a row held again gets a later `not_before` and drops out. */
export async function readDueHeld(db: SqlStore, sendingId: string, nowMs: number, limit: number): Promise<SnapshotRow[]> {
  const rows = await db.all<SnapshotJoinRow>(
    `SELECT ${SNAPSHOT_ROW_COLUMNS}
     FROM sending_recipients s LEFT JOIN contacts c ON c.id = s.contact_id
     WHERE s.sending_id = ? AND s.state = 'held' AND s.not_before <= ? ORDER BY s.seq LIMIT ?`,
    [sendingId, nowMs, limit],
  );
  return rows.map(toSnapshotRow);
}

/** Pending or in-flight rows up to `upToSeq` (recipients put back for a retry), in seq order. */
export async function readPendingUpTo(db: SqlStore, sendingId: string, upToSeq: number, limit: number): Promise<SnapshotRow[]> {
  const rows = await db.all<SnapshotJoinRow>(
    `SELECT ${SNAPSHOT_ROW_COLUMNS}
     FROM sending_recipients s LEFT JOIN contacts c ON c.id = s.contact_id
     WHERE s.sending_id = ? AND s.seq <= ? AND s.state IN ('pending', 'dispatching') ORDER BY s.seq LIMIT ?`,
    [sendingId, upToSeq, limit],
  );
  return rows.map(toSnapshotRow);
}

function toSnapshotRow(row: SnapshotJoinRow): SnapshotRow {
  return {
    seq: Number(row.seq),
    contactId: String(row.contact_id),
    e164: row.e164,
    fields: parseFields(row.fields),
    state: row.state,
    attempts: Number(row.attempts),
    ...(row.frozen_fields === null ? {} : { frozenFields: parseFields(row.frozen_fields) }),
    ...(row.state === 'dispatching'
      ? { claim: { token: row.claim_token, leaseUntilMs: row.lease_until === null ? null : Number(row.lease_until) } }
      : {}),
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    ...(row.sms_country === null || row.sms_type === null ? {} : { facts: { country: row.sms_country, type: row.sms_type } }),
  };
}
