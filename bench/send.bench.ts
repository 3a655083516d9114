/**
 * Send throughput and history size. The real worker process (SMS_PROVIDER=http, no rate limit)
 * sends a prepared sending through the dev server (TEMPORAL_ADDRESS) to a provider endpoint in its
 * own process; a bare loop with the same concurrency posts the same requests to the same endpoint.
 * Rates are measured at the endpoint (first to last accepted message). The endpoint counts messages
 * per number: every recipient must be accepted exactly once. History: events and bytes of every run
 * of the sending's continue-as-new chain.
 * Endpoint latency 0 ms measures our own cost per message; a few ms is closer to a real provider API.
 * A scenario with a bare loop sends the audience twice on one worker: the worker's first sending (it compiles
 * its code as it goes: `firstSendingPerSecond`), then the measured one (`workerPerSecond`, `ratio`), as a
 * long-running worker sends; the bare loop runs before and after, in this process, after a first bare loop
 * that is not counted (the first loop in a process ran at ~3,400/s and 0.36 CPU s per 1k where the next ones ran
 * at 4,400–5,500/s: compared with it, the ratio came out ~0.1 too high).
 * `--quick`: 1k–3k recipients. WORKER_NODE_OPTIONS profiles the worker alone (test/support/worker-process.ts);
 * BENCH_BATCH_SIZE sets the sendings' batch size (fixed batches).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendingClient, connectClient } from '../client/sending-client';
import type { Directory } from '../worker/directory/directory';
import type { SendingStatus, SendingTuning } from '../workflows/messages';
import { spawnWorker, type WorkerProcess } from '../test/support/worker-process';
import { MESSAGE, seedAudience } from './support/audience';
import { bareLoop } from './support/bare-loop';
import { cpuSeconds, loadAverage } from './support/cpu';
import { openBenchDirectory, type BenchStore } from './support/directory-for-bench';
import { startEndpoint, type Endpoint, type EndpointStats } from './support/endpoint-process';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { billableActions, historySize, prepareSending, sendAndWait } from './support/sending-run';
import { Client as PgClient } from 'pg';
import { httpFleetEnv } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const CONCURRENCY = Number(process.env.BENCH_SEND_CONCURRENCY ?? 16);
/**
 * BENCH_SEND_RESULT: another result name. A run filtered by BENCH_SEND_FILTER writes `send-<filter>` (e.g.
 * `send-postgres`) so that it never replaces the full run's `send`.
 */
const filterSlug = (process.env.BENCH_SEND_FILTER ?? '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
const RESULT_NAME = process.env.BENCH_SEND_RESULT ?? (filterSlug ? `send-${filterSlug}` : 'send');

interface Scenario {
  store: BenchStore;
  recipients: number;
  /** Endpoint answer delay, ms. */
  latencyMs: number;
  /** Also run the bare loop (before and after the worker) for the ratio. */
  compare: boolean;
  /** The worker's SMS_CONCURRENCY when it differs from the bare loop's. */
  workerConcurrency?: number;
  /** `outbox`: the fast path for the largest audience (messages written to the directory, no HTTP). */
  provider?: 'http' | 'outbox';
  /**
   * The sending's batches in flight at once (default here 1, so the worker has as many messages in flight
   * as the bare loop; with K, `workerConcurrency` CONCURRENCY / K keeps the total the same).
   */
  parallelBatches?: number;
}

const SCENARIOS: Scenario[] = QUICK
  ? [
      { store: 'sqlite', recipients: 3_000, latencyMs: 0, compare: true },
      { store: 'sqlite', recipients: 500, latencyMs: 50, compare: true },
      { store: 'postgres', recipients: 2_000, latencyMs: 0, compare: true },
      { store: 'sqlite', recipients: 3_000, latencyMs: 0, compare: false, provider: 'outbox' },
    ]
  : [
      { store: 'sqlite', recipients: 100_000, latencyMs: 0, compare: true },
      { store: 'sqlite', recipients: 1_000_000, latencyMs: 0, compare: false, provider: 'outbox' },
      { store: 'sqlite', recipients: 10_000, latencyMs: 0, compare: true },
      { store: 'sqlite', recipients: 10_000, latencyMs: 0, compare: true, workerConcurrency: 2 * CONCURRENCY },
      { store: 'sqlite', recipients: 10_000, latencyMs: 50, compare: true },
      { store: 'postgres', recipients: 10_000, latencyMs: 0, compare: true },
      { store: 'postgres', recipients: 10_000, latencyMs: 0, compare: true, parallelBatches: 4, workerConcurrency: CONCURRENCY / 4 },
      { store: 'postgres', recipients: 10_000, latencyMs: 50, compare: true },
      { store: 'postgres', recipients: 10_000, latencyMs: 50, compare: true, parallelBatches: 4, workerConcurrency: CONCURRENCY / 4 },
      { store: 'sqlite', recipients: 10_000, latencyMs: 0, compare: true, parallelBatches: 4, workerConcurrency: CONCURRENCY / 4 },
    ];

const label = (s: Scenario) =>
  `${s.store} ${s.recipients} ${s.provider === 'outbox' ? 'outbox' : `@${s.latencyMs}ms`}${s.workerConcurrency ? ` worker concurrency ${s.workerConcurrency}` : ''}${s.parallelBatches ? ` ${s.parallelBatches} batches at once` : ''}`;

function temporalServerPid(): number | undefined {
  try {
    const port = TEMPORAL_ADDRESS.split(':').pop();
    return Number(readFileSync(join(process.env.DURABLE_SMS_DATA ?? '.data', `temporal-${port}.pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The outbox's counterpart of the endpoint's counters (its rate over the whole send). */
async function outboxStats(directory: Directory, sendingId: string, sendSeconds: number): Promise<EndpointStats> {
  const messages = await directory.readOutbox(sendingId);
  const perNumber = new Map<string, number>();
  for (const m of messages) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
  const twice = [...perNumber.values()].filter((n) => n > 1);
  const lastAt = Date.now();
  return {
    requests: messages.length,
    accepted: messages.length,
    replayed: 0,
    distinctNumbers: perNumber.size,
    numbersSentTwice: twice.length,
    extraMessages: twice.reduce((sum, n) => sum + n - 1, 0),
    firstAt: lastAt - sendSeconds * 1000,
    lastAt,
  };
}

function endpointRate(stats: EndpointStats): number {
  return stats.accepted / Math.max(0.001, (stats.lastAt - stats.firstAt) / 1000);
}

/** PostgreSQL: rows of the snapshot/ledger table and its size on disk with its indexes and TOAST. */
async function ledgerBytes(url: string | undefined): Promise<{ rows: number; bytes: number } | null> {
  if (!url) return null;
  const pg = new PgClient({ connectionString: url });
  await pg.connect();
  try {
    await pg.query('ANALYZE sending_recipients');
    const { rows } = await pg.query<{ rows: string; bytes: string }>(
      "SELECT (SELECT COUNT(*) FROM sending_recipients) AS rows, pg_total_relation_size('sending_recipients') AS bytes",
    );
    return { rows: Number(rows[0].rows), bytes: Number(rows[0].bytes) };
  } finally {
    await pg.end();
  }
}

async function measureBareLoop(endpoint: Endpoint, recipients: number): Promise<{ rate: number; e2e: number; cpuPer1k: number }> {
  const id = `bare-${randomUUID().slice(0, 8)}`;
  const cpuBefore = cpuSeconds(process.pid);
  const { seconds, failures } = await bareLoop(endpoint.httpUrl, id, recipients, MESSAGE, CONCURRENCY);
  const stats = await endpoint.stats(id);
  if (failures > 0 || stats.accepted !== recipients)
    throw new Error(`bare loop: ${failures} failures, ${stats.accepted} accepted of ${recipients}`);
  return { rate: endpointRate(stats), e2e: recipients / seconds, cpuPer1k: ((cpuSeconds(process.pid) - cpuBefore) / recipients) * 1000 };
}

/** Every recipient accepted once at the endpoint, and the sending counted every one sent. */
const acceptedOnce = (stats: EndpointStats, status: SendingStatus, recipients: number): boolean =>
  stats.accepted === recipients &&
  stats.distinctNumbers === recipients &&
  stats.numbersSentTwice === 0 &&
  status.progress.sent === recipients;

/** A sending of the whole audience on a worker that has sent nothing yet: its rate at the endpoint, and whether each number got one message. */
async function firstSending(
  sendings: SendingClient,
  endpoint: Endpoint,
  tuning: Partial<SendingTuning>,
  recipients: number,
): Promise<{ rate: number; exactlyOnce: boolean }> {
  const { sendingId } = await prepareSending(sendings, 'bench', tuning);
  const { status } = await sendAndWait(sendings, sendingId);
  const stats = await endpoint.stats(sendingId);
  return { rate: endpointRate(stats), exactlyOnce: acceptedOnce(stats, status, recipients) };
}

async function runScenario(scenario: Scenario, bundle: string): Promise<{ row: Row; notes: Record<string, unknown> }> {
  const { store, recipients, latencyMs } = scenario;
  const bench = await openBenchDirectory(store);
  const endpoint = await startEndpoint({ delayMs: latencyMs });
  const taskQueue = `bench-send-${randomUUID().slice(0, 8)}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const sendings = new SendingClient(client, taskQueue);
  let worker: WorkerProcess | undefined;
  try {
    let t = performance.now();
    await seedAudience(bench.directory, 'bench', recipients);
    const seedSeconds = (performance.now() - t) / 1000;
    worker = spawnWorker({
      ...httpFleetEnv({
        workerEnv: bench.workerEnv,
        temporalAddress: TEMPORAL_ADDRESS,
        taskQueue,
        bundle,
        httpUrl: endpoint.httpUrl,
        limit: 0,
      }),
      SMS_PROVIDER: scenario.provider ?? 'http',
      SMS_CONCURRENCY: String(scenario.workerConcurrency ?? CONCURRENCY),
    });
    await worker.ready;
    // BENCH_BATCH_SIZE: fixed batches of that many recipients instead of batches sized by time (docs/benchmarks.md).
    const batchSize = process.env.BENCH_BATCH_SIZE ? { batchSize: Number(process.env.BENCH_BATCH_SIZE) } : {};
    const tuning = { parallelBatches: scenario.parallelBatches ?? 1, ...batchSize };
    // The worker's first sending of the audience (compiled code and open connections are what the measured one gets).
    const first = scenario.compare ? await firstSending(sendings, endpoint, tuning, recipients) : undefined;
    const { sendingId, prepareSeconds } = await prepareSending(sendings, 'bench', tuning);

    if (scenario.compare) await measureBareLoop(endpoint, recipients);
    const bareBefore = scenario.compare ? await measureBareLoop(endpoint, recipients) : undefined;
    const temporalPid = temporalServerPid();
    const cpu = async () => ({
      worker: cpuSeconds(worker!.child.pid!),
      endpoint: endpoint.cpuSeconds(),
      temporal: temporalPid ? cpuSeconds(temporalPid) : Number.NaN,
      postgres: await bench.serverCpuSeconds(),
    });
    const cpuBefore = await cpu();
    const load = loadAverage();
    const { sendSeconds, status } = await sendAndWait(sendings, sendingId);
    const cpuAfter = await cpu();
    const stats =
      scenario.provider === 'outbox' ? await outboxStats(bench.directory, sendingId, sendSeconds) : await endpoint.stats(sendingId);
    const bareAfter = scenario.compare ? await measureBareLoop(endpoint, recipients) : undefined;
    t = performance.now();
    const history = await historySize(client, sendingId);
    const actions = await billableActions(client, sendingId);
    const historySeconds = (performance.now() - t) / 1000;
    const ledger = store === 'postgres' ? await ledgerBytes(bench.workerEnv.DIRECTORY_URL) : null;

    const exactlyOnce = (first?.exactlyOnce ?? true) && acceptedOnce(stats, status, recipients);
    const rate = endpointRate(stats);
    const bareRate = bareBefore && bareAfter ? (bareBefore.rate + bareAfter.rate) / 2 : null;
    const per1k = (key: 'worker' | 'endpoint' | 'temporal' | 'postgres') =>
      Number((((cpuAfter[key] - cpuBefore[key]) / recipients) * 1000).toFixed(3));
    console.log(
      `[send] ${label(scenario)}: ${rate.toFixed(0)}/s (bare ${bareRate?.toFixed(0) ?? '-'}/s), exactly once: ${exactlyOnce}, history ${history.events} events`,
    );
    const row: Row = {
      store,
      recipients,
      provider: scenario.provider ?? 'http',
      latencyMs,
      concurrency: CONCURRENCY,
      workerConcurrency: scenario.workerConcurrency ?? CONCURRENCY,
      parallelBatches: scenario.parallelBatches ?? 1,
      workerPerSecond: Math.round(rate),
      workerE2ePerSecond: Math.round(recipients / sendSeconds),
      barePerSecond: bareRate === null ? null : Math.round(bareRate),
      ratio: bareRate === null ? null : Number((rate / bareRate).toFixed(2)),
      firstSendingPerSecond: first ? Math.round(first.rate) : null,
      firstSendingRatio: first && bareRate !== null ? Number((first.rate / bareRate).toFixed(2)) : null,
      exactlyOnce,
      replayed: stats.replayed,
      runs: history.runs,
      historyEvents: history.events,
      historyKiB: Math.round(history.bytes / 1024),
      maxRunEvents: history.maxRunEvents,
      maxRunKiB: Math.round(history.maxRunBytes / 1024),
      actions: actions.total,
      heartbeats: actions.heartbeats,
      ledgerBytesPerRecipient: ledger ? Math.round(ledger.bytes / ledger.rows) : null,
      prepareSeconds: Number(prepareSeconds.toFixed(1)),
    };
    const notes = {
      loadAtSend: load,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      sendSeconds: Number(sendSeconds.toFixed(1)),
      historyFetchSeconds: Number(historySeconds.toFixed(1)),
      actions,
      ledger,
      bare: { before: bareBefore, after: bareAfter },
      cpuSecondsPer1kMessages: {
        worker: per1k('worker'),
        endpoint: per1k('endpoint'),
        temporalServer: per1k('temporal'),
        postgres: store === 'postgres' ? per1k('postgres') : null,
        bareLoop: bareBefore?.cpuPer1k ?? null,
      },
    };
    return { row, notes };
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

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: Record<string, unknown> = {
    temporal: TEMPORAL_ADDRESS,
    provider: 'http (generic JSON API) to bench/support/provider-endpoint.ts in its own process',
    loadBefore: loadAverage(),
  };
  // BENCH_SEND_FILTER=postgres (a regular expression matching part of "sqlite 10000 @0ms"; "@0ms$" for the end): only the matching scenarios.
  const filter = new RegExp(process.env.BENCH_SEND_FILTER ?? '');
  const bundle = await writeWorkflowBundle();
  for (const scenario of SCENARIOS.filter((s) => filter.test(label(s)))) {
    const result = await runScenario(scenario, bundle);
    rows.push(result.row);
    notes[label(scenario)] = result.notes;
    // Written after each scenario, so a long run that is stopped keeps what it measured.
    report(RESULT_NAME, rows, { ...notes, loadNow: loadAverage() });
  }
  notes.loadAfter = loadAverage();
  report(RESULT_NAME, rows, notes);
  if (rows.some((row) => row.exactlyOnce !== true)) throw new Error('A recipient was not accepted exactly once.');
}

runBenchmark(main);
