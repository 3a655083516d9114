/**
 * Slots of the provider-wide rate limit, reserved in the directory's database (table `rate_limits`,
 * migration 3) on the database's clock, so the workers' own clocks do not matter. One statement per
 * reservation: the row lock (PostgreSQL) or the write lock (SQLite) orders concurrent workers. The
 * limiter has its own connection, so its round trips never queue behind the directory's work.
 */
import { DEFAULT_SQLITE_PATH, type DirectoryConfig } from '../directory/open-directory';
import { PostgresStore } from '../directory/postgres-store';
import type { SqlDialect, SqlStore } from '../directory/sql-store';
import { SqliteStore } from '../directory/sqlite-store';
import type { SlotStore } from './rate-limiter';

/** Milliseconds since the epoch, read when the statement runs (after any lock wait). */
const CLOCK: Record<SqlDialect, string> = {
  postgres: 'CAST(extract(epoch FROM clock_timestamp()) * 1000 AS DOUBLE PRECISION)',
  sqlite: "(unixepoch('subsec') * 1000.0)",
};
const LATER: Record<SqlDialect, string> = { postgres: 'GREATEST', sqlite: 'MAX' };

function reserveSql(dialect: SqlDialect): string {
  const clock = CLOCK[dialect];
  return `INSERT INTO rate_limits (key, tat, reserved_at) VALUES (?, ${clock} + ?, ${clock})
    ON CONFLICT (key) DO UPDATE SET tat = ${LATER[dialect]}(rate_limits.tat, ${clock}) + ?, reserved_at = ${clock}
    RETURNING tat, reserved_at`;
}

/** The directory as `openDirectory` opened it (and brought its schema up to date). */
export function openDirectorySlotStore(location: DirectoryConfig, key: string): SlotStore {
  const url = location.url?.trim();
  const db: SqlStore = url ? PostgresStore.open(url, location.schema) : new SqliteStore(location.sqlitePath?.trim() || DEFAULT_SQLITE_PATH);
  const sql = reserveSql(db.dialect);
  return {
    async reserve(spanMs) {
      let row: { tat: number; reserved_at: number } | undefined;
      try {
        row = await db.get<{ tat: number; reserved_at: number }>(sql, [key, spanMs, spanMs]);
      } catch (error) {
        throw new Error(
          `The provider-wide rate limit could not reserve messages in the directory (${db.dialect}): ${(error as Error).message}`,
        );
      }
      if (!row) throw new Error('The provider-wide rate limit got no reservation back from the directory.');
      return { startMs: Number(row.tat) - spanMs, nowMs: Number(row.reserved_at) };
    },
    close: () => db.close(),
  };
}
