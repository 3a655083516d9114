/**
 * Fresh, isolated directories for tests: a SQLite file in a temp folder, or a unique PostgreSQL
 * schema (dropped on close). The PostgreSQL server is TEST_DATABASE_URL, default the local one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';

export type StoreKind = 'sqlite' | 'postgres';

/** Every store the directory supports; suites run once per store with `describe.each(STORES)`. */
export const STORES: StoreKind[] = ['sqlite', 'postgres'];

export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface FreshDirectory {
  directory: Directory;
  /** Closes the directory and deletes its data (temp file or schema). */
  close(): Promise<void>;
}

export function openFreshDirectory(kind: StoreKind): Promise<FreshDirectory> {
  return kind === 'sqlite' ? openFreshSqliteDirectory() : openFreshPostgresDirectory();
}

export async function openFreshSqliteDirectory(): Promise<FreshDirectory & { path: string }> {
  const folder = mkdtempSync(join(tmpdir(), 'durable-sms-directory-'));
  const path = join(folder, 'directory.sqlite');
  const directory = await openDirectory({ sqlitePath: path });
  return {
    directory,
    path,
    close: async () => {
      await directory.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function openFreshPostgresDirectory(): Promise<FreshDirectory & { url: string; schema: string }> {
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const directory = await openDirectory({ url: TEST_POSTGRES_URL, schema });
  return {
    directory,
    url: TEST_POSTGRES_URL,
    schema,
    close: async () => {
      await directory.close();
      await dropSchema(TEST_POSTGRES_URL, schema);
    },
  };
}

/** Drops a PostgreSQL schema and everything in it (a fresh directory's, a benchmark's). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
