/**
 * Time to first message: from the `send` update (the client's call, as Send SMS or the CLI makes it) to
 * the first request at the provider endpoint, for an approved sending of 1,000 recipients, on SQLite and
 * PostgreSQL. The worker process is warm (one sending before the measured ones); each measured sending is
 * new. Both clocks are this machine's (Date.now in this process and in the endpoint's process).
 * Also: when the `send` update returned, and when the whole sending completed.
 * `--quick`: 3 sendings on SQLite only, instead of 10 on each store.
 */
import type { SendingClient } from '../client/sending-client';
import { loadAverage } from './support/cpu';
import type { BenchStore } from './support/directory-for-bench';
import type { Endpoint } from './support/endpoint-process';
import { withOneWorker } from './support/one-worker-run';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { prepareSending } from './support/sending-run';
import { writeWorkflowBundle } from './support/workflow-bundle';

const RECIPIENTS = 1_000;
const SENDINGS = QUICK ? 3 : 10;

interface Sample {
  firstMessageMs: number;
  updateReturnedMs: number;
  completedMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function measure(sendings: SendingClient, endpoint: Endpoint): Promise<Sample> {
  const { sendingId } = await prepareSending(sendings, 'bench');
  const start = Date.now();
  await sendings.send(sendingId, 'bench');
  const updateReturnedMs = Date.now() - start;
  const status = await sendings.waitFor(sendingId, ['completed', 'failed', 'cancelled'], { timeoutMs: 10 * 60_000 });
  const completedMs = Date.now() - start;
  if (status.state !== 'completed') throw new Error(`Sending ${sendingId} ended ${status.state}`);
  const stats = await endpoint.stats(sendingId);
  if (stats.accepted !== RECIPIENTS || stats.numbersSentTwice !== 0) throw new Error(`Sending ${sendingId}: ${JSON.stringify(stats)}`);
  return { firstMessageMs: stats.firstAt - start, updateReturnedMs, completedMs };
}

async function runStore(store: BenchStore, bundle: string): Promise<{ row: Row; samples: Sample[] }> {
  return withOneWorker(store, { recipients: RECIPIENTS, bundle, queuePrefix: 'bench-first' }, async ({ sendings, endpoint }) => {
    await measure(sendings, endpoint); // warm-up: workflow cache, connections, statements
    const samples: Sample[] = [];
    for (let i = 0; i < SENDINGS; i++) samples.push(await measure(sendings, endpoint));
    const first = samples.map((s) => s.firstMessageMs);
    const row: Row = {
      store,
      recipients: RECIPIENTS,
      sendings: SENDINGS,
      firstMessageMedianMs: median(first),
      firstMessageMaxMs: Math.max(...first),
      updateReturnedMedianMs: median(samples.map((s) => s.updateReturnedMs)),
      completedMedianMs: median(samples.map((s) => s.completedMs)),
    };
    console.log(
      `[first-message] ${store}: first message after ${row.firstMessageMedianMs} ms (median), at most ${row.firstMessageMaxMs} ms`,
    );
    return { row, samples };
  });
}

runBenchmark(async () => {
  const bundle = await writeWorkflowBundle();
  const load = loadAverage();
  const rows: Row[] = [];
  const samples: Record<string, Sample[]> = {};
  for (const store of QUICK ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const)) {
    const result = await runStore(store, bundle);
    rows.push(result.row);
    samples[store] = result.samples;
  }
  report('first-message', rows, { loadAtStart: load, samples });
});
