/**
 * What an end-to-end test drives: a fresh SQLite directory, a real worker on it, this project packed and
 * installed into a real n8n the way users install it, and the Temporal credential for the worker's task queue.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Directory } from '../../worker/directory/directory';
import { openFreshSqliteDirectory, type FreshDirectory } from './directories';
import { addTemporalCredential, packProject, startN8n, type N8n } from './n8n';
import { startTestWorker, type TestWorker, type TestWorkerOptions } from './temporal';

export interface N8nStackOptions {
  /** Fills the fresh directory before the worker starts. */
  seed?(directory: Directory): Promise<void>;
  /** The worker's options besides its directory (a provider, say, which may use the directory). */
  worker?(directory: Directory): Omit<TestWorkerOptions, 'directory'>;
}

export interface N8nStack {
  directory: Directory;
  env: TestWorker;
  n8n: N8n;
  /** The Durable SMS (Temporal) API credential for the worker's task queue. */
  credentialId: string;
  /** Stops n8n, then the worker, closes the directory and removes the tarball. */
  stop(): Promise<void>;
}

interface Parts {
  fresh?: FreshDirectory;
  env?: TestWorker;
  tarball?: string;
  n8n?: N8n;
}

/** Stops what has started, every part even when another fails to stop; throws the failures afterwards. */
async function stopParts({ n8n, env, fresh, tarball }: Parts): Promise<void> {
  const steps = [
    () => n8n?.stop(),
    () => env?.stop(),
    () => fresh?.close(),
    () => tarball && rmSync(dirname(tarball), { recursive: true, force: true }),
  ];
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'stopping the n8n stack failed');
}

/** Starts the stack; when a part fails to start, what had started is stopped before the failure is thrown. */
export async function startN8nStack(options: N8nStackOptions = {}): Promise<N8nStack> {
  const parts: Parts = {};
  try {
    const { directory } = (parts.fresh = await openFreshSqliteDirectory());
    await options.seed?.(directory);
    const worker = startTestWorker({ ...options.worker?.(directory), directory }).then((env) => (parts.env = env));
    const packed = packProject().then((tarball) => (parts.tarball = tarball));
    // Both settle before either failure is thrown, so that the catch below stops whichever did start.
    await Promise.allSettled([worker, packed]);
    const [env, tarball] = await Promise.all([worker, packed]);
    const n8n = (parts.n8n = await startN8n({ packageTarball: tarball }));
    const credentialId = await addTemporalCredential(n8n, env.taskQueue);
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await stopParts(parts);
    };
    return { directory, env, n8n, credentialId, stop };
  } catch (error) {
    await stopParts(parts).catch(() => undefined);
    throw error;
  }
}
