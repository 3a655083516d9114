/**
 * The audit log read as a stream of events (the Durable SMS Trigger's source, docs/n8n.md): entries in
 * id order, which only grows, so a reader keeps the last id it saw as its cursor.
 */
import type { AuditRecord } from './directory';
import type { SqlParam, SqlStore } from './sql-store';

export interface EventRecord extends AuditRecord {
  id: number;
  /** The sending's project; null when the entry's sending is not recorded in the directory. */
  projectId: string | null;
}

export interface EventQuery {
  /** Audit actions to read (none: nothing is read). */
  actions: readonly string[];
  projectId?: string;
  /** Entries after this id, oldest first. */
  afterId: number;
  limit: number;
  /** The latest `limit` entries instead, newest first (`afterId` is not used). */
  newest?: boolean;
  /**
   * Only entries written at or before this time (ms), and none past the first later one: a reader that
   * keeps the last id as its cursor must not jump over a lower id whose insert commits after a higher
   * one's (PostgreSQL hands out ids before commit), nor over one written by a worker whose clock is ahead.
   */
  settledBefore?: number;
}

export interface EventLog {
  readEvents(query: EventQuery): Promise<EventRecord[]>;
}

export async function readEvents(db: SqlStore, query: EventQuery): Promise<EventRecord[]> {
  if (query.actions.length === 0) return [];
  const where = [`a.action IN (${query.actions.map(() => '?').join(', ')})`];
  const params: SqlParam[] = [...query.actions];
  if (query.projectId !== undefined) {
    where.push('s.project_id = ?');
    params.push(query.projectId);
  }
  if (!query.newest) {
    where.push('a.id > ?');
    params.push(query.afterId);
    if (query.settledBefore !== undefined) {
      const unsettled = await db.get<{ first: number | string | null }>('SELECT MIN(id) AS first FROM audit_log WHERE id > ? AND at > ?', [
        query.afterId,
        query.settledBefore,
      ]);
      if (unsettled?.first !== null && unsettled?.first !== undefined) {
        where.push('a.id < ?');
        params.push(Number(unsettled.first));
      }
    }
  }
  params.push(query.limit);
  const rows = await db.all<{
    id: number | string;
    sending_id: string;
    at: number | string;
    action: string;
    actor: string;
    detail: string | null;
    project_id: string | null;
  }>(
    `SELECT a.id, a.sending_id, a.at, a.action, a.actor, a.detail, s.project_id
       FROM audit_log a LEFT JOIN sendings s ON s.id = a.sending_id
      WHERE ${where.join(' AND ')}
      ORDER BY a.id ${query.newest ? 'DESC' : 'ASC'} LIMIT ?`,
    params,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    sendingId: row.sending_id,
    projectId: row.project_id,
    at: Number(row.at),
    action: row.action,
    actor: row.actor,
    ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) as Record<string, unknown> }),
  }));
}
