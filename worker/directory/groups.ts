/** Groups and memberships. */
import type { GroupSummary } from './directory';
import { chunk, inJsonList, jsonListParam, jsonRows, jsonRowsParam, type SqlStore } from './sql-store';

const CHUNK_SIZE = 1000;

/** Trimmed, non-empty, distinct group names. */
export function cleanGroupNames(names: readonly unknown[]): string[] {
  const clean = names.filter((name): name is string => typeof name === 'string').map((name) => name.trim());
  return [...new Set(clean.filter((name) => name !== ''))];
}

/** Ids of the named groups, creating the missing ones. */
export async function ensureGroups(tx: SqlStore, projectId: string, names: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunk(names, CHUNK_SIZE)) {
    // `WHERE true`: SQLite needs it to parse INSERT ... SELECT ... ON CONFLICT.
    await tx.run(
      `INSERT INTO contact_groups (project_id, name, created_at)
       SELECT ?, j.value ->> 0, CAST(? AS BIGINT) FROM ${jsonRows(tx.dialect)} WHERE true
       ON CONFLICT (project_id, name) DO NOTHING`,
      [projectId, Date.now(), jsonListParam(part)],
    );
    for (const row of await findGroups(tx, projectId, part)) ids.set(row.name, row.id);
  }
  return ids;
}

/** The groups of the project among `names` (those that exist). */
export async function findGroups(db: SqlStore, projectId: string, names: readonly string[]): Promise<{ id: number; name: string }[]> {
  const rows = await db.all<{ id: number; name: string }>(
    `SELECT id, name FROM contact_groups WHERE project_id = ? AND ${inJsonList(db.dialect, 'name')}`,
    [projectId, jsonListParam(names)],
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** Replaces the memberships of each contact with the given group ids. */
export async function replaceMemberships(tx: SqlStore, memberships: ReadonlyMap<number, readonly number[]>): Promise<void> {
  const contactIds = [...memberships.keys()];
  for (const part of chunk(contactIds, CHUNK_SIZE)) {
    await tx.run(`DELETE FROM memberships WHERE ${inJsonList(tx.dialect, 'contact_id', 'BIGINT')}`, [jsonListParam(part)]);
  }
  const pairs = contactIds.flatMap((contactId) => [...new Set(memberships.get(contactId))].map((groupId) => [groupId, contactId]));
  for (const part of chunk(pairs, CHUNK_SIZE)) {
    await tx.run(
      `INSERT INTO memberships (group_id, contact_id)
       SELECT CAST(j.value ->> 0 AS BIGINT), CAST(j.value ->> 1 AS BIGINT) FROM ${jsonRows(tx.dialect)} WHERE true
       ON CONFLICT DO NOTHING`,
      [jsonRowsParam(part)],
    );
  }
}

export async function listGroups(db: SqlStore, projectId: string): Promise<GroupSummary[]> {
  const rows = await db.all<{ name: string; member_count: number }>(
    `SELECT g.name, COUNT(m.contact_id) AS member_count
     FROM contact_groups g LEFT JOIN memberships m ON m.group_id = g.id
     WHERE g.project_id = ? GROUP BY g.id, g.name ORDER BY g.name`,
    [projectId],
  );
  return rows.map((row) => ({ name: row.name, memberCount: Number(row.member_count) }));
}

export async function groupNames(db: SqlStore, projectId: string): Promise<string[]> {
  const rows = await db.all<{ name: string }>('SELECT name FROM contact_groups WHERE project_id = ? ORDER BY name', [projectId]);
  return rows.map((row) => row.name);
}
