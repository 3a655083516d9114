/** Sendings, the outbox provider's messages and the audit log. */
import type { AudienceSelection } from '../../domain/types';
import type { AuditEntry, AuditRecord, OutboxMessage, SendingRecord } from './directory';
import { DirectoryInputError } from './errors';
import { requireProject } from './projects';
import type { SqlStore } from './sql-store';

interface SendingRow {
  id: string;
  project_id: string;
  selection: string;
  created_by: string;
  created_at: number;
}

/** Records a sending; recording the same id again keeps its creator and replaces its project and selection (a new selection). */
export async function createSending(db: SqlStore, record: SendingRecord): Promise<void> {
  if (!record.id?.trim()) throw new DirectoryInputError('A sending needs a non-empty id.');
  await requireProject(db, record.projectId);
  await db.run(
    `INSERT INTO sendings (id, project_id, selection, created_by, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, selection = excluded.selection`,
    [record.id, record.projectId, JSON.stringify(record.selection), record.createdBy, Number(record.createdAt)],
  );
}

export async function getSending(db: SqlStore, id: string): Promise<SendingRecord | undefined> {
  const row = await db.get<SendingRow>('SELECT id, project_id, selection, created_by, created_at FROM sendings WHERE id = ?', [id]);
  if (!row) return undefined;
  return {
    id: row.id,
    projectId: row.project_id,
    selection: JSON.parse(row.selection) as AudienceSelection,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

export async function recordPreparedMessage(db: SqlStore, sendingId: string, message: string): Promise<void> {
  const changed = await db.run('UPDATE sendings SET message = ? WHERE id = ?', [message, sendingId]);
  if (changed === 0) throw new DirectoryInputError(`Unknown sending "${sendingId}": record it with createSending first.`);
}

export async function preparedMessage(db: SqlStore, sendingId: string): Promise<string | null> {
  const row = await db.get<{ message: string | null }>('SELECT message FROM sendings WHERE id = ?', [sendingId]);
  return row?.message ?? null;
}

/** The sending, checked to belong to the selection's project. */
export async function requireSending(db: SqlStore, id: string, projectId: string): Promise<SendingRecord> {
  const sending = await getSending(db, id);
  if (!sending) throw new DirectoryInputError(`Unknown sending "${id}". Record it with createSending before preparing it.`);
  if (sending.projectId !== projectId) {
    throw new DirectoryInputError(`Sending "${id}" belongs to project "${sending.projectId}", not "${projectId}".`);
  }
  return sending;
}

/** Records a message once per (sending, seq); a retried write keeps the first one. */
export async function writeOutbox(db: SqlStore, message: Omit<OutboxMessage, 'createdAt'>): Promise<void> {
  await db.run(
    `INSERT INTO outbox (sending_id, seq, to_number, sender, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (sending_id, seq) DO NOTHING`,
    [message.sendingId, message.seq, message.to, message.from, message.body, Date.now()],
  );
}

export async function readOutbox(db: SqlStore, sendingId: string): Promise<OutboxMessage[]> {
  const rows = await db.all<{
    sending_id: string;
    seq: number;
    to_number: string;
    sender: string | null;
    body: string;
    created_at: number;
  }>('SELECT sending_id, seq, to_number, sender, body, created_at FROM outbox WHERE sending_id = ? ORDER BY seq', [sendingId]);
  return rows.map((row) => ({
    sendingId: row.sending_id,
    seq: Number(row.seq),
    to: row.to_number,
    from: row.sender,
    body: row.body,
    createdAt: Number(row.created_at),
  }));
}

export async function audit(db: SqlStore, entry: AuditEntry): Promise<void> {
  await db.run('INSERT INTO audit_log (sending_id, at, action, actor, detail) VALUES (?, ?, ?, ?, ?)', [
    entry.sendingId,
    Date.now(),
    entry.action,
    entry.actor,
    entry.detail === undefined ? null : JSON.stringify(entry.detail),
  ]);
}

/** The sending's audit entries, oldest first. */
export async function readAudit(db: SqlStore, sendingId: string): Promise<AuditRecord[]> {
  const rows = await db.all<{ sending_id: string; at: number; action: string; actor: string; detail: string | null }>(
    'SELECT sending_id, at, action, actor, detail FROM audit_log WHERE sending_id = ? ORDER BY id',
    [sendingId],
  );
  return rows.map((row) => ({
    sendingId: row.sending_id,
    at: Number(row.at),
    action: row.action,
    actor: row.actor,
    ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) as Record<string, unknown> }),
  }));
}
