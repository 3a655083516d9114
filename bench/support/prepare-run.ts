/**
 * One measured case of the prepare benchmark, in a process of its own so its peak memory is its
 * own: a real worker in this process on a loaded directory, then Count and Prepare through the
 * sending workflow, as a user triggers them. Prints `RESULT <json>` on stdout.
 *
 * node --expose-gc --import tsx bench/support/prepare-run.ts '<RunInput json>'
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SendingClient, connectClient } from '../../client/sending-client';
import type { AudienceSelection } from '../../domain/types';
import { connectWorker, createSmsWorker } from '../../worker/create-worker';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory, type DirectoryConfig } from '../../worker/directory/open-directory';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { benchProject } from './bulk-load';
import { GROUPS, generatedContact } from './generated-contacts';
import { peakRssMiB, resetPeakRss } from './kernel-peak-rss';
import { measure } from './peak-memory';

export interface RunInput {
  config: DirectoryConfig;
  projectId: string;
  bundlePath: string;
  taskQueue: string;
  message: string;
  /** Each prepared with `message` unless it names its own. */
  selections: { label: string; selection: AudienceSelection; message?: string }[];
}

export interface Measured {
  seconds: number;
  peakRssMiB: number;
  peakGrowthMiB: number;
  /** Seconds spent inside directory calls, by method. */
  directory: Record<string, number>;
}

export interface RunResult {
  label: string;
  targeted: number;
  messages: number;
  excluded: Record<string, number>;
  count: Measured;
  prepare: Measured;
}

/** The directory with the time spent in each method added up. */
function timed(directory: Directory): { directory: Directory; take(): Record<string, number> } {
  let totals: Record<string, number> = {};
  const proxy = new Proxy(directory, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await value.apply(target, args);
        } finally {
          totals[String(name)] = (totals[String(name)] ?? 0) + (performance.now() - started) / 1000;
        }
      };
    },
  });
  return {
    directory: proxy,
    take() {
      const taken = totals;
      totals = {};
      return taken;
    },
  };
}

async function measured<T>(work: () => Promise<T>, take: () => Record<string, number>): Promise<{ result: T; measured: Measured }> {
  take();
  const rssBefore = process.memoryUsage.rss() / 2 ** 20;
  resetPeakRss();
  const m = await measure(work);
  const kernelPeak = peakRssMiB() ?? 0;
  const peak = Math.max(m.peakRssMiB, kernelPeak);
  return { result: m.result, measured: { seconds: m.seconds, peakRssMiB: peak, peakGrowthMiB: peak - rssBefore, directory: take() } };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as RunInput;
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const opened = await openDirectory(input.config);
  const { directory, take } = timed(opened);
  const connection = await connectWorker({ address, namespace: 'default', taskQueue: input.taskQueue });
  const worker = await createSmsWorker({
    connection,
    namespace: 'default',
    taskQueue: input.taskQueue,
    directory,
    provider: createOutboxProvider(opened),
    limiter: createRateLimiter(0),
    concurrency: 8,
    dispatch: DEFAULT_DISPATCH_SETTINGS,
    workflowBundle: { code: readFileSync(input.bundlePath, 'utf8') },
  });
  const running = worker.run();
  const temporal = await connectClient({ address, namespace: 'default', taskQueue: input.taskQueue });
  const client = new SendingClient(temporal, input.taskQueue);
  try {
    // Warm-up on a small project: loads the workflow sandbox, the libraries' metadata and the JIT.
    await opened.upsertProject(benchProject('warmup', false));
    await opened.upsertContacts(
      'warmup',
      Array.from({ length: 200 }, (_, i) => {
        const { externalId, active, fields, groups } = generatedContact(i);
        return { externalId, active, fields, groups: groups.map((g) => GROUPS[g]) };
      }),
    );
    await runCase(
      client,
      input,
      { label: 'warmup', selection: { ...input.selections[0].selection, projectId: 'warmup', audience: 'all' } },
      take,
    );

    const results: RunResult[] = [];
    for (const item of input.selections) results.push(await runCase(client, input, item, take));
    console.log(`RESULT ${JSON.stringify(results)}`);
  } finally {
    worker.shutdown();
    await running;
    await temporal.connection.close();
    await connection.close();
    await opened.close();
  }
}

async function runCase(
  client: SendingClient,
  input: RunInput,
  item: RunInput['selections'][number],
  take: () => Record<string, number>,
): Promise<RunResult> {
  const created = await client.create(item.selection, 'bench');
  const sendingId = created.sendingId;
  (globalThis as { gc?: () => void }).gc?.();
  const count = await measured(() => client.count(sendingId, 'bench'), take);
  (globalThis as { gc?: () => void }).gc?.();
  const prepare = await measured(
    () => client.prepare(sendingId, { message: item.message ?? input.message, senderId: null, schedule: { mode: 'now' } }, 'bench'),
    take,
  );
  const summary = prepare.result.prepared!.summary;
  const excluded: Record<string, number> = { ...summary.excluded, ...summary.policyExcluded };
  await client.cancel(sendingId, 'benchmark done', 'bench');
  return {
    label: item.label,
    targeted: summary.targeted,
    messages: summary.messages,
    excluded,
    count: count.measured,
    prepare: prepare.measured,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
