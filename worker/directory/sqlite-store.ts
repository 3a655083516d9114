/** SqlStore on a better-sqlite3 file in WAL mode. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlParam, SqlStore } from './sql-store';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * better-sqlite3 is synchronous, but transactions here take async callbacks: a queue makes
 * every operation wait for the transaction in progress, so nothing runs inside it by accident.
 */
class OperationQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One better-sqlite3 connection; each SQL text is prepared once and reused (the directory's SQL is a fixed set). */
class SqliteConnection {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database.Database) {}

  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all<T>(sql: string, params: readonly SqlParam[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  run(sql: string, params: readonly SqlParam[]): number {
    const statement = this.statement(sql);
    if (statement.reader) return statement.all(...params).length;
    return statement.run(...params).changes;
  }
}

/** The store handed to a transaction's callback: runs directly, without queueing. */
class SqliteTransactionStore implements SqlStore {
  readonly dialect = 'sqlite' as const;

  constructor(private readonly connection: SqliteConnection) {}

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.connection.all<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return this.connection.all<T>(sql, params)[0];
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return this.connection.run(sql, params);
  }

  async exec(script: string): Promise<void> {
    this.connection.db.exec(script);
  }

  transaction<T>(work: (tx: SqlStore) => Promise<T>): Promise<T> {
    return work(this);
  }

  async close(): Promise<void> {
    throw new Error('Cannot close the directory from inside a transaction.');
  }
}

export class SqliteStore implements SqlStore {
  readonly dialect = 'sqlite' as const;
  private readonly queue = new OperationQueue();
  private readonly connection: SqliteConnection;
  private readonly inTransaction: SqliteTransactionStore;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    this.connection = new SqliteConnection(db);
    // Another process may hold the write lock for a whole bulk import or snapshot: wait for it.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 60000;');
    this.inTransaction = new SqliteTransactionStore(this.connection);
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.queue.run(() => this.connection.all<T>(sql, params));
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return this.queue.run(() => this.connection.run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.queue.run(() => {
      this.connection.db.exec(script);
    });
  }

  transaction<T>(work: (tx: SqlStore) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const db = this.connection.db;
      // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read.
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.inTransaction);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.queue.run(() => {
      this.connection.db.close();
    });
  }
}
