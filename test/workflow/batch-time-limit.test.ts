/**
 * A sending whose batches grew at a fast provider, which then slows down: each batch ends at its time limit
 * (SMS_BATCH_TIME_LIMIT_MS) instead of running into its 30-minute time-out, the rest of its range goes on at
 * once in the next batch (no wait, no pause), the batches after it are sized by the slower rate, and every
 * recipient gets one message (checked at the fake provider's ledger).
 */
import { tsToMs } from '@temporalio/common/lib/time';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { sendingWorkflowId, type SendingTuning } from '../../workflows/messages';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { awayFromMidnight, upsertShiftedWorld } from '../support/shifted-quiet-hours';
import { payloadJson } from '../support/history-text';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedBulk } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const RECIPIENTS = 600;
const TIME_LIMIT_MS = 1000;
const SLOW_MS = 50;
const BOUNDED_RECIPIENTS = 200;

describe('batches under a time limit', () => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    directory = fresh.directory;
    await seedBulk(directory, 'slowing', RECIPIENTS);
    await seedBulk(directory, 'bounded', BOUNDED_RECIPIENTS);
    await seedBulk(directory, 'retried', BOUNDED_RECIPIENTS);
    fake = await startFakeProvider();
    const provider = createProvider(fakeTwilioConfig(fake, { timeoutMs: 5000 }), { outboxStore: directory });
    env = await startTestWorker({ directory, provider, concurrency: 4, dispatch: { batchTimeLimitMs: TIME_LIMIT_MS } });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await fake?.close();
    await fresh?.close();
  });

  /** A sending of the whole project, prepared and approved, not sent yet. */
  async function approvedSending(projectId: string, tuning: Partial<SendingTuning>): Promise<string> {
    const everyone = { projectId, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    const { sendingId } = await env.client.create(everyone, 'ops', { tuning });
    await env.client.prepare(sendingId, { message: 'Hello {{firstName}}', schedule: { mode: 'now' } }, 'ops');
    await env.client.requestApproval(sendingId, 'ops');
    await env.client.approve(sendingId, { approver: 'boss' });
    return sendingId;
  }

  /** The fake provider accepted one message for each of `recipients` numbers. */
  function eachNumberOnce(recipients: number): void {
    const counts = Object.values(fake.countsByNumber());
    expect(counts).toHaveLength(recipients);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
  }

  /** How many `activity` each run of the sending's continue-as-new chain scheduled. */
  async function activitiesPerRun(sendingId: string, activity: string): Promise<number[]> {
    const workflowId = sendingWorkflowId(sendingId);
    const perRun: number[] = [];
    for await (const run of env.client.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await env.client.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      perRun.push((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity).length);
    }
    return perRun;
  }

  test('a batch that meets a slower provider ends at its time limit and the sending goes on, each recipient once', async () => {
    const sendingId = await approvedSending('slowing', { batchSize: 50, maxBatchSize: 500 });
    await env.client.send(sendingId, 'ops');
    // Fast for the first batches (they grow), then 50 ms an answer: 4 lanes reach ~80 a second.
    await fake.waitForAccepted(60, 30_000);
    fake.setDelay(SLOW_MS);
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, unknown: 0 });
    eachNumberOnce(RECIPIENTS);

    const workflowId = sendingWorkflowId(sendingId);
    const history = await env.client.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const ranges: number[] = [];
    const startedAt = new Map<string, number>();
    const durationsMs: number[] = [];
    const sendBatchScheduled = new Set<string>();
    for (const event of events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'sendBatch') {
        sendBatchScheduled.add(String(event.eventId));
        ranges.push((payloadJson(scheduled.input!.payloads![0]) as { afterSeq: number }).afterSeq);
      }
      const started = event.activityTaskStartedEventAttributes;
      if (started && sendBatchScheduled.has(String(started.scheduledEventId)))
        startedAt.set(String(event.eventId), tsToMs(event.eventTime));
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && startedAt.has(String(completed.startedEventId)))
        durationsMs.push(tsToMs(event.eventTime) - startedAt.get(String(completed.startedEventId))!);
    }
    // Some range was run again after its time limit, and no batch ran much past it (the calls in flight settle).
    expect(ranges.length).toBeGreaterThan(new Set(ranges).size);
    expect(Math.max(...durationsMs)).toBeLessThan(TIME_LIMIT_MS + 1000);
    // Never a wait or a pause: the rest of a range goes on at once.
    const audit = (await directory.readAudit(sendingId)).map((entry) => entry.action);
    expect(audit).not.toContain('provider_backoff');
    expect(audit).not.toContain('paused');
  }, 150_000);

  test('a range run again after its time limit counts as a batch of the run: no run holds more than batchesPerRun batches', async () => {
    // 4 lanes at 100 ms an answer send ~40 a second: each range of 50 ends at its 1 s limit once, then finishes.
    fake.reset();
    fake.setDelay(100);
    const sendingId = await approvedSending('bounded', { batchSize: 50, batchesPerRun: 2 });
    await env.client.send(sendingId, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ total: BOUNDED_RECIPIENTS, sent: BOUNDED_RECIPIENTS, failed: 0, unknown: 0 });
    eachNumberOnce(BOUNDED_RECIPIENTS);

    const batchesPerRun = await activitiesPerRun(sendingId, 'sendBatch');
    // Before, a run counted only the ranges it finished: 2 finished ranges and 2 attempts cut by the limit.
    expect(Math.max(...batchesPerRun)).toBeLessThanOrEqual(2);
    expect(batchesPerRun.reduce((a, b) => a + b, 0)).toBeGreaterThan(BOUNDED_RECIPIENTS / 50);
  }, 150_000);

  test('a retry batch cut by its time limit counts as a batch of the run too', async () => {
    fake.reset();
    const sendingId = await approvedSending('retried', { batchSize: 50, batchesPerRun: 2 });
    fake.failNext(BOUNDED_RECIPIENTS, 400);
    await env.client.send(sendingId, 'ops');
    const refused = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(refused.progress).toMatchObject({ sent: 0, failed: BOUNDED_RECIPIENTS });

    // The retry pass reads 50 pending recipients a batch; 4 lanes at 100 ms an answer send ~40 before the 1 s limit.
    fake.reset();
    fake.setDelay(100);
    await env.client.retryRecipients(sendingId, { include: ['failed'] }, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ sent: BOUNDED_RECIPIENTS, failed: 0 });
    eachNumberOnce(BOUNDED_RECIPIENTS);
    const retriesPerRun = await activitiesPerRun(sendingId, 'retryBatch');
    // Before, the cut attempts of the retry pass did not count: all 5 or 6 of them ran in one run.
    expect(Math.max(...retriesPerRun)).toBeLessThanOrEqual(2);
    expect(retriesPerRun.reduce((a, b) => a + b, 0)).toBeGreaterThan(BOUNDED_RECIPIENTS / 50);
  }, 150_000);

  test('a release of held recipients cut by its time limit counts as a batch of the run too', async () => {
    fake.reset();
    await awayFromMidnight();
    // Every recipient is in New York, whose window opens in ~8 s: the first pass holds them all, then the
    // held release reads 50 due recipients a batch, and 4 lanes at 100 ms an answer send ~40 before the 1 s limit.
    const opens = Math.ceil((Date.now() + 8000) / 1000) * 1000;
    await upsertShiftedWorld(directory, opens, opens);
    const numbers = Array.from({ length: BOUNDED_RECIPIENTS }, (_, i) => `+1212234${String(1000 + i)}`);
    await directory.upsertContacts(
      'world',
      numbers.map((mobile, i) => ({ externalId: `ny${i}`, fields: { firstName: 'Ana', mobile } })),
    );
    const sendingId = await approvedSending('world', { batchSize: 50, batchesPerRun: 2 });
    fake.setDelay(100);
    await env.client.send(sendingId, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 120_000 });
    expect(done.progress).toMatchObject({ total: BOUNDED_RECIPIENTS, sent: BOUNDED_RECIPIENTS, held: 0, failed: 0 });
    const counts = fake.countsByNumber();
    expect(Object.keys(counts).sort()).toEqual([...numbers].sort());
    expect(Object.values(counts).filter((n) => n !== 1)).toEqual([]);
    const releasesPerRun = await activitiesPerRun(sendingId, 'releaseHeldBatch');
    // Before, the cut releases did not count: all 5 or 6 of them ran in one run.
    expect(Math.max(...releasesPerRun)).toBeLessThanOrEqual(2);
    expect(releasesPerRun.reduce((a, b) => a + b, 0)).toBeGreaterThan(BOUNDED_RECIPIENTS / 50);
  }, 150_000);
});
