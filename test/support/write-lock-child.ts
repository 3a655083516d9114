/**
 * Run as its own process by write-lock.ts: opens a SQLite file and, for each `hold <ms>` line on
 * stdin, takes its write lock (BEGIN IMMEDIATE and a write) for that long, then commits.
 * Prints `[lock] ready`, `[lock] held` and `[lock] released <epoch ms>`.
 */
import Database from 'better-sqlite3';
import { createInterface } from 'node:readline';

const db = new Database(process.argv[2], { timeout: 10_000 });
db.exec('CREATE TABLE IF NOT EXISTS write_lock_holds (at BIGINT NOT NULL)');
console.log('[lock] ready');

createInterface({ input: process.stdin }).on('line', (line) => {
  const holdMs = Number(/^hold (\d+)$/.exec(line.trim())?.[1]);
  if (!Number.isFinite(holdMs)) return;
  db.exec('BEGIN IMMEDIATE');
  db.prepare('INSERT INTO write_lock_holds (at) VALUES (?)').run(Date.now());
  console.log('[lock] held');
  setTimeout(() => {
    db.exec('COMMIT');
    console.log(`[lock] released ${Date.now()}`);
  }, holdMs);
});
