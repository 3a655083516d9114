/** Reading a project's kill list (who is on it and why), for operators: quarantines and receipt opt-outs included. */
import { requireProject } from './projects';
import type { SqlStore } from './sql-store';

export interface KillListEntry {
  e164: string;
  /** Who or what added it: `cli:alex`, `inbound:STOP`, `receipt:21610`, `quarantine:30003`, … */
  source: string;
  createdAt: number;
}

export interface KillList {
  /** The project's kill list, newest first; with `sourcePrefix` (e.g. `quarantine:`), only those entries. */
  listOptOuts(projectId: string, sourcePrefix?: string): Promise<KillListEntry[]>;
}

export async function listOptOuts(db: SqlStore, projectId: string, sourcePrefix?: string): Promise<KillListEntry[]> {
  await requireProject(db, projectId);
  const rows = await db.all<{ e164: string; source: string; created_at: number | string }>(
    `SELECT e164, source, created_at FROM opt_outs WHERE project_id = ?${sourcePrefix ? ' AND substr(source, 1, ?) = ?' : ''}
      ORDER BY created_at DESC, e164`,
    sourcePrefix ? [projectId, sourcePrefix.length, sourcePrefix] : [projectId],
  );
  return rows.map((row) => ({ e164: row.e164, source: row.source, createdAt: Number(row.created_at) }));
}
