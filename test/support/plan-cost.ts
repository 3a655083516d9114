/** PostgreSQL: what a statement costs, read from its plan (EXPLAIN ANALYZE, BUFFERS), on a fresh seeded directory. */
import { Client } from 'pg';
import type { Directory } from '../../worker/directory/directory';
import { openFreshPostgresDirectory } from './directories';
import { seedBulk } from './seed';

export interface SeededPostgres {
  directory: Directory;
  /** A plain connection in the directory's schema, for EXPLAIN and for setting up rows. */
  pg: Client;
  close(): Promise<void>;
}

/** A fresh PostgreSQL directory with `contacts` contacts in `projectId`. */
export async function openSeededPostgres(projectId: string, contacts: number): Promise<SeededPostgres> {
  const fresh = await openFreshPostgresDirectory();
  const pg = new Client({ connectionString: fresh.url, options: `-c search_path=${fresh.schema}` });
  await pg.connect();
  await seedBulk(fresh.directory, projectId, contacts);
  return {
    directory: fresh.directory,
    pg,
    close: async () => {
      await pg.end();
      await fresh.close();
    },
  };
}

/** Runs `statement` under EXPLAIN (ANALYZE, BUFFERS): the rows it returned and the buffers it read. */
export async function planCost(pg: Client, statement: string, params: unknown[] = []): Promise<{ rows: number; blocks: number }> {
  const { rows } = await pg.query<{
    'QUERY PLAN': [{ Plan: { 'Actual Rows': number; 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }];
  }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`, params);
  const plan = rows[0]['QUERY PLAN'][0].Plan;
  return { rows: plan['Actual Rows'], blocks: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'] };
}
