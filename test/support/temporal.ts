/** A real worker on the dev server for a test file: a unique task queue, the workflow bundle built once by globalSetup. */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { SendingClient, connectClient } from '../../client/sending-client';
import { connectWorker, createSmsWorker } from '../../worker/create-worker';
import type { Directory } from '../../worker/directory/directory';
import type { SmsProvider } from '../../worker/providers/provider';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { DEFAULT_DISPATCH_SETTINGS, type DispatchSettings } from '../../worker/activities/dispatch-settings';
import { payloadJson } from './history-text';
import { WORKFLOW_BUNDLE_PATH } from './paths';

export const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

export interface TestWorker {
  client: SendingClient;
  taskQueue: string;
  worker: Worker;
  stop(): Promise<void>;
}

export interface TestWorkerOptions {
  directory: Directory;
  provider?: SmsProvider;
  rateLimitPerSecond?: number;
  concurrency?: number;
  taskQueue?: string;
  dispatch?: Partial<DispatchSettings>;
  /** The workflow code the worker runs (the one globalSetup bundled unless given). */
  workflowBundle?: { code: string };
}

export async function startTestWorker(options: TestWorkerOptions): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await connectWorker({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const worker = await createSmsWorker({
    connection,
    namespace: 'default',
    taskQueue,
    directory: options.directory,
    provider: options.provider ?? createOutboxProvider(options.directory),
    limiter: createRateLimiter(options.rateLimitPerSecond ?? 0),
    concurrency: options.concurrency ?? 8,
    dispatch: { ...DEFAULT_DISPATCH_SETTINGS, ...options.dispatch },
    workflowBundle: options.workflowBundle ?? { code: readFileSync(WORKFLOW_BUNDLE_PATH, 'utf8') },
  });
  const running = worker.run();
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  return {
    client: new SendingClient(client, taskQueue),
    taskQueue,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await client.connection.close();
      await connection.close();
    },
  };
}

/** A run of a sending's workflow whose recorded history the current workflow code cannot replay. */
export class RunDoesNotReplay extends Error {
  constructor(
    readonly runId: string,
    readonly history: temporal.api.history.v1.IHistory,
    cause: unknown,
  ) {
    super(`run ${runId} does not replay: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RunDoesNotReplay';
  }
}

/**
 * Every run of a sending's workflow as the server recorded it, replayed with the workflow bundle (the one
 * globalSetup built unless given): per run, how many `sendBatch` activities it scheduled and the ids of the
 * patches (`patched(...)`) it recorded. A run that does not replay throws {@link RunDoesNotReplay}.
 */
export async function replayEveryRun(
  client: SendingClient,
  workflowId: string,
  bundlePath = WORKFLOW_BUNDLE_PATH,
): Promise<{ sendBatches: number; patches: string[] }[]> {
  const workflowBundle = { code: readFileSync(bundlePath, 'utf8') };
  const runs: { sendBatches: number; patches: string[] }[] = [];
  for await (const run of client.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    try {
      await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
    } catch (err) {
      throw new RunDoesNotReplay(run.runId, history, err);
    }
    const events = history.events ?? [];
    const patches = events.flatMap((e) => {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName !== 'core_patch') return [];
      const payloads = Object.values(marker.details ?? {}).flatMap((d) => d.payloads ?? []);
      return payloads.flatMap((p) => {
        const decoded = p.data ? payloadJson(p) : null;
        return decoded && typeof decoded === 'object' && 'id' in decoded ? [String(decoded.id)] : [];
      });
    });
    const sendBatches = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendBatch').length;
    runs.push({ sendBatches, patches });
  }
  return runs;
}
