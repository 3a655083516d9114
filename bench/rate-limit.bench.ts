/**
 * Rate-limit accuracy, measured at the provider endpoint (its own process): the rate from first to
 * last arrival against the limit N (within 5%) and the busiest 1-second window (never above N). For
 * the limiter processes also the busiest 1-second window of the moments messages started (when the
 * limiter let them go): what the limiter promises, before the HTTP client and the endpoint's own timing.
 * 1. Limiter processes (bench/support/limiter-client.ts): the worker's limiter alone, 32 lanes per
 *    process, 50/s and 500/s, 1 and 3 processes sharing one limit through PostgreSQL (and SQLite,
 *    for workers on one host); and 3 processes with SMS_RATE_LIMIT_SCOPE=worker, which is N each.
 * 2. Worker processes: a sending through 3, then 1, real workers (worker/main.ts) at 50/s.
 * `--quick`: 3 s per limiter run and 250 messages per sending; otherwise 30 s and 1,500.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendingClient, connectClient } from '../client/sending-client';
import { seedAudience } from './support/audience';
import { loadAverage } from './support/cpu';
import { openBenchDirectory, type BenchDirectory, type BenchStore } from './support/directory-for-bench';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { startTimedEndpoint, type EndpointReport, type TimedEndpoint } from './support/timed-endpoint-process';
import { sendThroughFleet, startFleet } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';
import { maxInWindow } from '../test/support/windows';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const RUN_MS = QUICK ? 3_000 : 30_000;
const WORKER_LIMIT = 50;
const WORKER_MESSAGES = QUICK ? 150 : 1_500;

interface LimiterRun {
  store: BenchStore;
  scope: 'directory' | 'worker';
  limit: number;
  processes: number;
}

const LIMITER_RUNS: LimiterRun[] = [
  { store: 'postgres', scope: 'directory', limit: 50, processes: 1 },
  { store: 'postgres', scope: 'directory', limit: 50, processes: 3 },
  { store: 'postgres', scope: 'directory', limit: 500, processes: 1 },
  { store: 'postgres', scope: 'directory', limit: 500, processes: 3 },
  { store: 'sqlite', scope: 'directory', limit: 500, processes: 3 },
  { store: 'postgres', scope: 'worker', limit: 50, processes: 3 },
];

const spread = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}:${n}`)
    .join(' ');

/** Scope `worker` gives each process its own N: the provider then sees N × processes. */
const allowedOf = (run: Pick<LimiterRun, 'scope' | 'limit' | 'processes'>) =>
  run.scope === 'worker' ? run.limit * run.processes : run.limit;

function row(part: string, run: Omit<LimiterRun, 'processes'> & { processes: number }, e: EndpointReport, load: string): Row {
  const allowed = allowedOf(run);
  return {
    part,
    store: run.store,
    scope: run.scope,
    limit: run.limit,
    processes: run.processes,
    messages: e.accepted,
    perSecond: Number(e.perSecond.toFixed(1)),
    ofLimit: `${((e.perSecond / run.limit) * 100).toFixed(1)}%`,
    maxIn1s: e.maxPerSecondWindow,
    withinLimit: e.maxPerSecondWindow <= allowed,
    within5pct: run.scope === 'worker' ? null : e.perSecond <= run.limit && e.perSecond >= 0.95 * run.limit,
    perProcess: spread(e.perWorker),
    load,
  };
}

/** Runs the limiter processes; the start times of all their messages. */
function runLimiterProcesses(run: LimiterRun, bench: BenchDirectory, endpoint: TimedEndpoint, runId: string): Promise<number[]> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-starts-'));
  const startsFile = (i: number) => join(folder, `p${i + 1}.json`);
  const children = Array.from({ length: run.processes }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'limiter-client.ts')], {
      env: {
        ...process.env,
        ...bench.workerEnv,
        SMS_RATE_LIMIT: String(run.limit),
        SMS_RATE_LIMIT_SCOPE: run.scope,
        SMS_RATE_LIMIT_KEY: `bench-${runId}`,
        LIMIT_URL: endpoint.httpUrl,
        LIMIT_RUN_ID: runId,
        LIMIT_NAME: `p${i + 1}`,
        LIMIT_RUN_MS: String(RUN_MS),
        LIMIT_STARTS_FILE: startsFile(i),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('[limiter] ready') && resolve());
        child.once('exit', (code) => reject(new Error(`a limiter process exited with ${code} before it was ready`)));
      }),
  );
  const exited = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
  return Promise.all(ready)
    .then(async () => {
      for (const child of children) child.stdin!.write('go\n');
      const codes = await Promise.all(exited);
      if (codes.some((code) => code !== 0)) throw new Error(`limiter processes exited with ${codes.join(', ')}`);
      return children.flatMap((_, i) => JSON.parse(readFileSync(startsFile(i), 'utf8')) as number[]);
    })
    .finally(() => rmSync(folder, { recursive: true, force: true }));
}

async function limiterPart(endpoint: TimedEndpoint, rows: Row[]): Promise<void> {
  const directories = new Map<BenchStore, BenchDirectory>();
  try {
    for (const run of LIMITER_RUNS) {
      if (!directories.has(run.store)) directories.set(run.store, await openBenchDirectory(run.store));
      const runId = `rl-${randomUUID().slice(0, 8)}`;
      const load = loadAverage();
      const starts = await runLimiterProcesses(run, directories.get(run.store)!, endpoint, runId);
      const startsIn1s = maxInWindow(starts, 1000);
      const result = {
        ...row('limiter processes', run, await endpoint.report(runId), load),
        startsIn1s,
        startsWithinLimit: startsIn1s <= allowedOf(run),
      };
      console.log(`[rate-limit] ${JSON.stringify(result)}`);
      rows.push(result);
    }
  } finally {
    for (const directory of directories.values()) await directory.close();
  }
}

async function workerPart(endpoint: TimedEndpoint, rows: Row[]): Promise<void> {
  const bench = await openBenchDirectory('postgres');
  const taskQueue = `bench-rl-${randomUUID().slice(0, 8)}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  try {
    await seedAudience(bench.directory, 'rl', WORKER_MESSAGES);
    const fleet = await startFleet(3, {
      ...bench.workerEnv,
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_WORKFLOW_BUNDLE: await writeWorkflowBundle(),
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: endpoint.httpUrl,
      SMS_RATE_LIMIT: String(WORKER_LIMIT),
    });
    try {
      for (const workers of [3, 1]) {
        await fleet.shrinkTo(workers);
        const load = loadAverage();
        const run = await sendThroughFleet(fleet, new SendingClient(client, taskQueue), client, endpoint, 'rl');
        const result = {
          ...row(
            'worker processes',
            { store: 'postgres', scope: 'directory', limit: WORKER_LIMIT, processes: workers },
            run.endpoint,
            load,
          ),
          batches: spread(run.batches),
        };
        console.log(`[rate-limit] ${JSON.stringify(result)}`);
        rows.push(result);
      }
    } finally {
      await fleet.shrinkTo(0);
    }
  } finally {
    await client.connection.close();
    await bench.close();
  }
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = {
    temporal: TEMPORAL_ADDRESS,
    cpus: cpus().length,
    runSeconds: RUN_MS / 1000,
    workerMessages: WORKER_MESSAGES,
    loadBefore: loadAverage(),
  };
  const endpoint = await startTimedEndpoint();
  const rows: Row[] = [];
  try {
    await limiterPart(endpoint, rows);
    await workerPart(endpoint, rows);
  } finally {
    await endpoint.close();
  }
  notes.loadAfter = loadAverage();
  report('rate-limit', rows, notes);
  // The limiter's own promise fails the benchmark; the endpoint's windows are reported (they add the way there).
  if (rows.some((r) => r.startsWithinLimit === false)) throw new Error('The limiter let more than N messages start in a 1-second window.');
}

runBenchmark(main);
