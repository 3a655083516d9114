/**
 * What a chaos run drives, all on loopback: its own Temporal dev server (data in a file, so it can be
 * killed and started again), the fault-injection provider as a process of its own (the ledger survives
 * everything else), and worker processes that can be killed and started again.
 */
import { join } from 'node:path';
import { SendingClient, connectClient } from '../../client/sending-client';
import { within } from '../support/within';
import { devServer, type DevServer } from '../../test/support/dev-server';
import { controlFakeProvider, type FakeProviderControl } from '../../test/support/fake-provider/control-client';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN } from '../../test/support/fake-provider';
import { ROOT } from '../../test/support/paths';
import { spawnWorker, type WorkerProcess } from '../../test/support/worker-process';
import { startListeningChild, type ListeningChild } from '../support/listening-child';
import { writeWorkflowBundle } from '../support/workflow-bundle';

export type ProviderKind = 'twilio' | 'http';

export interface WorkerSettings {
  taskQueue: string;
  /** The directory's variables (openBenchDirectory's workerEnv). */
  directoryEnv: Record<string, string>;
  provider: ProviderKind;
  /** The provider's time-out: a hang resolves after it. */
  providerTimeoutMs: number;
}

export interface ChaosStack {
  server: DevServer;
  /** The workflow code the workers run: a round replays its histories with it. */
  workflowBundle: string;
  provider: FakeProviderControl;
  providerUrl: string;
  sendings(taskQueue: string): Promise<SendingClient>;
  startWorkers(count: number, settings: WorkerSettings): Promise<void>;
  /** Kills one worker with SIGKILL and starts another in its place once `downMs` passed. */
  killWorker(index: number, downMs: number): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosStack(dataFolder: string): Promise<ChaosStack> {
  const bundle = await writeWorkflowBundle();
  const server = await devServer(dataFolder);
  await server.start();
  const endpoint: ListeningChild = await startListeningChild(join(ROOT, 'test', 'support', 'fake-provider', 'main.ts'));
  const workers: WorkerProcess[] = [];
  const clients: SendingClient[] = [];
  let env: Record<string, string> = {};

  const workerEnv = (settings: WorkerSettings): Record<string, string> => ({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: settings.taskQueue,
    ...settings.directoryEnv,
    WORKER_WORKFLOW_BUNDLE: bundle,
    SMS_RATE_LIMIT: '0',
    SMS_CONCURRENCY: '8',
    SMS_PROVIDER_TIMEOUT_MS: String(settings.providerTimeoutMs),
    SMS_RETRY_AFTER_CAP_MS: '2000',
    SMS_BREAKER_FAILURES: '12',
    SMS_BREAKER_WINDOW_MS: '30000',
    ...(settings.provider === 'http'
      ? { SMS_PROVIDER: 'http', SMS_HTTP_URL: `${endpoint.url}/messages` }
      : {
          SMS_PROVIDER: 'twilio',
          TWILIO_BASE_URL: endpoint.url,
          TWILIO_ACCOUNT_SID: DEFAULT_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: DEFAULT_AUTH_TOKEN,
          TWILIO_FROM: '+15145550000',
        }),
  });
  /** A worker started while the server is down exits at once: start it again until the server answers, as a process supervisor would. */
  const start = async (): Promise<WorkerProcess> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const worker = spawnWorker(env);
      try {
        await worker.ready;
        return worker;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };

  return {
    server,
    workflowBundle: bundle,
    provider: controlFakeProvider(endpoint.url),
    providerUrl: endpoint.url,
    async sendings(taskQueue) {
      const client = new SendingClient(await connectClient({ address: server.address, namespace: 'default', taskQueue }), taskQueue);
      clients.push(client);
      return client;
    },
    async startWorkers(count, settings) {
      env = workerEnv(settings);
      for (let i = 0; i < count; i++) workers.push(await start());
    },
    async killWorker(index, downMs) {
      const worker = workers[index];
      worker.child.kill('SIGKILL');
      await worker.exited;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      workers[index] = await start();
    },
    async stopWorkers() {
      for (const worker of workers.splice(0)) {
        worker.child.kill('SIGTERM');
        await within(worker.exited, 60_000, 'the worker did not stop within a minute').catch(() => worker.child.kill('SIGKILL'));
      }
    },
    async close() {
      for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
      for (const client of clients) await client.client.connection.close().catch(() => undefined);
      await endpoint.stop();
      await server.stop().catch(() => undefined);
    },
  };
}
