/**
 * A cancel that reaches the workflow in the same workflow task as a batch's result — the worker holding the
 * workflow was killed (SIGKILL) while the batch ran on another — is recorded in a history that replays: a
 * worker with no cache, or a query, can carry on from it (`npm run chaos` checks the same of every round).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { SendingClient, connectClient } from '../../client/sending-client';
import { connectWorker } from '../../worker/create-worker';
import { createActivities } from '../../worker/activities';
import { heartbeatWhileRunning } from '../../worker/activities/heartbeat-interceptor';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import type { SmsProvider } from '../../worker/providers/provider';
import { openFreshSqliteDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';
import { ROOT, WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { spawnWorker } from '../support/worker-process';
import { TEMPORAL_ADDRESS, replayEveryRun } from '../support/temporal';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a cancel delivered with the result of the batch it stops replays', async () => {
  const fresh = await openFreshSqliteDirectory();
  const { directory } = fresh;
  await seedBulk(directory, 'beside', 4);
  const taskQueue = `beside-${randomUUID()}`;
  const connection = await connectWorker({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
  const sendings = new SendingClient(client, taskQueue);
  const workflowBundle = { code: readFileSync(WORKFLOW_BUNDLE_PATH, 'utf8') };

  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let sendsStarted = 0;
  const outbox = createOutboxProvider(directory);
  const heldProvider: SmsProvider = {
    name: outbox.name,
    idempotent: outbox.idempotent,
    async send(sms) {
      sendsStarted += 1;
      await released;
      return outbox.send(sms);
    },
  };
  // Workflow tasks and activity tasks on separate workers, so the batch can end while no workflow worker runs.
  const activityWorker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({
      directory,
      provider: heldProvider,
      limiter: createRateLimiter(0),
      concurrency: 4,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    }),
    interceptors: { activity: [heartbeatWhileRunning] },
  });
  const startWorkflowWorker = async () => {
    const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle });
    return { worker, running: worker.run() };
  };
  const activitiesRunning = activityWorker.run();
  // The workflow's first worker is a process of its own, killed while the batch runs elsewhere.
  const first = spawnWorker(
    { TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: taskQueue, WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH },
    join(ROOT, 'test', 'support', 'workflow-only-worker.ts'),
  );
  let workflows: Awaited<ReturnType<typeof startWorkflowWorker>> | null = null;
  try {
    await first.ready;
    const { sendingId } = await sendings.create(
      { projectId: 'beside', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    await sendings.prepare(sendingId, { message: 'Hello {{firstName}}, reply STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await sendings.requestApproval(sendingId, 'paula');
    await sendings.approve(sendingId, { approver: 'alex' });
    await sendings.send(sendingId, 'paula');
    while (sendsStarted === 0) await sleep(20);

    first.child.kill('SIGKILL');
    await first.exited;
    release();
    while ((await directory.progress(sendingId)).sent < 4) await sleep(50);
    // The batch's result waits on the dead worker's sticky queue; the cancel joins it there.
    const cancelled = sendings.cancel(sendingId, 'wrong list', 'ops').catch((err: Error) => err);
    await sleep(1000);
    workflows = await startWorkflowWorker();
    expect(await cancelled).toMatchObject({ state: 'cancelled' });
    await sendings.handle(sendingId).result();

    // One workflow task took both: no task completed between the batch's result and the cancel's acceptance.
    const events = (await sendings.handle(sendingId).fetchHistory()).events ?? [];
    const type = (e: (typeof events)[number]) => temporal.api.enums.v1.EventType[e.eventType!];
    const batch = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendBatch')!;
    const batchDone = events.findIndex((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(batch.eventId));
    const accepted = events.findIndex(
      (e) => type(e) === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED' && Number(e.eventId) > Number(events[batchDone].eventId),
    );
    expect(events.slice(batchDone, accepted).filter((e) => type(e) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')).toHaveLength(1);
    await expect(replayEveryRun(sendings, sendingId)).resolves.toBeDefined();
  } finally {
    release();
    first.child.kill('SIGKILL');
    for (const w of [workflows?.worker, activityWorker]) if (w?.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled([workflows?.running, activitiesRunning]);
    await client.connection.close();
    await connection.close();
    await fresh.close();
  }
}, 120_000);
