/**
 * Scale-out: the same sending (100k; `--quick`: 5k) on a PostgreSQL directory through 4, 2 and 1
 * real worker processes on one task queue, without a limit; then a smaller sending (20k; `--quick`:
 * 1.5k, 4 and 2 workers) under a provider-wide limit (BENCH_SCALE_LIMIT, default 250/s, below what the
 * workers reach without a limit on this 2-core machine, so that the limit binds). The endpoint, in
 * its own process, measures the rate (first to last accepted message), the busiest 1-second window,
 * the messages each worker sent and that each recipient was accepted once; the sending's history
 * says which worker ran each batch. The workers of a configuration are started once; two, then one
 * more, are stopped between sendings.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { SendingClient, connectClient } from '../client/sending-client';
import { seedAudience } from './support/audience';
import { loadAverage } from './support/cpu';
import { openBenchDirectory } from './support/directory-for-bench';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { startTimedEndpoint } from './support/timed-endpoint-process';
import { sendThroughFleet, startFleet } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const LIMIT = Number(process.env.BENCH_SCALE_LIMIT ?? 250);
const PLANS = [
  { limit: 0, projectId: 'bench', recipients: QUICK ? 5_000 : 100_000, workerCounts: [4, 2, 1] },
  { limit: LIMIT, projectId: 'limited', recipients: QUICK ? 1_500 : 20_000, workerCounts: QUICK ? [4, 2] : [4, 2, 1] },
];

const spread = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}:${n}`)
    .join(' ');

async function main(): Promise<void> {
  const notes: Record<string, unknown> = { temporal: TEMPORAL_ADDRESS, cpus: cpus().length, plans: PLANS, loadBefore: loadAverage() };
  const bench = await openBenchDirectory('postgres');
  const endpoint = await startTimedEndpoint();
  const rows: Row[] = [];
  try {
    for (const plan of PLANS) await seedAudience(bench.directory, plan.projectId, plan.recipients);
    const bundle = await writeWorkflowBundle();
    for (const { limit, projectId, recipients, workerCounts } of PLANS) {
      const taskQueue = `bench-scale-${randomUUID().slice(0, 8)}`;
      const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
      const sendings = new SendingClient(client, taskQueue);
      const fleet = await startFleet(workerCounts[0], {
        ...bench.workerEnv,
        TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_WORKFLOW_BUNDLE: bundle,
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: endpoint.httpUrl,
        SMS_RATE_LIMIT: String(limit),
        SMS_RATE_LIMIT_SCOPE: 'directory',
        SMS_RATE_LIMIT_KEY: `bench-${taskQueue}`,
      });
      try {
        for (const workers of workerCounts) {
          await fleet.shrinkTo(workers);
          const load = loadAverage();
          const run = await sendThroughFleet(fleet, sendings, client, endpoint, projectId);
          const e = run.endpoint;
          const exactlyOnce =
            e.accepted === recipients && e.distinctNumbers === recipients && e.numbersSentTwice === 0 && run.sent === recipients;
          const row: Row = {
            limit: limit || 'none',
            recipients,
            workers,
            perSecond: Math.round(e.perSecond),
            ofLimit: limit ? `${((e.perSecond / limit) * 100).toFixed(1)}%` : null,
            maxIn1s: e.maxPerSecondWindow,
            withinLimit: limit ? e.maxPerSecondWindow <= limit : null,
            exactlyOnce,
            replayed: e.replayed,
            messagesPerWorker: spread(e.perWorker),
            batchesPerWorker: spread(run.batches),
            sendSeconds: Number(run.sendSeconds.toFixed(1)),
            load,
          };
          console.log(`[scale-out] ${JSON.stringify(row)}`);
          rows.push(row);
        }
      } finally {
        await fleet.shrinkTo(0);
        await client.connection.close();
      }
    }
  } finally {
    await endpoint.close();
    await bench.close();
  }
  notes.loadAfter = loadAverage();
  rows.sort((a, b) => Number(a.limit !== 'none') - Number(b.limit !== 'none') || Number(a.workers) - Number(b.workers));
  report('scale-out', rows, notes);
  // The endpoint's busiest windows are reported, not asserted: they add the way from the worker to the
  // endpoint to the limiter's promise, which the rate-limit benchmark checks where messages start.
  if (rows.some((row) => row.exactlyOnce !== true)) throw new Error('A recipient was not accepted exactly once.');
}

runBenchmark(main);
