/**
 * The status of a sending whose workflow has ended is readable with no worker to answer the query (none
 * running, or one that can no longer replay the history): it is the workflow's result.
 */
import { SendingClient, connectClient } from '../../client/sending-client';
import { openFreshDirectory } from '../support/directories';
import { seedAcme } from '../support/seed';
import { TEMPORAL_ADDRESS, startTestWorker } from '../support/temporal';

test('a cancelled sending reads as cancelled after its workers stopped', async () => {
  const { directory, close } = await openFreshDirectory('sqlite');
  const env = await startTestWorker({ directory });
  const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue: env.taskQueue });
  let workerStopped = false;
  try {
    await seedAcme(directory);
    const { sendingId } = await env.client.create(
      { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    await env.client.cancel(sendingId, 'not needed after all', 'paula');
    const handle = env.client.handle(sendingId);
    await handle.result();
    await env.stop();
    workerStopped = true;

    const started = Date.now();
    const status = await new SendingClient(client, env.taskQueue).status(sendingId);
    expect(status).toMatchObject({ state: 'cancelled', cancellation: { actor: 'paula', reason: 'not needed after all' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    if (!workerStopped) await env.stop();
    await client.connection.close();
    await close();
  }
});
