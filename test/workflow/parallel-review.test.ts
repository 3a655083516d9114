/**
 * Review of parallel batches (issue 18) with K > 1: faults that the merged tests did not inject.
 *
 * REVIEW FINDING (bounded history): the first pass counts a run's batches only when the cursor moves
 * (`runIsLong` in workflows/sending/dispatch.ts), but keeps launching new ranges ahead of the cursor while the
 * range at the cursor is slow. One slow range (a slow provider answer, a worker killed mid-batch until its
 * heartbeat time-out) lets the other K-1 lanes run through the whole snapshot in the same run: the run's
 * history grows with the snapshot, not with `batchesPerRun`. The first test failed on main (20 sendBatch in
 * the first run for 2 per run and K = 4); fixed by PARALLEL_RUN_BOUNDED in workflows/sending/dispatch.ts.
 * The second injects a provider backoff in one range and an account refusal in another while the others are
 * in flight (passes on main).
 */
import type { Directory } from '../../worker/directory/directory';
import { ProviderAccountError, RetryableProviderError, type OutgoingSms, type SmsProvider } from '../../worker/providers/provider';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { sendingWorkflowId } from '../../workflows/messages';
import { openFreshDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';
import { replayEveryRun, startTestWorker, type TestWorker } from '../support/temporal';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel batches under a slow range at the cursor', () => {
  const RECIPIENTS = 40;
  const BATCH = 2;
  const PER_RUN = 2;
  const K = 4;
  let fresh: FreshDirectory;
  let directory: Directory;
  let env: TestWorker;
  const sends = new Map<number, number>();
  /** Runs before each message reaches the outbox; may wait or throw a provider error. */
  let before: (sms: OutgoingSms) => Promise<void> = async (sms) => {
    if (sms.seq === 1) await sleep(6000);
  };

  beforeAll(async () => {
    fresh = await openFreshDirectory('sqlite');
    directory = fresh.directory;
    await seedBulk(directory, 'slow', RECIPIENTS);
    const outbox = createOutboxProvider(directory);
    const provider: SmsProvider = {
      name: outbox.name,
      idempotent: outbox.idempotent,
      async send(sms: OutgoingSms) {
        await before(sms);
        sends.set(sms.seq, (sends.get(sms.seq) ?? 0) + 1);
        return outbox.send(sms);
      },
      ...(outbox.afterSent ? { afterSent: outbox.afterSent.bind(outbox) } : {}),
    };
    env = await startTestWorker({ directory, provider, concurrency: 8, dispatch: { providerTimeoutMs: 20_000, retryAfterCapMs: 1000 } });
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  test('each run holds at most batchesPerRun + K - 1 batches, every recipient once, every run replays', async () => {
    const { sendingId } = await env.client.create(
      { projectId: 'slow', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'ops',
      {
        tuning: { batchSize: BATCH, batchesPerRun: PER_RUN, parallelBatches: K },
      },
    );
    await env.client.prepare(sendingId, { message: 'Hi {{firstName}}', schedule: { mode: 'now' } }, 'ops');
    await env.client.requestApproval(sendingId, 'ops');
    await env.client.approve(sendingId, { approver: 'boss' });
    await env.client.send(sendingId, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed', 'failed', 'paused'], { timeoutMs: 60_000 });
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, pending: 0 });
    expect(sends.size).toBe(RECIPIENTS);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);

    // Every run replays with the current bundle (the parallel-batches and the bounded-run patches in one history).
    const perRun = (await replayEveryRun(env.client, sendingWorkflowId(sendingId))).map((run) => run.sendBatches);
    // REVIEW: fails on main: the first run schedules every range of the snapshot (~20) while the cursor waits for seq 1.
    expect(Math.max(...perRun)).toBeLessThanOrEqual(PER_RUN + K - 1);
  }, 90_000);

  test('a backoff in one range and an account refusal in another while the others are in flight: paused, resumed, everyone once, counts equal the directory', async () => {
    sends.clear();
    const backedOff = new Set<number>();
    let refused = false;
    before = async (sms) => {
      await sleep(20);
      if (sms.seq === 7 && !backedOff.has(sms.seq)) {
        backedOff.add(sms.seq);
        throw new RetryableProviderError('429', { retryAfterMs: 1500 });
      }
      if (sms.seq === 23 && !refused) {
        refused = true;
        throw new ProviderAccountError('account suspended', '20003');
      }
    };
    const { sendingId } = await env.client.create(
      { projectId: 'slow', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'ops',
      {
        tuning: { batchSize: 3, batchesPerRun: 3, parallelBatches: 4 },
      },
    );
    await env.client.prepare(sendingId, { message: 'Hi {{firstName}}', schedule: { mode: 'now' } }, 'ops');
    await env.client.requestApproval(sendingId, 'ops');
    await env.client.approve(sendingId, { approver: 'boss' });
    await env.client.send(sendingId, 'ops');
    const paused = await env.client.waitFor(sendingId, ['paused', 'completed', 'failed'], { timeoutMs: 60_000 });
    expect(paused.state).toBe('paused');
    expect(paused.pause).toMatchObject({ automatic: true, code: '20003' });
    const atPause = await directory.progress(sendingId);
    expect(paused.progress).toMatchObject({ sent: atPause.sent, failed: atPause.failed, unknown: atPause.unknown });
    expect(sends.size).toBe(atPause.sent);
    await env.client.resume(sendingId, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed', 'failed', 'paused'], { timeoutMs: 60_000 });
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, skipped: 0, unknown: 0, held: 0, pending: 0 });
    expect(sends.size).toBe(RECIPIENTS);
    expect([...sends.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const actions = (await directory.readAudit(sendingId)).map((entry) => entry.action);
    expect(actions).toContain('provider_backoff');
    expect(actions.filter((a) => a === 'paused')).toHaveLength(1);
    expect(backedOff.size + Number(refused)).toBe(2);
    await replayEveryRun(env.client, sendingWorkflowId(sendingId));
  }, 120_000);
});
