/** The real worker (`worker/main.ts`) as a child process, the way operators run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker has printed its start line. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** WORKER_NODE_OPTIONS: NODE_OPTIONS for the worker alone (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it in a benchmark). */
export function spawnWorker(env: Record<string, string>, script = join(ROOT, 'worker', 'main.ts')): WorkerProcess {
  const workerNodeOptions = process.env.WORKER_NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...(workerNodeOptions ? { NODE_OPTIONS: workerNodeOptions } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('[worker] task queue')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready:\n${text}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  ready.catch(() => undefined);
  return { child, output: () => text, ready, exited };
}
