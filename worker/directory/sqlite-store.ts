/** SqlStore on a better-sqlite3 file in WAL mode. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_LOCK_WAIT_MS, waitForLock } from './sqlite-lock-wait';
import type { SqlParam, SqlStore } from './sql-store';

export { DirectoryLockedError } from './sqlite-lock-wait';

export interface SqliteStoreOptions {
  /** How long one operation waits for another process's lock on the file before it fails with DirectoryLockedError (default 60 s). */
  lockWaitMs?: number;
}

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
  private readonly path: string;
  private readonly lockWaitMs: number;
  private walPending = true;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // No busy timeout: SQLite would wait for a lock inside the synchronous call, stalling the event loop.
    const db = new Database(path, { timeout: 0 });
    this.connection = new SqliteConnection(db);
    this.path = path === ':memory:' ? path : resolve(path);
    this.lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    this.inTransaction = new SqliteTransactionStore(this.connection);
  }

  /** Another process may hold the write lock for a whole bulk import or snapshot: wait for it, on timers. */
  private waitForLock<T>(attempt: () => T): T | Promise<T> {
    return waitForLock(attempt, this.path, this.lockWaitMs);
  }

  /** Turning a new file to WAL takes its exclusive lock, which another process opening it may hold: done by the first operation, which waits for it. */
  private ensureWal(): void {
    if (!this.walPending) return;
    this.connection.db.exec('PRAGMA journal_mode = WAL');
    this.walPending = false;
  }

  /** A statement outside a transaction, in the queue; one that finds the file locked has changed nothing and is tried again. */
  private queued<T>(operation: () => T): Promise<T> {
    return this.queue.run(() =>
      this.waitForLock(() => {
        this.ensureWal();
        return operation();
      }),
    );
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.queued(() => this.connection.all<T>(sql, params));
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return this.queued(() => this.connection.run(sql, params));
  }

  /** As one transaction, so a script that finds the file locked starts again from its first statement. */
  exec(script: string): Promise<void> {
    return this.transaction((tx) => tx.exec(script));
  }

  transaction<T>(work: (tx: SqlStore) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const db = this.connection.db;
      // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read,
      // and once BEGIN has it (in WAL mode) no statement of the transaction finds the file locked.
      await this.waitForLock(() => {
        this.ensureWal();
        db.exec('BEGIN IMMEDIATE');
      });
      try {
        const result = await work(this.inTransaction);
        // Only in rollback-journal mode (WAL could not be turned on) does COMMIT wait for readers; a busy COMMIT leaves the transaction open.
        await this.waitForLock(() => db.exec('COMMIT'));
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
