/**
 * The Durable SMS Trigger's poll() against a real worker on the dev server, with n8n's poll context
 * played by a plain object: "Fetch Test Event" shows the newest matching event and leaves the cursor
 * alone; an active trigger's first poll places the cursor and outputs nothing, later polls output each
 * new event once, filtered by project and event.
 */
import type { IPollFunctions } from 'n8n-workflow';
import { DurableSmsTrigger } from '../../nodes/DurableSmsTrigger/DurableSmsTrigger.node';
import { EVENT_SETTLE_MS } from '../../worker/activities/lookup-events';
import type { Directory } from '../../worker/directory/directory';
import { openFreshSqliteDirectory } from '../support/directories';
import { seedAcme } from '../support/seed';
import { TEMPORAL_ADDRESS, startTestWorker, type TestWorker } from '../support/temporal';

describe('Durable SMS Trigger: poll() through Temporal', () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  let directory: Directory;
  let env: TestWorker;
  const trigger = new DurableSmsTrigger();

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    directory = fresh.directory;
    await seedAcme(directory);
    await seedAcme(directory, 'other');
    for (const [id, projectId] of [
      ['a1', 'acme'],
      ['o1', 'other'],
    ]) {
      await directory.createSending({
        id,
        projectId,
        selection: { projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' },
        createdBy: 'paula',
        createdAt: 1,
      });
    }
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  /** n8n's poll context, as far as the node uses it. */
  function context(mode: 'manual' | 'trigger', parameters: Record<string, unknown>, staticData: Record<string, unknown>) {
    return {
      getMode: () => mode,
      getNode: () => ({ name: 'Durable SMS Trigger', type: 'n8n-nodes-durable-sms.durableSmsTrigger', typeVersion: 1 }),
      getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
      getWorkflowStaticData: () => staticData,
      getCredentials: async () => ({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue: env.taskQueue, tls: 'none', apiKey: '' }),
    } as unknown as IPollFunctions;
  }
  const audit = (sendingId: string, action: string, detail: Record<string, unknown> = {}) =>
    directory.audit({ sendingId, action, actor: 'alex', detail });
  /** A poll leaves events younger than EVENT_SETTLE_MS for the next one. */
  const settled = () => new Promise((resolve) => setTimeout(resolve, EVENT_SETTLE_MS + 100));
  const eventsOf = (out: Awaited<ReturnType<typeof trigger.poll>>) =>
    (out?.[0] ?? []).map((item) => [item.json.event, item.json.sendingId]);

  test('manual "Fetch Test Event", then an active trigger: cursor placed, each new event once, filtered', async () => {
    const filter = { projectId: 'acme', events: ['completed', 'rejected'], simplify: true };
    const manual = () => trigger.poll.call(context('manual', filter, {}));
    await expect(manual()).rejects.toThrow('No event of this kind yet');
    await audit('a1', 'rejected', { reason: 'too early', hash: 'h' });
    await audit('a1', 'approved');
    expect(eventsOf(await manual())).toEqual([['rejected', 'a1']]);

    const staticData: Record<string, unknown> = {};
    const poll = () => trigger.poll.call(context('trigger', filter, staticData));
    // Activation: the cursor goes to the newest event (of any kind), nothing is output.
    expect(await poll()).toBeNull();
    expect(staticData.afterId).toEqual(expect.any(Number));
    expect(await poll()).toBeNull();

    await audit('o1', 'completed', { sent: 1 });
    await audit('a1', 'approved');
    await audit('a1', 'completed', { sent: 3, failed: 0 });
    await audit('a1', 'rejected', { reason: 'again' });
    await settled();
    const out = await poll();
    expect(eventsOf(out)).toEqual([
      ['completed', 'a1'],
      ['rejected', 'a1'],
    ]);
    expect(out![0][0].json).toMatchObject({ event: 'completed', projectId: 'acme', sent: 3, delivery: { sent: 0, awaitingReceipt: 0 } });
    expect(await poll()).toBeNull();

    // Every project and every event, the whole event with Simplify off.
    const everything = () => trigger.poll.call(context('trigger', { projectId: '', events: [], simplify: false }, staticData));
    await audit('o1', 'approved', { approval: 1, of: 1, hash: 'h' });
    await settled();
    const [[item]] = (await everything())!;
    expect(item.json).toMatchObject({
      event: 'approved',
      sendingId: 'o1',
      projectId: 'other',
      detail: { hash: 'h' },
      id: staticData.afterId,
    });
    // An expression may give the events as comma-separated text.
    const byText = trigger.poll.call(context('manual', { projectId: '', events: 'completed, rejected' }, {}));
    expect(eventsOf(await byText)).toEqual([['rejected', 'a1']]);
  });
});
