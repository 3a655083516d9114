/**
 * The alternative users would build: the same sending with n8n's own nodes only (Webhook → Code →
 * Loop Over Items → HTTP Request) in the pinned n8n, against our worker and a bare loop, to the same
 * provider endpoint (own process, no latency). Then the restart experiment: our worker, then n8n,
 * stopped with SIGTERM (as an operator would) and with SIGKILL a third of the way through a sending,
 * and started again. While Temporal waits to notice our killed worker (the batch's 30 s heartbeat
 * timeout), n8n starts and is killed and restarted (a kill's counts do not depend on the load); n8n's
 * rate and its SIGTERM (which depends on the load) run after our sending ended, alone.
 * The endpoint counts messages per number: lost = never accepted, sent twice = accepted more than
 * once (n8n's requests carry no idempotency key: a loop has none to give).
 * `--quick`: small sizes.
 */
import { randomUUID } from 'node:crypto';
import { SendingClient, connectClient } from '../client/sending-client';
import { startN8n, type N8n } from '../test/support/n8n';
import { spawnWorker, type WorkerProcess } from '../test/support/worker-process';
import { MESSAGE, SENDER, seedAudience } from './support/audience';
import { bareLoop } from './support/bare-loop';
import { loadAverage } from './support/cpu';
import { openBenchDirectory } from './support/directory-for-bench';
import { startEndpoint, type Endpoint, type EndpointStats } from './support/endpoint-process';
import { loopWorkflow } from './support/n8n-loop-workflow';
import { restartN8n, signalN8n } from './support/n8n-process';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { prepareSending } from './support/sending-run';
import { startTimeline } from './support/timeline';
import { httpFleetEnv } from './support/worker-fleet';
import { writeWorkflowBundle } from './support/workflow-bundle';

const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const CONCURRENCY = 16;
const RATE_RECIPIENTS = Number(process.env.BENCH_N8N_RECIPIENTS ?? (QUICK ? 1_000 : 20_000));
const RESTART_RECIPIENTS = Number(process.env.BENCH_N8N_RESTART_RECIPIENTS ?? (QUICK ? 2_000 : 20_000));
/** `--quick` only kills (the SIGTERM runs, where neither side loses anything, take as long again). */
const RESTART_SIGNALS: readonly ('SIGTERM' | 'SIGKILL')[] = QUICK ? ['SIGKILL'] : ['SIGTERM', 'SIGKILL'];
/** After a restart, how long to watch whether anything more is sent. */
const WATCH_MS = QUICK ? 5_000 : 20_000;

const { steps: timeline, mark } = startTimeline('n8n-alternative');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function endpointRate(stats: EndpointStats): number {
  return stats.accepted / Math.max(0.001, (stats.lastAt - stats.firstAt) / 1000);
}

async function waitForAccepted(endpoint: Endpoint, sendingId: string, count: number, timeoutMs: number): Promise<EndpointStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await endpoint.stats(sendingId);
    if (stats.accepted >= count) return stats;
    if (Date.now() > deadline) throw new Error(`${sendingId}: ${stats.accepted} of ${count} accepted after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Statuses of the workflow's executions, newest first (without their data: it is huge). */
async function executions(n8n: N8n, workflowId: string): Promise<string[]> {
  const { data } = await n8n.api<{ data: { status: string }[] }>('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}`);
  return data.map((e) => e.status);
}

async function waitForExecutionEnd(n8n: N8n, workflowId: string, count: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await executions(n8n, workflowId).catch(() => []);
    const ended = statuses.filter((s) => !['new', 'running', 'waiting'].includes(s));
    if (ended.length >= count) return ended[0];
    if (Date.now() > deadline) return `still ${statuses[0] ?? 'unknown'} after ${timeoutMs} ms`;
    await sleep(500);
  }
}

interface N8nSetup {
  n8n: N8n;
  workflowId: string;
  trigger(sendingId: string, count: number): Promise<void>;
}

async function setUpN8n(endpoint: Endpoint): Promise<N8nSetup> {
  const n8n = await startN8n();
  const path = `bench-${randomUUID().slice(0, 8)}`;
  const workflow = await n8n.activate(loopWorkflow(path, endpoint.httpUrl, CONCURRENCY));
  return {
    n8n,
    workflowId: workflow.id,
    async trigger(sendingId, count) {
      const response = await n8n.webhook(path, { count, sendingId, message: MESSAGE, from: SENDER });
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${JSON.stringify(response.body)}`);
    },
  };
}

/** `runsBefore`: the workflow's executions so far (the restarts'). */
async function n8nRate(setup: N8nSetup, endpoint: Endpoint, runsBefore: number): Promise<Row> {
  const sendingId = `n8n-${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  await setup.trigger(sendingId, RATE_RECIPIENTS);
  const stats = await waitForAccepted(endpoint, sendingId, RATE_RECIPIENTS, 60 * 60_000);
  const status = await waitForExecutionEnd(setup.n8n, setup.workflowId, runsBefore + 1, 30 * 60_000);
  const seconds = (performance.now() - started) / 1000;
  return {
    system: 'n8n: Loop Over Items + HTTP Request',
    recipients: RATE_RECIPIENTS,
    perSecond: Math.round(endpointRate(stats)),
    e2eSeconds: Number(seconds.toFixed(1)),
    outcome: status,
  };
}

async function n8nRestart(setup: N8nSetup, endpoint: Endpoint, signal: 'SIGTERM' | 'SIGKILL', runsBefore: number): Promise<Row> {
  const sendingId = `n8n-${signal}-${randomUUID().slice(0, 8)}`;
  await setup.trigger(sendingId, RESTART_RECIPIENTS);
  await waitForAccepted(endpoint, sendingId, Math.floor(RESTART_RECIPIENTS / 3), 30 * 60_000);
  const atSignal = (await endpoint.stats(sendingId)).accepted;
  const exitSeconds = await signalN8n(setup.n8n, signal);
  const atExit = (await endpoint.stats(sendingId)).accepted;
  mark(`n8n ${signal}: stopped`);
  await restartN8n(setup.n8n);
  mark(`n8n ${signal}: started again`);
  await sleep(WATCH_MS);
  const after = await endpoint.stats(sendingId);
  const statuses = await executions(setup.n8n, setup.workflowId);
  const execution = statuses.length > runsBefore ? statuses[0] : 'none';
  return {
    system: 'n8n',
    signal,
    recipients: RESTART_RECIPIENTS,
    sentAtSignal: atSignal,
    sentAtExit: atExit,
    exitSeconds: exitSeconds === null ? null : Number(exitSeconds.toFixed(1)),
    sentAfterRestart: after.accepted - atExit,
    lost: RESTART_RECIPIENTS - after.distinctNumbers,
    sentTwice: after.numbersSentTwice,
    resumed: after.accepted > atExit && after.distinctNumbers === RESTART_RECIPIENTS,
    execution,
  };
}

interface OurSetup {
  close(): Promise<void>;
  worker(): WorkerProcess;
  /** `restarted`: called once the worker stopped with `signal` was started again. */
  run(recipients: number, signal?: 'SIGTERM' | 'SIGKILL', restarted?: () => void): Promise<Row>;
}

async function setUpOurs(endpoint: Endpoint, recipients: number, bundle: string): Promise<OurSetup> {
  const bench = await openBenchDirectory('sqlite');
  await seedAudience(bench.directory, 'bench', recipients);
  const taskQueue = `bench-n8n-alt-${randomUUID().slice(0, 8)}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const sendings = new SendingClient(client, taskQueue);
  const env = {
    ...httpFleetEnv({
      workerEnv: bench.workerEnv,
      temporalAddress: TEMPORAL_ADDRESS,
      taskQueue,
      bundle,
      httpUrl: endpoint.httpUrl,
      limit: 0,
    }),
    SMS_CONCURRENCY: String(CONCURRENCY),
  };
  let current = spawnWorker(env);
  await current.ready;
  return {
    worker: () => current,
    async close() {
      current.child.kill('SIGTERM');
      await current.exited;
      await client.connection.close();
      await bench.close();
    },
    async run(count, signal, restarted) {
      const { sendingId } = await prepareSending(sendings, 'bench');
      await sendings.send(sendingId, 'bench');
      let row: Row = { system: 'durable-sms worker', recipients: count };
      if (signal) {
        await waitForAccepted(endpoint, sendingId, Math.floor(count / 3), 30 * 60_000);
        const atSignal = (await endpoint.stats(sendingId)).accepted;
        const started = performance.now();
        current.child.kill(signal);
        await current.exited;
        const exitSeconds = (performance.now() - started) / 1000;
        const atExit = (await endpoint.stats(sendingId)).accepted;
        current = spawnWorker(env);
        await current.ready;
        restarted?.();
        row = { ...row, signal, sentAtSignal: atSignal, sentAtExit: atExit, exitSeconds: Number(exitSeconds.toFixed(1)) };
        const done = await sendings.waitFor(sendingId, ['completed', 'failed'], { timeoutMs: 30 * 60_000 });
        const stats = await endpoint.stats(sendingId);
        return {
          ...row,
          sentAfterRestart: stats.accepted - atExit,
          lost: count - stats.distinctNumbers,
          sentTwice: stats.numbersSentTwice,
          resumed: done.state === 'completed' && stats.distinctNumbers === count,
          execution: done.state,
          replayedByKey: stats.replayed,
        };
      }
      const started = performance.now();
      const done = await sendings.waitFor(sendingId, ['completed', 'failed'], { timeoutMs: 30 * 60_000 });
      const stats = await endpoint.stats(sendingId);
      return {
        ...row,
        perSecond: Math.round(endpointRate(stats)),
        e2eSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        outcome: done.state,
      };
    },
  };
}

async function main(): Promise<void> {
  const notes: Record<string, unknown> = {
    loadBefore: loadAverage(),
    concurrency: CONCURRENCY,
    n8n: '2.40.7 (scripts/n8n.sh), default settings, regular mode',
  };
  const endpoint = await startEndpoint();
  const rateRows: Row[] = [];
  const restartRows: Row[] = [];
  let setup: N8nSetup | undefined;
  let n8nKilled: Promise<N8nSetup> | undefined;
  const n8nRows: Partial<Record<'SIGTERM' | 'SIGKILL', Row>> = {};
  try {
    const bareId = `bare-${randomUUID().slice(0, 8)}`;
    await bareLoop(endpoint.httpUrl, bareId, RATE_RECIPIENTS, MESSAGE, CONCURRENCY);
    rateRows.push({ system: 'bare loop', recipients: RATE_RECIPIENTS, perSecond: Math.round(endpointRate(await endpoint.stats(bareId))) });
    mark('bare loop sent');

    const bundle = await writeWorkflowBundle();
    const ours = await setUpOurs(endpoint, Math.max(RATE_RECIPIENTS, RESTART_RECIPIENTS), bundle);
    try {
      rateRows.push(await ours.run(Math.max(RATE_RECIPIENTS, RESTART_RECIPIENTS)));
    } finally {
      await ours.close();
    }
    mark('our worker sent');

    // n8n's start and its kill, while our last killed worker's batch waits out its heartbeat timeout: a kill's
    // counts do not depend on what else runs. Its rate and its SIGTERM (whether the execution ends within n8n's
    // shutdown timeout depends on the load) run after our sending ended.
    const startN8nKill = () => {
      n8nKilled = (async () => {
        const started = await setUpN8n(endpoint);
        setup = started;
        mark('n8n started');
        n8nRows.SIGKILL = await n8nRestart(started, endpoint, 'SIGKILL', 0);
        console.log('[n8n-alternative]', JSON.stringify(n8nRows.SIGKILL));
        mark('n8n SIGKILL: watched');
        return started;
      })();
      n8nKilled.catch(() => undefined); // awaited below; its failure must not end the process meanwhile
    };
    const ourRestarts: Row[] = [];
    for (const signal of RESTART_SIGNALS) {
      const crash = await setUpOurs(endpoint, RESTART_RECIPIENTS, bundle);
      try {
        ourRestarts.push(await crash.run(RESTART_RECIPIENTS, signal, signal === 'SIGKILL' ? startN8nKill : undefined));
        console.log('[n8n-alternative]', JSON.stringify(ourRestarts.at(-1)));
      } finally {
        await crash.close();
      }
      mark(`our worker ${signal}: sent`);
    }

    const n8n = await (n8nKilled ?? Promise.reject(new Error('n8n was not started: no SIGKILL of our worker ran')));
    notes.loadAtN8nRun = loadAverage();
    rateRows.push(await n8nRate(n8n, endpoint, 1));
    console.log('[n8n-alternative] rates:', JSON.stringify(rateRows));
    mark('n8n sent');
    if (RESTART_SIGNALS.includes('SIGTERM')) {
      n8nRows.SIGTERM = await n8nRestart(n8n, endpoint, 'SIGTERM', 2);
      console.log('[n8n-alternative]', JSON.stringify(n8nRows.SIGTERM));
      mark('n8n SIGTERM: watched');
    }
    for (const signal of RESTART_SIGNALS) if (n8nRows[signal]) restartRows.push(n8nRows[signal]);
    restartRows.push(...ourRestarts);
  } finally {
    await n8nKilled?.catch(() => undefined);
    await setup?.n8n.stop();
    await endpoint.close();
  }
  mark('n8n and endpoint stopped');
  notes.timeline = timeline;
  notes.loadAfter = loadAverage();
  notes.restarts = restartRows;
  report('n8n-alternative', [...rateRows, ...restartRows], notes);
  const ours = restartRows.filter((row) => row.system === 'durable-sms worker');
  if (ours.some((row) => row.lost !== 0 || row.sentTwice !== 0))
    throw new Error('Our worker lost or duplicated a message across a restart.');
}

runBenchmark(main);
