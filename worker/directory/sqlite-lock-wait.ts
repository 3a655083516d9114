/**
 * Waiting for another process's lock on the SQLite file without stalling the event loop.
 * better-sqlite3 is synchronous: SQLite's own busy timeout would sleep inside the call and freeze
 * every timer of the worker (provider time-outs fired late, and accepted messages were marked
 * `unknown`). So the connection has no busy timeout, and a call that finds the file locked is tried
 * again on timers until the budget is spent.
 */

/** What SQLite's busy timeout was: a whole bulk import or snapshot by another process fits in it. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** Pauses between tries, ms; the last repeats. Short first: most locks are a few statements long. */
const BACKOFF_MS = [1, 2, 4, 8, 16, 25];

/** The wait for another process's lock outlasted the budget. Retrying later may succeed. */
export class DirectoryLockedError extends Error {
  constructor(
    readonly path: string,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `The directory database ${path} is locked by another process: waited ${waitedMs} ms for the lock. ` +
        'Finish or close the transaction that other process has open on that file (another worker, a sqlite3 shell or a database browser), then retry.',
      options,
    );
    this.name = 'DirectoryLockedError';
  }
}

/**
 * SQLITE_BUSY and its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT): another connection has the
 * lock, and the same call may succeed later. Not SQLITE_LOCKED, a conflict inside this connection.
 */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * `attempt()` at once, and while it fails with SQLITE_BUSY again after a pause, for at most
 * `budgetMs`; then DirectoryLockedError naming `path`. `attempt` must be safe to repeat after a
 * busy failure: a statement outside a transaction, BEGIN, or COMMIT (which leaves the transaction open).
 */
export function waitForLock<T>(attempt: () => T, path: string, budgetMs: number): T | Promise<T> {
  try {
    return attempt();
  } catch (error) {
    if (!isBusy(error)) throw error;
    return retry(attempt, path, budgetMs, error);
  }
}

async function retry<T>(attempt: () => T, path: string, budgetMs: number, firstError: unknown): Promise<T> {
  const startedAt = performance.now();
  let lastError = firstError;
  for (let tries = 0; ; tries++) {
    const waitedMs = performance.now() - startedAt;
    if (waitedMs >= budgetMs) throw new DirectoryLockedError(path, budgetMs, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, Math.min(BACKOFF_MS[Math.min(tries, BACKOFF_MS.length - 1)], budgetMs - waitedMs)));
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      lastError = error;
    }
  }
}
