/**
 * A running sending whose history the worker cannot replay — a worker deployed with workflow code that
 * changed without a version gate, or a history the SDK itself gets wrong — is stuck until a worker that
 * replays it runs. Reading its status says so, naming the cause and the way out, instead of a raw
 * query failure; once a worker with the code that started it runs again, it reads and goes on.
 */
import { SendingError } from '../../client/sending-client';
import { bundleWithChange } from '../support/bundle-with-change';
import { openFreshSqliteDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';
import { startTestWorker } from '../support/temporal';

test('the status of a sending the worker cannot replay says so and how to get out; the right worker carries it on', async () => {
  const fresh = await openFreshSqliteDirectory();
  const { directory } = fresh;
  await seedBulk(directory, 'stuck', 3);
  const good = await startTestWorker({ directory });
  const { taskQueue } = good;
  let broken: Awaited<ReturnType<typeof startTestWorker>> | null = null;
  let again: Awaited<ReturnType<typeof startTestWorker>> | null = null;
  try {
    const { sendingId } = await good.client.create(
      { projectId: 'stuck', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    await good.client.prepare(sendingId, { message: 'Hello {{firstName}}, reply STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await good.stop();

    // The same workflows with every activity renamed: its commands no longer match the recorded ones.
    broken = await startTestWorker({ directory, taskQueue, workflowBundle: await bundleWithChange('renamed-activities') });
    const refused = await broken.client.status(sendingId).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SendingError);
    expect(refused).toMatchObject({ type: 'WorkerCannotReplay' });
    expect((refused as Error).message).toContain(`Sending "${sendingId}"`);
    expect((refused as Error).message).toContain('Nondeterminism');
    expect((refused as Error).message).toContain('docs/troubleshooting.md');
    // A change asked meanwhile is not taken (no worker accepts it) and says the same once the server gives up on it.
    const unanswered = await broken.client.requestApproval(sendingId, 'paula').catch((err: unknown) => err);
    expect(unanswered).toMatchObject({ type: 'WorkerCannotReplay' });
    expect((unanswered as Error).message).toContain('roll the upgrade back');
    await broken.stop();
    broken = null;

    again = await startTestWorker({ directory, taskQueue });
    // Its task, failed meanwhile, is tried again after a back-off; until then the status still says stuck.
    const rolledBack = Date.now();
    let status = await again.client.status(sendingId).catch((err: unknown) => err);
    while (status instanceof SendingError && status.type === 'WorkerCannotReplay' && Date.now() - rolledBack < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = await again.client.status(sendingId).catch((err: unknown) => err);
    }
    expect(status).toMatchObject({ state: 'prepared' });
    await again.client.requestApproval(sendingId, 'paula');
    await again.client.approve(sendingId, { approver: 'alex' });
    await again.client.send(sendingId, 'paula');
    expect(await again.client.waitFor(sendingId, ['completed'], { timeoutMs: 60_000 })).toMatchObject({ progress: { sent: 3 } });
  } finally {
    await broken?.stop();
    await again?.stop();
    await fresh.close();
  }
}, 180_000);
