/**
 * Batches sized by time (workflows/sending/batch-size.ts): the first pass's batches grow from `batchSize`
 * to a few seconds of messages at the rate the last batch reached, up to `maxBatchSize`, through the real
 * workflow. Checked in the recorded history (each sendBatch's limit) and at the fake provider's ledger:
 * every recipient once, also when ranges of different sizes in flight at once are interrupted by the
 * provider's Retry-After and run again.
 */
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { sendingWorkflowId, type SendingTuning } from '../../workflows/messages';
import { BATCH_GROWTH } from '../../workflows/sending/batch-size';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { payloadJson } from '../support/history-text';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedBulk } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const RECIPIENTS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('batches sized by time', () => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    directory = fresh.directory;
    for (const project of ['grow', 'fixed', 'again']) await seedBulk(directory, project, RECIPIENTS);
    fake = await startFakeProvider();
    const provider = createProvider(fakeTwilioConfig(fake, { timeoutMs: 5000 }), { outboxStore: directory });
    // A Retry-After longer than 100 ms interrupts the batch (the workflow waits, then runs the range again).
    env = await startTestWorker({ directory, provider, concurrency: 4, dispatch: { retryAfterCapMs: 100 } });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await fake?.close();
    await fresh?.close();
  });

  async function send(projectId: string, tuning: Partial<SendingTuning>, whileSending?: () => Promise<void>): Promise<string> {
    const everyone = { projectId, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    const { sendingId } = await env.client.create(everyone, 'ops', { tuning });
    await env.client.prepare(sendingId, { message: 'Hello {{firstName}}', schedule: { mode: 'now' } }, 'ops');
    await env.client.requestApproval(sendingId, 'ops');
    await env.client.approve(sendingId, { approver: 'boss' });
    await env.client.send(sendingId, 'ops');
    await whileSending?.();
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, unknown: 0 });
    return sendingId;
  }

  /** Every sendBatch the sending's runs scheduled, in order (a range run again appears again). */
  async function batches(sendingId: string): Promise<{ afterSeq: number; limit: number }[]> {
    const workflowId = sendingWorkflowId(sendingId);
    const ranges: { afterSeq: number; limit: number }[] = [];
    for await (const run of env.client.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await env.client.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      for (const event of history.events ?? []) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        if (scheduled?.activityType?.name !== 'sendBatch') continue;
        const [request] = (scheduled.input?.payloads ?? []).map((p) => payloadJson(p) as { afterSeq: number; limit: number });
        ranges.push({ afterSeq: request.afterSeq, limit: request.limit });
      }
    }
    return ranges;
  }
  const batchLimits = async (sendingId: string): Promise<number[]> => (await batches(sendingId)).map((b) => b.limit);

  const eachNumberOnce = (): void => {
    const counts = Object.values(fake.countsByNumber());
    expect(counts).toHaveLength(RECIPIENTS);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
  };

  test('batches grow from batchSize by at most 4 times a batch up to maxBatchSize, two at once, and every recipient gets one message', async () => {
    fake.reset();
    fake.setDelay(5);
    // maxBatchSize is reached at 80 messages a second per batch: 5 ms answers make that so on a loaded machine
    // (a CI run with 1,000 saw 824: ~165 a second per batch).
    const id = await send('grow', { batchSize: 50, maxBatchSize: 400, parallelBatches: 2 });
    const limits = await batchLimits(id);
    expect(limits.slice(0, 2)).toEqual([50, 50]);
    expect(Math.max(...limits)).toBe(400);
    for (const [i, limit] of limits.entries()) {
      expect(limit).toBeGreaterThanOrEqual(50);
      expect(limit).toBeLessThanOrEqual(BATCH_GROWTH * Math.max(50, ...limits.slice(0, i)));
    }
    // Fixed batches of 50 would have taken 60.
    expect(limits.length).toBeLessThan(20);
    eachNumberOnce();
  }, 150_000);

  test('a batchSize given without maxBatchSize keeps every batch at that size, as before batches grew', async () => {
    fake.reset();
    fake.setDelay(0);
    const id = await send('fixed', { batchSize: 500 });
    expect(await batchLimits(id)).toEqual([500, 500, 500, 500, 500, 500, 500]);
    eachNumberOnce();
  }, 150_000);

  test('ranges of different sizes interrupted by a Retry-After run again with their own sizes: every recipient once', async () => {
    fake.reset();
    fake.setDelay(5);
    const id = await send('again', { batchSize: 50, maxBatchSize: 1000, parallelBatches: 2 }, async () => {
      await fake.waitForAccepted(400, 60_000);
      fake.failNext(2, 429, { retryAfterSeconds: 1 });
      await sleep(10);
    });
    const ranges = await batches(id);
    const firstAttempts = new Map<number, number>();
    const again = ranges.filter(({ afterSeq, limit }) => {
      const first = firstAttempts.get(afterSeq);
      if (first === undefined) firstAttempts.set(afterSeq, limit);
      else expect(limit).toBe(first);
      return first !== undefined;
    });
    expect(again.length).toBeGreaterThan(0);
    expect(new Set(ranges.map((r) => r.limit)).size).toBeGreaterThan(2);
    // The ranges tile the snapshot: each starts where the one before it ends.
    const starts = [...firstAttempts.keys()].sort((a, b) => a - b);
    for (const [i, start] of starts.entries()) expect(start).toBe(i === 0 ? 0 : starts[i - 1] + firstAttempts.get(starts[i - 1])!);
    eachNumberOnce();
    expect(fake.requestsSummary().byStatus['429']).toBe(2);
  }, 150_000);
});
