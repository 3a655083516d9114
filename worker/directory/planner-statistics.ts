/**
 * PostgreSQL plans the audience queries from table statistics, which autovacuum refreshes only
 * about a minute after a bulk import; until then it may pick nested loops over a million rows.
 * Before resolving an audience, tables never analyzed or much changed since are analyzed now.
 */
import type { SqlStore } from './sql-store';

const AUDIENCE_TABLES = "'contacts', 'memberships', 'opt_outs'";
const STALE_FRACTION = 0.2;
const SMALL_TABLE_ROWS = 1000;

export async function freshenAudienceStatistics(db: SqlStore): Promise<void> {
  if (db.dialect !== 'postgres') return;
  const stale = await db.all<{ relname: string }>(
    `SELECT relname FROM pg_stat_user_tables
     WHERE schemaname = current_schema() AND relname IN (${AUDIENCE_TABLES})
       AND n_live_tup + n_mod_since_analyze > ?
       AND (COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > CAST(? AS REAL) * n_live_tup)`,
    [SMALL_TABLE_ROWS, STALE_FRACTION],
  );
  for (const { relname } of stale) await db.run(`ANALYZE ${relname}`);
}
