/**
 * STOP and START replies applied to the kill list (table inbound_messages): each provider message id
 * once, a START only when it is later than the number's latest STOP, and a START removes only an
 * entry an inbound STOP made. Order: the provider's `sentAt` when it gives one, otherwise the order
 * of arrival (docs/decisions.md, "Inbound replies that cannot be replayed").
 */
import type { InboundKeyword, InboundKeywordOutcome } from './directory';
import { insertOptOut, isInboundSource, killListNumber, INBOUND_SOURCE_PREFIX } from './opt-outs';
import type { SqlStore } from './sql-store';

export async function applyInboundKeyword(db: SqlStore, projectId: string, message: InboundKeyword): Promise<InboundKeywordOutcome> {
  const e164 = await killListNumber(db, projectId, message.number);
  return db.transaction(async (tx) => {
    // One reply of a project at a time, so the id check, the order check and the change agree (SQLite's
    // write transactions are serial already).
    if (tx.dialect === 'postgres')
      await tx.get('SELECT pg_advisory_xact_lock(hashtext(current_schema() || ?))', [`inbound_messages:${projectId}`]);
    if (message.messageId !== undefined) {
      const seen = await tx.get('SELECT 1 AS seen FROM inbound_messages WHERE project_id = ? AND message_id = ?', [
        projectId,
        message.messageId,
      ]);
      if (seen) return { applied: 'duplicate' };
    }
    const latest = await tx.get<{ latest_any: number | string | null; latest_stop: number | string | null }>(
      `SELECT MAX(ordered_at) AS latest_any, MAX(CASE WHEN intent = 'optOut' THEN ordered_at END) AS latest_stop
       FROM inbound_messages WHERE project_id = ? AND e164 = ?`,
      [projectId, e164],
    );
    const receivedAt = Date.now();
    const latestAny = latest?.latest_any == null ? null : Number(latest.latest_any);
    const latestStop = latest?.latest_stop == null ? null : Number(latest.latest_stop);
    // Without the provider's time, a message comes after everything that arrived before it.
    const orderedAt = message.sentAt ?? Math.max(receivedAt, latestAny === null ? 0 : latestAny + 1);

    let outcome: InboundKeywordOutcome;
    if (message.intent === 'optOut') {
      // Even an opt-out older than a START counts: a missed STOP costs more than an extra one.
      const added = await insertOptOut(tx, projectId, e164, `${INBOUND_SOURCE_PREFIX}${message.keyword}`);
      outcome = { applied: added ? 'added' : 'alreadyOptedOut' };
    } else if (latestStop !== null && orderedAt <= latestStop) {
      outcome = { applied: 'outOfOrder' };
    } else {
      outcome = await optBackIn(tx, projectId, e164);
    }
    await tx.run(
      `INSERT INTO inbound_messages (project_id, message_id, e164, intent, keyword, sent_at, ordered_at, received_at, outcome, kept_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        projectId,
        message.messageId ?? null,
        e164,
        message.intent,
        message.keyword,
        message.sentAt ?? null,
        orderedAt,
        receivedAt,
        outcome.applied,
        outcome.keptSource ?? null,
      ],
    );
    return outcome;
  });
}

async function optBackIn(tx: SqlStore, projectId: string, e164: string): Promise<InboundKeywordOutcome> {
  const entry = await tx.get<{ source: string }>('SELECT source FROM opt_outs WHERE project_id = ? AND e164 = ?', [projectId, e164]);
  if (!entry) return { applied: 'notOptedOut' };
  if (!isInboundSource(entry.source)) return { applied: 'kept', keptSource: entry.source };
  await tx.run('DELETE FROM opt_outs WHERE project_id = ? AND e164 = ? AND source = ?', [projectId, e164, entry.source]);
  return { applied: 'removed' };
}
