/** Rows and bytes of the directory's tables in a benchmark's directory (SQLite file or PostgreSQL schema). */
import Database from 'better-sqlite3';
import { Client } from 'pg';

export const FOOTPRINT_TABLES = ['contacts', 'memberships', 'sending_recipients', 'audit_log', 'outbox', 'delivery_receipts'] as const;

export interface TableFootprint {
  rows: number;
  /** Table and index bytes (SQLite: dbstat pages; PostgreSQL: pg_total_relation_size). */
  bytes: number;
}

export async function tableFootprints(workerEnv: Record<string, string>): Promise<Record<string, TableFootprint>> {
  const result: Record<string, TableFootprint> = {};
  if (workerEnv.DIRECTORY_SQLITE_PATH) {
    const db = new Database(workerEnv.DIRECTORY_SQLITE_PATH, { readonly: true });
    try {
      for (const table of FOOTPRINT_TABLES) {
        const rows = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
        // dbstat names each index by its own name: count the pages of the table and of the indexes on it.
        const bytes = (
          db
            .prepare(
              `SELECT COALESCE(SUM(pgsize), 0) AS b FROM dbstat WHERE name = ? OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)`,
            )
            .get(table, table) as { b: number }
        ).b;
        result[table] = { rows, bytes };
      }
    } finally {
      db.close();
    }
    return result;
  }
  const client = new Client({ connectionString: workerEnv.DIRECTORY_URL });
  await client.connect();
  try {
    for (const table of FOOTPRINT_TABLES) {
      const { rows } = await client.query<{ n: string; b: string }>(
        `SELECT (SELECT COUNT(*) FROM ${table}) AS n, pg_total_relation_size(to_regclass($1)) AS b`,
        [table],
      );
      result[table] = { rows: Number(rows[0].n), bytes: Number(rows[0].b) };
    }
  } finally {
    await client.end();
  }
  return result;
}
