/** SqlStore on a node-postgres Pool. */
import { createHash } from 'node:crypto';
import { Pool, types, type PoolClient, type PoolConfig } from 'pg';
import { numberPlaceholders, type SqlParam, type SqlStore, type TransactionOptions } from './sql-store';

const INT8_OID = 20;

/** BIGINT (epoch milliseconds, ids, counts) as numbers: every value the directory stores fits. */
const numericTypes: PoolConfig['types'] = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

type Queryable = Pool | PoolClient;

/**
 * Each SQL text runs as a named prepared statement, parsed once per connection, so the server does not
 * parse and plan the ledger's grouped statements again on every call (the directory's SQL is a fixed
 * set of texts). The name comes from the text: one name never means two statements on a connection.
 */
const convertedSql = new Map<string, { text: string; name: string }>();

function toPostgres(sql: string): { text: string; name: string } {
  let converted = convertedSql.get(sql);
  if (converted === undefined) {
    const text = numberPlaceholders(sql);
    converted = { text, name: `ds_${createHash('sha256').update(text).digest('hex').slice(0, 24)}` };
    if (convertedSql.size > 1000) convertedSql.clear();
    convertedSql.set(sql, converted);
  }
  return converted;
}

class PostgresQueries {
  readonly dialect = 'postgres' as const;

  constructor(protected readonly target: Queryable) {}

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const result = await this.target.query({ ...toPostgres(sql), values: params as SqlParam[] });
    return result.rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    const result = await this.target.query({ ...toPostgres(sql), values: params as SqlParam[] });
    return result.rowCount ?? 0;
  }

  async exec(script: string): Promise<void> {
    await this.target.query(script);
  }
}

class PostgresTransactionStore extends PostgresQueries implements SqlStore {
  transaction<T>(work: (tx: SqlStore) => Promise<T>): Promise<T> {
    return work(this);
  }

  async close(): Promise<void> {
    throw new Error('Cannot close the directory from inside a transaction.');
  }
}

export class PostgresStore extends PostgresQueries implements SqlStore {
  constructor(private readonly pool: Pool) {
    super(pool);
  }

  /** `schema`, when given, is the search_path of every connection (it must already exist). */
  static open(url: string, schema?: string): PostgresStore {
    const pool = new Pool({
      connectionString: url,
      types: numericTypes,
      max: 10,
      ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
    });
    // An idle connection that breaks (server restart) must not crash the process: the pool drops
    // it, and the next query opens a new one or fails to its caller.
    pool.on('error', () => undefined);
    return new PostgresStore(pool);
  }

  async transaction<T>(work: (tx: SqlStore) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let connectionBroken = false;
    try {
      await client.query(options.consistentReads ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN');
      try {
        const result = await work(new PostgresTransactionStore(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          connectionBroken = true;
        });
        throw error;
      }
    } finally {
      client.release(connectionBroken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
