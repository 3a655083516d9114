/**
 * Slots of the provider-wide rate limit, reserved in the directory's database (table `rate_limits`,
 * migration 3) on the database's clock, so the workers' own clocks do not matter. One statement per
 * reservation: the row lock (PostgreSQL) or the write lock (SQLite) orders concurrent workers. The
 * limiter has its own connection, so its round trips never queue behind the directory's work.
 * Each limiter also writes which sendings wait on it (table `rate_limit_waiters`, migration 10) and
 * reads those of the others, to split the limit between sendings rather than workers.
 */
import { randomUUID } from 'node:crypto';
import type { SlotStore } from '../providers/rate-limiter';
import { connectStore, type DirectoryConfig } from './open-directory';
import type { SqlDialect } from './sql-store';

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

function announceSql(dialect: SqlDialect): string {
  return `INSERT INTO rate_limit_waiters (key, limiter, waiting, seen_at) VALUES (?, ?, ?, ${CLOCK[dialect]})
    ON CONFLICT (key, limiter) DO UPDATE SET waiting = excluded.waiting, seen_at = excluded.seen_at`;
}

function othersSql(dialect: SqlDialect): string {
  return `SELECT waiting FROM rate_limit_waiters WHERE key = ? AND limiter <> ? AND seen_at > ${CLOCK[dialect]} - ?`;
}

function sweepSql(dialect: SqlDialect): string {
  return `DELETE FROM rate_limit_waiters WHERE key = ? AND seen_at < ${CLOCK[dialect]} - ?`;
}

/** A limiter that has not written its waiting sendings for this long waits no more (it writes them every ANNOUNCE_MS while busy). */
export const WAITERS_FRESH_MS = 500;
/** The rows of limiters gone (a worker stopped without closing) are removed after this long. */
const WAITERS_KEPT_MS = 60_000;

/** The rate limit's slots for `key`, in the directory as `openDirectory` opened it (and brought its schema up to date). */
export function openRateLimitSlots(location: DirectoryConfig, key: string): SlotStore {
  const db = connectStore(location);
  const sql = reserveSql(db.dialect);
  const [announceWaiting, readOthers, sweep] = [announceSql(db.dialect), othersSql(db.dialect), sweepSql(db.dialect)];
  const limiter = randomUUID();
  let sweptAt = -Infinity;
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
    async announce(waiting) {
      try {
        await db.run(announceWaiting, [key, limiter, JSON.stringify(waiting)]);
        if (performance.now() - sweptAt > WAITERS_KEPT_MS) {
          sweptAt = performance.now();
          await db.run(sweep, [key, WAITERS_KEPT_MS]);
        }
        const rows = await db.all<{ waiting: string }>(readOthers, [key, limiter, WAITERS_FRESH_MS]);
        return rows.map((row) => JSON.parse(row.waiting) as string[]);
      } catch (error) {
        throw new Error(
          `The provider-wide rate limit could not share its sendings in the directory (${db.dialect}): ${(error as Error).message}`,
        );
      }
    },
    async close() {
      // Not removed (the directory is gone): the row goes stale after WAITERS_FRESH_MS.
      await db.run('DELETE FROM rate_limit_waiters WHERE key = ? AND limiter = ?', [key, limiter]).catch(() => 0);
      await db.close();
    },
  };
}
