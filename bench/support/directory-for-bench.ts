/**
 * A throw-away directory for a benchmark: a SQLite file in a temp folder, or a unique PostgreSQL schema
 * (BENCH_DATABASE_URL). BENCH_PG_EXTRA adds server settings to the workers' PostgreSQL connections,
 * e.g. " -c synchronous_commit=off" to see whether commits limit a run (an experiment, not a setting).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import { dropSchema } from '../../test/support/directories';
import { Client as PgClient } from 'pg';
import { cpuSeconds } from './cpu';

export type BenchStore = 'sqlite' | 'postgres';

export interface BenchDirectory {
  directory: Directory;
  /** The worker's environment for this directory. */
  workerEnv: Record<string, string>;
  /** PostgreSQL: CPU seconds used so far by the server processes serving the workers' connections (NaN for SQLite). */
  serverCpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function openBenchDirectory(store: BenchStore): Promise<BenchDirectory> {
  if (store === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'bench-directory-'));
    const path = join(folder, 'directory.sqlite');
    const directory = await openDirectory({ sqlitePath: path });
    return {
      directory,
      workerEnv: { DIRECTORY_SQLITE_PATH: path },
      serverCpuSeconds: async () => Number.NaN,
      close: async () => {
        await directory.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const schema = `bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const directory = await openDirectory({ url: POSTGRES_URL, schema });
  return {
    directory,
    workerEnv: {
      // The schema's name as application_name: the server processes of the workers' connections can be told apart.
      DIRECTORY_URL: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}application_name=${schema}&options=${encodeURIComponent(`-c search_path=${schema}${process.env.BENCH_PG_EXTRA ?? ''}`)}`,
    },
    serverCpuSeconds: async () => {
      const pg = new PgClient({ connectionString: POSTGRES_URL });
      await pg.connect();
      try {
        const { rows } = await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [schema]);
        return rows.reduce((sum, { pid }) => sum + (cpuSeconds(Number(pid)) || 0), 0);
      } finally {
        await pg.end();
      }
    },
    close: async () => {
      await directory.close();
      await dropSchema(POSTGRES_URL, schema);
    },
  };
}
