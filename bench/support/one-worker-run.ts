/**
 * One real worker process (SMS_PROVIDER=http, no rate limit) against a fresh benchmark directory seeded
 * with `recipients` contacts in project "bench" and a provider endpoint in its own process; everything
 * is stopped when `work` ends.
 */
import { randomUUID } from 'node:crypto';
import { SendingClient, connectClient } from '../../client/sending-client';
import { spawnWorker, type WorkerProcess } from '../../test/support/worker-process';
import { seedAudience } from './audience';
import { openBenchDirectory, type BenchDirectory, type BenchStore } from './directory-for-bench';
import { startEndpoint, type Endpoint } from './endpoint-process';
import { httpFleetEnv } from './worker-fleet';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

export interface OneWorker {
  bench: BenchDirectory;
  endpoint: Endpoint;
  client: SendingClient['client'];
  sendings: SendingClient;
}

export async function withOneWorker<T>(
  store: BenchStore,
  options: { recipients: number; bundle: string; queuePrefix: string },
  work: (run: OneWorker) => Promise<T>,
): Promise<T> {
  const bench = await openBenchDirectory(store);
  const endpoint = await startEndpoint({ delayMs: 0 });
  const taskQueue = `${options.queuePrefix}-${randomUUID().slice(0, 8)}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  let worker: WorkerProcess | undefined;
  try {
    await seedAudience(bench.directory, 'bench', options.recipients);
    worker = spawnWorker(
      httpFleetEnv({
        workerEnv: bench.workerEnv,
        temporalAddress: TEMPORAL_ADDRESS,
        taskQueue,
        bundle: options.bundle,
        httpUrl: endpoint.httpUrl,
        limit: 0,
      }),
    );
    await worker.ready;
    return await work({ bench, endpoint, client, sendings: new SendingClient(client, taskQueue) });
  } finally {
    if (worker) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await client.connection.close();
    await endpoint.close();
    await bench.close();
  }
}
