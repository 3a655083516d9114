/**
 * Many sendings at once (issue 18), through real worker processes (BENCH_MANY_WORKERS, default 2) on a
 * PostgreSQL directory, default tuning, the endpoint (its own process) answering at once:
 * 1. Throughput: one sending of N × M recipients, then N sendings of M recipients sent at once (full:
 *    100 × 1,000; `--quick`: 10 × 100), no limit. The rate is counted at the endpoint from the first to
 *    the last accepted message of all the sendings together; target: the N sendings ≥ 0.8 of the one.
 * 2. Starvation: a 100-recipient sending alone under a provider-wide limit (BENCH_MANY_LIMIT, default
 *    250/s, shared through the directory), then beside a big sending (full: 50,000; `--quick`: 3,500)
 *    under the same limit, sent once half of the big one's messages were accepted (and at least 12 s of
 *    them, so the big one is no longer a newcomer: worker/providers/newcomers.ts), then alone again.
 *    Its time runs from its `send` to its last message at the endpoint; target: beside ≤ 2 × alone.
 * BENCH_MANY_BIG_BATCHES=K: only part 2, the big sending with K batches in flight (`parallelBatches`;
 * default 1), results in many-sendings.big-batches-K[.quick].json.
 * Every sending is prepared and approved before the measured sends; a warm-up sending goes first on each
 * fleet. Every number must be accepted exactly once per sending, or the benchmark fails. The status is
 * polled only once the endpoint has every message (100 sendings polling would load the workers).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { SendingClient, connectClient } from '../client/sending-client';
import { runPool } from '../worker/activities/run-pool';
import { seedAudience } from './support/audience';
import { loadAverage } from './support/cpu';
import { openBenchDirectory, type BenchDirectory } from './support/directory-for-bench';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { prepareSending, sendAndWait } from './support/sending-run';
import { startTimedEndpoint, type EndpointReport, type TimedEndpoint } from './support/timed-endpoint-process';
import { startTimeline } from './support/timeline';
import { httpFleetEnv, startFleet } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';
import type { SendingTuning } from '../workflows/messages';
import { DEFAULT_PARALLEL_BATCHES } from '../workflows/tuning';
import { NEWCOMER_MS } from '../worker/providers/newcomers';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const WORKERS = Number(process.env.BENCH_MANY_WORKERS ?? 2);
const LIMIT = Number(process.env.BENCH_MANY_LIMIT ?? 250);
const SENDINGS = QUICK ? 10 : 100;
const EACH = QUICK ? 100 : 1_000;
const BIG = QUICK ? 3_500 : 50_000;
const BIG_BATCHES = Number(process.env.BENCH_MANY_BIG_BATCHES ?? 0);
const SMALL = 100;
/** Sendings created, prepared and approved at once. */
const PREPARING = 8;
const THROUGHPUT_TARGET = 0.8;
const STARVATION_TARGET = 2;

const { steps: timeline, mark } = startTimeline('many-sendings');

interface Fleet {
  sendings: SendingClient;
  endpoint: TimedEndpoint;
}

async function withFleet<T>(bench: BenchDirectory, bundle: string, limit: number, work: (fleet: Fleet) => Promise<T>): Promise<T> {
  const endpoint = await startTimedEndpoint();
  const taskQueue = `bench-many-${randomUUID().slice(0, 8)}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const fleet = await startFleet(
    WORKERS,
    httpFleetEnv({ workerEnv: bench.workerEnv, temporalAddress: TEMPORAL_ADDRESS, taskQueue, bundle, httpUrl: endpoint.httpUrl, limit }),
  );
  try {
    return await work({ sendings: new SendingClient(client, taskQueue), endpoint });
  } finally {
    await fleet.shrinkTo(0);
    await client.connection.close();
    await endpoint.close();
  }
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const spread = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}:${n}`)
    .join(' ');

/** Every number of every sending accepted once, and nothing else. */
const exactlyOnce = (e: EndpointReport, recipients: number) =>
  e.accepted === recipients && e.distinctNumbers === recipients && e.numbersSentTwice === 0;

async function prepareMany(
  sendings: SendingClient,
  projectId: string,
  count: number,
  tuning?: Partial<SendingTuning>,
): Promise<{ ids: string[]; seconds: number }> {
  const started = performance.now();
  const ids: string[] = new Array<string>(count);
  await runPool([...ids.keys()], PREPARING, async (i) => {
    ids[i] = (await prepareSending(sendings, projectId, tuning)).sendingId;
  });
  return { ids, seconds: seconds(performance.now() - started) };
}

/** Sends the sendings at once and waits for their last message at the endpoint, then for each to complete. */
async function sendAll(fleet: Fleet, ids: string[], recipients: number): Promise<Row> {
  const load = loadAverage();
  const allAccepted = fleet.endpoint.waitForAccepted(ids, recipients);
  const started = performance.now();
  const runs = await Promise.all(ids.map((id) => sendAndWait(fleet.sendings, id, { whenSent: () => allAccepted })));
  const completedSeconds = seconds(performance.now() - started);
  const e = await fleet.endpoint.report(ids);
  const firstMs: number[] = [];
  const spanSeconds: number[] = [];
  for (const [i, id] of ids.entries()) {
    const own = await fleet.endpoint.report(id);
    firstMs.push(Math.round((own.firstAtMs ?? NaN) - runs[i].sendAtMs));
    spanSeconds.push(own.spanSeconds);
  }
  return {
    sendings: ids.length,
    recipients,
    workers: WORKERS,
    perSecond: Math.round(e.perSecond),
    maxIn1s: e.maxPerSecondWindow,
    spanSeconds: Number(e.spanSeconds.toFixed(2)),
    completedSeconds,
    firstMessageMedianMs: median(firstMs),
    firstMessageMaxMs: Math.max(...firstMs),
    sendingSpanMedianSeconds: Number(median(spanSeconds).toFixed(2)),
    exactlyOnce: exactlyOnce(e, recipients) && runs.every((r) => r.status.progress.sent === recipients / ids.length),
    replayed: e.replayed,
    messagesPerWorker: spread(e.perWorker),
    load,
  };
}

async function throughput(bench: BenchDirectory, bundle: string, rows: Row[], notes: Record<string, unknown>): Promise<void> {
  await withFleet(bench, bundle, 0, async (fleet) => {
    mark('throughput fleet started');
    const warmUp = await prepareSending(fleet.sendings, 'many');
    await sendAndWait(fleet.sendings, warmUp.sendingId);
    mark('warm-up sent');
    const one = await prepareMany(fleet.sendings, 'one', 1);
    const many = await prepareMany(fleet.sendings, 'many', SENDINGS);
    mark('throughput sendings prepared');
    notes.prepareSeconds = { [`1 × ${SENDINGS * EACH}`]: one.seconds, [`${SENDINGS} × ${EACH}`]: many.seconds };
    const oneRow: Row = { part: 'throughput', case: `1 × ${SENDINGS * EACH}`, ...(await sendAll(fleet, one.ids, SENDINGS * EACH)) };
    console.log(`[many-sendings] ${JSON.stringify(oneRow)}`);
    mark('one sent');
    const manyRow: Row = { part: 'throughput', case: `${SENDINGS} × ${EACH}`, ...(await sendAll(fleet, many.ids, SENDINGS * EACH)) };
    manyRow.ratio = Number((Number(manyRow.perSecond) / Number(oneRow.perSecond)).toFixed(3));
    manyRow.met = Number(manyRow.ratio) >= THROUGHPUT_TARGET;
    console.log(`[many-sendings] ${JSON.stringify(manyRow)}`);
    mark('many sent');
    rows.push(oneRow, manyRow);
  });
}

interface SmallRun {
  row: Row;
  sendToLastMs: number;
  window: { fromMs: number; toMs: number };
}

async function sendSmall(fleet: Fleet, sendingId: string, label: string): Promise<SmallRun> {
  const load = loadAverage();
  const { sendAtMs, sendSeconds } = await sendAndWait(fleet.sendings, sendingId);
  const e = await fleet.endpoint.report(sendingId);
  const sendToLastMs = Math.round((e.lastAtMs ?? NaN) - sendAtMs);
  const row: Row = {
    part: 'starvation',
    case: label,
    limit: LIMIT,
    recipients: SMALL,
    workers: WORKERS,
    sendToLastMs,
    firstMessageMs: Math.round((e.firstAtMs ?? NaN) - sendAtMs),
    perSecond: Math.round(e.perSecond),
    completedSeconds: Number(sendSeconds.toFixed(2)),
    exactlyOnce: exactlyOnce(e, SMALL),
    load,
  };
  console.log(`[many-sendings] ${JSON.stringify(row)}`);
  return { row, sendToLastMs, window: { fromMs: e.firstAtMs ?? 0, toMs: e.lastAtMs ?? 0 } };
}

async function starvation(bench: BenchDirectory, bundle: string, rows: Row[]): Promise<void> {
  await withFleet(bench, bundle, LIMIT, async (fleet) => {
    mark('starvation fleet started');
    const [warmUp, before, beside, after] = (await prepareMany(fleet.sendings, 'small', 4)).ids;
    const { ids } = await prepareMany(fleet.sendings, 'big', 1, BIG_BATCHES ? { parallelBatches: BIG_BATCHES } : undefined);
    const big = ids[0];
    mark('starvation sendings prepared');
    await sendAndWait(fleet.sendings, warmUp);
    const alone = await sendSmall(fleet, before, 'alone, before');
    const bigLoad = loadAverage();
    const bigRun = sendAndWait(fleet.sendings, big);
    // Half way, and no longer a newcomer itself (it has waited on the limit for over NEWCOMER_MS).
    await fleet.endpoint.waitForAccepted(big, Math.max(BIG / 2, (LIMIT * (NEWCOMER_MS + 2_000)) / 1000));
    const shared = await sendSmall(fleet, beside, `beside ${BIG}`);
    const bigInWindow = await fleet.endpoint.accepted(big, shared.window);
    // Where the batches ran meanwhile: what the limiter had to split between the workers.
    shared.row.smallPerWorker = JSON.stringify(await fleet.endpoint.acceptedPerWorker(beside, shared.window));
    shared.row.bigPerWorker = JSON.stringify(await fleet.endpoint.acceptedPerWorker(big, shared.window));
    const { sendSeconds } = await bigRun;
    mark('big sent');
    const aloneAgain = await sendSmall(fleet, after, 'alone, after');
    const aloneMs = (alone.sendToLastMs + aloneAgain.sendToLastMs) / 2;
    shared.row.ratio = Number((shared.sendToLastMs / aloneMs).toFixed(2));
    shared.row.met = shared.sendToLastMs <= STARVATION_TARGET * aloneMs;
    shared.row.bigMessagesMeanwhile = bigInWindow;
    const e = await fleet.endpoint.report(big);
    const bigRow: Row = {
      part: 'starvation',
      case: `big sending ${BIG}`,
      limit: LIMIT,
      recipients: BIG,
      workers: WORKERS,
      parallelBatches: BIG_BATCHES || DEFAULT_PARALLEL_BATCHES,
      perSecond: Math.round(e.perSecond),
      ofLimit: `${((e.perSecond / LIMIT) * 100).toFixed(1)}%`,
      maxIn1s: e.maxPerSecondWindow,
      completedSeconds: Number(sendSeconds.toFixed(1)),
      exactlyOnce: exactlyOnce(e, BIG),
      load: bigLoad,
    };
    console.log(`[many-sendings] ${JSON.stringify(bigRow)}`);
    rows.push(alone.row, shared.row, aloneAgain.row, bigRow);
  });
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = {
    temporal: TEMPORAL_ADDRESS,
    cpus: cpus().length,
    workers: WORKERS,
    sendings: SENDINGS,
    each: EACH,
    limit: LIMIT,
    big: BIG,
    bigParallelBatches: BIG_BATCHES || DEFAULT_PARALLEL_BATCHES,
    small: SMALL,
    loadBefore: loadAverage(),
  };
  const bench = await openBenchDirectory('postgres');
  const rows: Row[] = [];
  try {
    if (!BIG_BATCHES) {
      await seedAudience(bench.directory, 'many', EACH);
      await seedAudience(bench.directory, 'one', SENDINGS * EACH);
    }
    await seedAudience(bench.directory, 'small', SMALL);
    await seedAudience(bench.directory, 'big', BIG);
    mark('audiences seeded');
    const bundle = await writeWorkflowBundle();
    mark('workflows bundled');
    if (!BIG_BATCHES) await throughput(bench, bundle, rows, notes);
    await starvation(bench, bundle, rows);
  } finally {
    await bench.close();
  }
  mark('done');
  notes.timeline = timeline;
  notes.loadAfter = loadAverage();
  report(BIG_BATCHES ? `many-sendings.big-batches-${BIG_BATCHES}` : 'many-sendings', rows, notes);
  if (rows.some((row) => row.exactlyOnce !== true)) throw new Error('A recipient was not accepted exactly once.');
}

runBenchmark(main);
