/**
 * One sending spread over several real worker processes (issue 18): up to `parallelBatches` batches of
 * its first pass in flight at once, over disjoint ranges of the snapshot. Checked at the fake provider's
 * ledger: every recipient accepted exactly once with two workers (SQLite and PostgreSQL) and with four
 * workers one of which is killed with SIGKILL in the middle; a pause and a cancel while several batches
 * are in flight stop every one of them (nothing reaches the provider once the update has answered).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SendingClient, SendingError, connectClient } from '../../client/sending-client';
import { sendingWorkflowId, type SendingTuning } from '../../workflows/messages';
import { openFreshPostgresDirectory, openFreshSqliteDirectory, type FreshDirectory, type StoreKind } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { payloadJson } from '../support/history-text';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { seedBulk } from '../support/seed';
import { TEMPORAL_ADDRESS } from '../support/temporal';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const everyone = (projectId: string) => ({ projectId, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const });

interface Setup {
  fresh: FreshDirectory;
  provider: FakeProvider;
  sendings: SendingClient;
  workers: WorkerProcess[];
  taskQueue: string;
  workerEnv: Record<string, string>;
}

async function setUp(store: StoreKind, projects: Record<string, number>): Promise<Setup> {
  const fresh = store === 'sqlite' ? await openFreshSqliteDirectory() : await openFreshPostgresDirectory();
  for (const [projectId, count] of Object.entries(projects)) await seedBulk(fresh.directory, projectId, count);
  const provider = await startFakeProvider();
  const taskQueue = `parallel-${randomUUID()}`;
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const where: Record<string, string> =
    'path' in fresh
      ? { DIRECTORY_SQLITE_PATH: fresh.path }
      : { DIRECTORY_URL: `${fresh.url}?options=${encodeURIComponent(`-c search_path=${fresh.schema}`)}` };
  return {
    fresh,
    provider,
    sendings: new SendingClient(client, taskQueue),
    workers: [],
    taskQueue,
    workerEnv: {
      ...where,
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: provider.httpUrl,
      SMS_RATE_LIMIT: '0',
      SMS_CONCURRENCY: '4',
    },
  };
}

async function tearDown(setup: Setup | undefined): Promise<void> {
  if (!setup) return;
  for (const w of setup.workers) w.child.kill('SIGKILL');
  await Promise.all(setup.workers.map((w) => w.exited));
  await setup.sendings.client.connection.close();
  await setup.provider.close();
  await setup.fresh.close();
}

async function startWorkers(setup: Setup, count: number): Promise<WorkerProcess[]> {
  const started = Array.from({ length: count }, () => spawnWorker(setup.workerEnv));
  setup.workers.push(...started);
  await Promise.all(started.map((w) => w.ready));
  return started;
}

async function approvedSending(setup: Setup, projectId: string, tuning: Partial<SendingTuning>): Promise<string> {
  const { sendings } = setup;
  const { sendingId } = await sendings.create(everyone(projectId), 'ops', { tuning });
  await sendings.prepare(sendingId, { message: 'Flash sale {{firstName}}', schedule: { mode: 'now' } }, 'ops');
  await sendings.requestApproval(sendingId, 'ops');
  await sendings.approve(sendingId, { approver: 'boss' });
  return sendingId;
}

/** A worker that is running one of the sending's batches now (the server's pending activities say which worker took each). */
async function workerWithBatchInFlight(setup: Setup, sendingId: string): Promise<WorkerProcess | undefined> {
  const { raw } = await setup.sendings.client.workflow.getHandle(sendingWorkflowId(sendingId)).describe();
  const busy = new Set(
    (raw.pendingActivities ?? [])
      .filter((a) => a.activityType?.name === 'sendBatch' && a.lastWorkerIdentity)
      .map((a) => a.lastWorkerIdentity),
  );
  return setup.workers.find((w) => busy.has(`${w.child.pid}@${hostname()}`));
}

/** Every run's sendBatch activities: which worker ran each, the most in flight at once (scheduled, not yet closed), the largest limit. */
async function batchesOf(
  setup: Setup,
  sendingId: string,
): Promise<{ perWorker: Map<string, number>; mostInFlight: number; runs: number; largest: number }> {
  const client = setup.sendings.client;
  const workflowId = sendingWorkflowId(sendingId);
  const perWorker = new Map<string, number>();
  let mostInFlight = 0;
  let runs = 0;
  let largest = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs += 1;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const open = new Set<string>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'sendBatch') {
        open.add(id);
        const [request] = (scheduled.input?.payloads ?? []).map((p) => payloadJson(p) as { limit: number });
        largest = Math.max(largest, request.limit);
      }
      mostInFlight = Math.max(mostInFlight, open.size);
      const started = event.activityTaskStartedEventAttributes;
      if (started && open.has(String(started.scheduledEventId))) {
        const who = started.identity ?? '?';
        perWorker.set(who, (perWorker.get(who) ?? 0) + 1);
      }
      const closed =
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes ??
        event.activityTaskCanceledEventAttributes;
      if (closed) open.delete(String(closed.scheduledEventId));
    }
  }
  return { perWorker, mostInFlight, runs, largest };
}

const acceptedFor = (setup: Setup, sendingId: string) => setup.provider.accepted.filter((m) => m.sendingId === sendingId);

function perNumber(setup: Setup, sendingId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of acceptedFor(setup, sendingId)) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  return counts;
}

/** The sendBatch activities the server has in flight for the sending right now. */
async function pendingBatches(setup: Setup, sendingId: string): Promise<number> {
  const described = await setup.sendings.handle(sendingId).describe();
  return (described.raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'sendBatch').length;
}

describe.each(['sqlite', 'postgres'] as const)('two worker processes share one sending (%s)', (store) => {
  const RECIPIENTS = 2000;
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp(store, { two: RECIPIENTS });
    await startWorkers(setup, 2);
    setup.provider.setDelay(5);
  }, 60_000);
  afterAll(() => tearDown(setup));

  test('batches run at once on both workers, over several runs, and every recipient is accepted exactly once', async () => {
    const id = await approvedSending(setup, 'two', { batchSize: 100, batchesPerRun: 6, parallelBatches: 4 });
    await setup.sendings.send(id, 'ops');
    const done = await setup.sendings.waitFor(id, ['completed', 'failed', 'paused'], { timeoutMs: 120_000 });
    expect(done.state).toBe('completed');
    const counts = perNumber(setup, id);
    expect(counts.size).toBe(RECIPIENTS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, unknown: 0, pending: 0 });
    const batches = await batchesOf(setup, id);
    // 20 ranges (+ at most one empty one at the end) in runs of 6: continue-as-new carried the cursor.
    expect(batches.runs).toBeGreaterThanOrEqual(3);
    expect(batches.mostInFlight).toBeGreaterThanOrEqual(2);
    expect(batches.mostInFlight).toBeLessThanOrEqual(4);
    const workerIds = new Set(setup.workers.map((w) => `${w.child.pid}@${hostname()}`));
    expect([...batches.perWorker.keys()].filter((who) => workerIds.has(who)).length).toBe(2);
  }, 180_000);
});

describe('parallel batches on PostgreSQL with four worker processes', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp('postgres', { crash: 4000, paused: 1600, cancelled: 1600 });
    await startWorkers(setup, 4);
  }, 60_000);
  afterAll(() => tearDown(setup));

  test('a tuning out of its limits is refused before the sending starts', async () => {
    await expect(setup.sendings.create(everyone('crash'), 'ops', { tuning: { parallelBatches: 0 } })).rejects.toThrow(SendingError);
    await expect(setup.sendings.create(everyone('crash'), 'ops', { tuning: { parallelBatches: 17 } })).rejects.toThrow(
      /"parallelBatches" must be a whole number from 1 to 16/,
    );
  });

  test('SIGKILL of one of four workers in the middle of batches growing by time: the others finish, every recipient accepted exactly once', async () => {
    const RECIPIENTS = 4000;
    setup.provider.setDelay(10);
    const id = await approvedSending(setup, 'crash', { batchSize: 200, maxBatchSize: 1000, batchesPerRun: 8, parallelBatches: 4 });
    await setup.sendings.send(id, 'ops');
    while (acceptedFor(setup, id).length < RECIPIENTS / 3) await sleep(5);
    // A worker with a batch in flight (the server says which worker started each one).
    let victim = await workerWithBatchInFlight(setup, id);
    while (!victim && acceptedFor(setup, id).length < RECIPIENTS * 0.6) {
      await sleep(5);
      victim = await workerWithBatchInFlight(setup, id);
    }
    if (!victim) throw new Error('no worker had a batch of the sending in flight');
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(acceptedFor(setup, id).length).toBeLessThan(RECIPIENTS);
    const done = await setup.sendings.waitFor(id, ['completed', 'failed', 'paused'], { timeoutMs: 150_000 });
    expect(done.state).toBe('completed');
    const counts = perNumber(setup, id);
    expect(counts.size).toBe(RECIPIENTS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, failed: 0, unknown: 0, pending: 0 });
    const progress = await setup.fresh.directory.progress(id);
    expect(progress.pending + progress.dispatching).toBe(0);
    const batches = await batchesOf(setup, id);
    expect(batches.mostInFlight).toBeGreaterThanOrEqual(2);
    // The batches the history shows done (a killed worker's attempt is run again, and only the last attempt shows)
    // ran on more than one of the workers left; which ones the server hands them to is its choice.
    expect(batches.perWorker.size).toBeGreaterThanOrEqual(2);
    expect(batches.largest).toBeGreaterThan(200);
  }, 240_000);

  test.each(['pause', 'cancel'] as const)(
    'a %s while several batches are in flight stops them all: nothing reaches the provider after it answered',
    async (action) => {
      const RECIPIENTS = 1600;
      setup.provider.setDelay(20);
      const projectId = action === 'pause' ? 'paused' : 'cancelled';
      const id = await approvedSending(setup, projectId, { batchSize: 100, parallelBatches: 4 });
      await setup.sendings.send(id, 'ops');
      // Several batches in flight at once, messages going out.
      let inFlight = 0;
      while (inFlight < 2 || acceptedFor(setup, id).length < 100) {
        inFlight = Math.max(inFlight, await pendingBatches(setup, id));
        await sleep(20);
      }
      const status =
        action === 'pause' ? await setup.sendings.pause(id, 'wrong link', 'ops') : await setup.sendings.cancel(id, 'wrong link', 'ops');
      expect(status.state).toBe(action === 'pause' ? 'paused' : 'cancelled');
      const atAnswer = acceptedFor(setup, id).length;
      expect(atAnswer).toBeLessThan(RECIPIENTS);
      await sleep(1500);
      expect(acceptedFor(setup, id).length).toBe(atAnswer);
      const progress = await setup.fresh.directory.progress(id);
      expect(progress.dispatching).toBe(0);
      expect(progress.sent).toBe(atAnswer);
      if (action === 'pause') {
        await setup.sendings.resume(id, 'ops');
        const done = await setup.sendings.waitFor(id, ['completed', 'failed', 'paused'], { timeoutMs: 120_000 });
        expect(done.state).toBe('completed');
        expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, pending: 0 });
      }
      const counts = perNumber(setup, id);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(counts.size).toBe(action === 'pause' ? RECIPIENTS : atAnswer);
    },
    180_000,
  );
});
