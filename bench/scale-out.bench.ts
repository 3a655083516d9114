/**
 * Scale-out: the same sending (100k; `--quick`: 2k, 4 and 1 workers) on a PostgreSQL directory through 4, 2
 * and 1 real worker processes on one task queue, without a limit; then a smaller sending (20k; not in
 * `--quick`) under a provider-wide limit (BENCH_SCALE_LIMIT, default 250/s, below what the
 * workers reach without a limit on this 2-core machine, so that the limit binds); then (issue 18) a
 * sending against an endpoint that answers in 100 ms (10k; `--quick`: 800, batches of 100) with K
 * batches in flight (`parallelBatches`) on as many workers, and K = 4 on one worker. The endpoint, in
 * its own process, measures the rate (first to last accepted message), the busiest 1-second window,
 * the messages each worker sent, that each recipient was accepted once, and the time from the `send`
 * update to the first message; the sending's history says which worker ran each batch. The workers
 * of a configuration are started once and stopped (SIGTERM) down to the next run's count.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { SendingClient, connectClient } from '../client/sending-client';
import { seedAudience } from './support/audience';
import { loadAverage } from './support/cpu';
import { openBenchDirectory } from './support/directory-for-bench';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { startTimedEndpoint } from './support/timed-endpoint-process';
import { httpFleetEnv, sendThroughFleet, startFleet } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';
import { DEFAULT_PARALLEL_BATCHES } from '../workflows/tuning';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const LIMIT = Number(process.env.BENCH_SCALE_LIMIT ?? 250);
/** Each plan's runs, most workers first (the fleet shrinks between runs); `parallelBatches` unset: the default. */
interface Plan {
  limit: number;
  latencyMs: number;
  projectId: string;
  recipients: number;
  batchSize?: number;
  runs: { workers: number; parallelBatches?: number }[];
}
const runsOf = (workerCounts: number[]) => workerCounts.map((workers) => ({ workers }));
/** BENCH_SCALE_ONLY=slow (a plan's project id): only that plan, reported as scale-out.<plan>[.quick].json. */
const ONLY = process.env.BENCH_SCALE_ONLY ?? '';
const ALL_PLANS: Plan[] = [
  {
    limit: 0,
    latencyMs: 0,
    projectId: 'bench',
    recipients: QUICK ? 2_000 : 100_000,
    runs: [...runsOf(QUICK ? [4, 1] : [4, 2, 1]).map((run) => ({ ...run, parallelBatches: 4 })), { workers: 1, parallelBatches: 1 }],
  },
  {
    limit: LIMIT,
    latencyMs: 0,
    projectId: 'limited',
    recipients: QUICK ? 1_000 : 20_000,
    runs: QUICK ? [...runsOf([4, 1]), { workers: 1, parallelBatches: 4 }] : [...runsOf([4, 2, 1]), { workers: 1, parallelBatches: 4 }],
  },
  {
    limit: 0,
    latencyMs: 100,
    projectId: 'slow',
    recipients: QUICK ? 800 : 10_000,
    batchSize: 100,
    runs: [
      { workers: 4, parallelBatches: 4 },
      { workers: 2, parallelBatches: 2 },
      { workers: 1, parallelBatches: 4 },
      { workers: 1, parallelBatches: 1 },
    ],
  },
];
/** `--quick` leaves out the limited plan (the many-sendings benchmark's quick run shares a limit too). */
const PLANS = ALL_PLANS.filter((plan) => (ONLY === '' ? !QUICK || plan.projectId !== 'limited' : plan.projectId === ONLY));

const spread = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}:${n}`)
    .join(' ');

async function main(): Promise<void> {
  const notes: Record<string, unknown> = { temporal: TEMPORAL_ADDRESS, cpus: cpus().length, plans: PLANS, loadBefore: loadAverage() };
  const bench = await openBenchDirectory('postgres');
  const rows: Row[] = [];
  try {
    for (const plan of PLANS) await seedAudience(bench.directory, plan.projectId, plan.recipients);
    const bundle = await writeWorkflowBundle();
    for (const { limit, latencyMs, projectId, recipients, batchSize, runs } of PLANS) {
      const endpoint = await startTimedEndpoint({ delayMs: latencyMs });
      const taskQueue = `bench-scale-${randomUUID().slice(0, 8)}`;
      const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
      const sendings = new SendingClient(client, taskQueue);
      const fleet = await startFleet(
        runs[0].workers,
        httpFleetEnv({
          workerEnv: bench.workerEnv,
          temporalAddress: TEMPORAL_ADDRESS,
          taskQueue,
          bundle,
          httpUrl: endpoint.httpUrl,
          limit,
        }),
      );
      try {
        for (const { workers, parallelBatches } of runs) {
          await fleet.shrinkTo(workers);
          const load = loadAverage();
          const tuning = { ...(batchSize ? { batchSize } : {}), ...(parallelBatches ? { parallelBatches } : {}) };
          const run = await sendThroughFleet(fleet, sendings, client, endpoint, projectId, tuning);
          const e = run.endpoint;
          const exactlyOnce =
            e.accepted === recipients && e.distinctNumbers === recipients && e.numbersSentTwice === 0 && run.sent === recipients;
          const row: Row = {
            limit: limit || 'none',
            latencyMs,
            recipients,
            workers,
            parallelBatches: parallelBatches ?? DEFAULT_PARALLEL_BATCHES,
            batchSize: batchSize ?? 500,
            perSecond: Math.round(e.perSecond),
            ofLimit: limit ? `${((e.perSecond / limit) * 100).toFixed(1)}%` : null,
            maxIn1s: e.maxPerSecondWindow,
            withinLimit: limit ? e.maxPerSecondWindow <= limit : null,
            exactlyOnce,
            replayed: e.replayed,
            messagesPerWorker: spread(e.perWorker),
            batchesPerWorker: spread(run.batches),
            sendSeconds: Number(run.sendSeconds.toFixed(1)),
            firstMessageMs: run.firstMessageMs,
            load,
          };
          console.log(`[scale-out] ${JSON.stringify(row)}`);
          rows.push(row);
        }
      } finally {
        await fleet.shrinkTo(0);
        await client.connection.close();
        await endpoint.close();
      }
    }
  } finally {
    await bench.close();
  }
  notes.loadAfter = loadAverage();
  rows.sort(
    (a, b) =>
      Number(a.latencyMs) - Number(b.latencyMs) ||
      Number(a.limit !== 'none') - Number(b.limit !== 'none') ||
      Number(a.workers) - Number(b.workers) ||
      Number(a.parallelBatches) - Number(b.parallelBatches),
  );
  report(ONLY ? `scale-out.${ONLY}` : 'scale-out', rows, notes);
  // The endpoint's busiest windows are reported, not asserted: they add the way from the worker to the
  // endpoint to the limiter's promise, which the rate-limit benchmark checks where messages start.
  if (rows.some((row) => row.exactlyOnce !== true)) throw new Error('A recipient was not accepted exactly once.');
}

runBenchmark(main);
