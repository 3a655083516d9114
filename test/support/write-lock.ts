/** Another process holding a SQLite file's write lock, as a second worker or a sqlite3 shell with an open transaction does. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface WriteLockHolder {
  /** Takes the write lock for `holdMs` (timed in the other process); resolves once it is held. */
  hold(holdMs: number): Promise<HeldWriteLock>;
  stop(): Promise<void>;
}

export interface HeldWriteLock {
  /** Resolves to the moment (Date.now()) the other process committed and let the lock go. */
  released: Promise<number>;
}

const CHILD = join(__dirname, 'write-lock-child.ts');

/** Starts the other process on `path`; resolves once it has the file open. */
export async function startWriteLockHolder(path: string): Promise<WriteLockHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters: { pattern: RegExp; resolve(match: RegExpExecArray): void; reject(error: Error): void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(output);
      if (!match) continue;
      output = output.slice(match.index + match[0].length);
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(match);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    settle();
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`The write-lock holder exited with ${code}:\n${errors}`));
  });
  const next = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      waiters.push({ pattern, resolve, reject });
      settle();
    });

  await next(/\[lock\] ready\n/);
  return {
    async hold(holdMs) {
      const held = next(/\[lock\] held\n/);
      const released = next(/\[lock\] released (\d+)\n/).then((match) => Number(match[1]));
      released.catch(() => undefined); // a caller who stops the holder early never waits for it
      child.stdin.write(`hold ${holdMs}\n`);
      await held;
      return { released };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
