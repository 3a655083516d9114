/**
 * Real worker processes (worker/main.ts) on one task queue, each sending to the timed endpoint with
 * its name in an X-Worker header, and one sending through them: rate and 1-second windows at the
 * endpoint, messages and batches per worker, exactly once.
 */
import type { Client } from '@temporalio/client';
import { hostname } from 'node:os';
import type { SendingClient } from '../../client/sending-client';
import { spawnWorker, type WorkerProcess } from '../../test/support/worker-process';
import { sendingWorkflowId, type SendingTuning } from '../../workflows/messages';
import { prepareSending, sendAndWait } from './sending-run';
import type { EndpointReport, TimedEndpoint } from './timed-endpoint-process';

export interface Fleet {
  /** The running workers, w1 first. */
  workers: { name: string; process: WorkerProcess }[];
  /** Stops the last workers (SIGTERM: they drain) until `count` run. */
  shrinkTo(count: number): Promise<void>;
}

/** The environment of benchmark workers (a fleet, or one) on `taskQueue` sending to `httpUrl` under a limit shared through the directory (0: none). */
export function httpFleetEnv(options: {
  workerEnv: Record<string, string>;
  temporalAddress: string;
  taskQueue: string;
  bundle: string;
  httpUrl: string;
  limit: number;
}): Record<string, string> {
  return {
    ...options.workerEnv,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    WORKER_WORKFLOW_BUNDLE: options.bundle,
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: options.httpUrl,
    SMS_RATE_LIMIT: String(options.limit),
    SMS_RATE_LIMIT_SCOPE: 'directory',
    SMS_RATE_LIMIT_KEY: `bench-${options.taskQueue}`,
  };
}

export async function startFleet(count: number, env: Record<string, string>): Promise<Fleet> {
  const workers = Array.from({ length: count }, (_, i) => {
    const name = `w${i + 1}`;
    return { name, process: spawnWorker({ ...env, SMS_HTTP_HEADERS: JSON.stringify({ 'X-Worker': name }) }) };
  });
  await Promise.all(workers.map((w) => w.process.ready));
  return {
    workers,
    async shrinkTo(n) {
      const stopping = workers.splice(n);
      for (const w of stopping) w.process.child.kill('SIGTERM');
      await Promise.all(stopping.map((w) => w.process.exited));
    },
  };
}

export interface FleetSending {
  sendingId: string;
  sendSeconds: number;
  sent: number;
  endpoint: EndpointReport;
  /** sendBatch activities per worker name, from the sending's history. */
  batches: Record<string, number>;
  /** From the `send` update to the first message at the endpoint. */
  firstMessageMs: number | null;
}

export async function sendThroughFleet(
  fleet: Fleet,
  sendings: SendingClient,
  client: Client,
  endpoint: TimedEndpoint,
  projectId: string,
  tuning?: Partial<SendingTuning>,
): Promise<FleetSending> {
  const { sendingId } = await prepareSending(sendings, projectId, tuning);
  const { sendSeconds, sendAtMs, status } = await sendAndWait(sendings, sendingId);
  const report = await endpoint.report(sendingId);
  return {
    sendingId,
    sendSeconds,
    sent: status.progress.sent,
    endpoint: report,
    firstMessageMs: report.firstAtMs === null ? null : Math.round(report.firstAtMs - sendAtMs),
    batches: await batchesPerWorker(fleet, client, sendingId),
  };
}

/** The SDK's default worker identity is `<pid>@<hostname>`. */
async function batchesPerWorker(fleet: Fleet, client: Client, sendingId: string): Promise<Record<string, number>> {
  const names = new Map(fleet.workers.map((w) => [`${w.process.child.pid}@${hostname()}`, w.name]));
  const batches: Record<string, number> = {};
  const workflowId = sendingWorkflowId(sendingId);
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const sendBatchIds = new Set<string>();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'sendBatch') sendBatchIds.add(String(event.eventId));
      const started = event.activityTaskStartedEventAttributes;
      if (started && sendBatchIds.has(String(started.scheduledEventId))) {
        const name = names.get(started.identity ?? '') ?? started.identity ?? '?';
        batches[name] = (batches[name] ?? 0) + 1;
      }
    }
  }
  return batches;
}
