/** Opens the configured directory store and brings its schema up to date. */
import { Client } from 'pg';
import type { Directory } from './directory';
import { DirectoryInputError } from './errors';
import { PostgresStore, quoteIdentifier } from './postgres-store';
import { SqlDirectory } from './sql-directory';
import type { SqlStore } from './sql-store';
import { SqliteStore } from './sqlite-store';

export const DEFAULT_SQLITE_PATH = '.data/directory.sqlite';

export interface DirectoryConfig {
  /** `postgres://` or `postgresql://` URL: PostgreSQL. Unset: the SQLite file. */
  url?: string;
  /** SQLite file path (default `.data/directory.sqlite`). */
  sqlitePath?: string;
  /** PostgreSQL schema to use (created when missing); default: the server's search_path. */
  schema?: string;
}

export async function openDirectory(config: DirectoryConfig = {}): Promise<Directory> {
  const url = config.url?.trim();
  const store = url ? await openPostgres(url, config.schema) : new SqliteStore(config.sqlitePath?.trim() || DEFAULT_SQLITE_PATH);
  const directory = new SqlDirectory(store);
  try {
    await directory.migrate();
  } catch (error) {
    await directory.close().catch(() => undefined);
    throw error;
  }
  return directory;
}

/** A connection of its own to the directory `openDirectory` opened (its URL checked and its schema up to date). */
export function connectStore(config: DirectoryConfig): SqlStore {
  const url = config.url?.trim();
  return url ? PostgresStore.open(url, config.schema) : new SqliteStore(config.sqlitePath?.trim() || DEFAULT_SQLITE_PATH);
}

async function openPostgres(url: string, schema: string | undefined): Promise<PostgresStore> {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = url.includes('://') ? url.slice(0, url.indexOf('://') + 3) : url.slice(0, 12);
    throw new DirectoryInputError(
      `Unsupported directory URL "${scheme}...": use a postgres:// or postgresql:// URL, or none for the SQLite file.`,
    );
  }
  if (schema !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new DirectoryInputError(`Invalid PostgreSQL schema name "${schema}": use letters, digits and underscores.`);
    }
    await createSchema(url, schema);
  }
  return PostgresStore.open(url, schema);
}

async function createSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a duplicate, which is fine.
    if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error;
  } finally {
    await client.end();
  }
}
