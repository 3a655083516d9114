/**
 * A message whose provider call got no answer may have been sent. When the operator stops the sending
 * before it is tried again (with its idempotency key), it must not go back to `pending` — "not sent" —
 * while the provider has it: a cancelled sending reports it `unknown` (found by `npm run chaos`, seed 81036,
 * round 19: one recipient the provider had, `pending` in the directory).
 */
import { createProvider } from '../../worker/providers/create-provider';
import { openFreshSqliteDirectory } from '../support/directories';
import { startFakeProvider } from '../support/fake-provider';
import { seedBulk } from '../support/seed';
import { startTestWorker } from '../support/temporal';

const PROVIDER_TIMEOUT_MS = 1500;

async function sendingInDoubt() {
  const fresh = await openFreshSqliteDirectory();
  const { directory } = fresh;
  await seedBulk(directory, 'doubt', 6);
  const fake = await startFakeProvider();
  // Every message is taken by the provider and answered long after the worker stopped waiting.
  fake.setScenario({ faults: [{ fault: { kind: 'late', afterMs: 20_000 } }] });
  const provider = createProvider({ kind: 'http', url: fake.httpUrl, timeoutMs: PROVIDER_TIMEOUT_MS }, { outboxStore: directory });
  const env = await startTestWorker({ directory, provider, concurrency: 2, dispatch: { providerTimeoutMs: PROVIDER_TIMEOUT_MS } });
  const { sendingId } = await env.client.create(
    { projectId: 'doubt', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
    'paula',
  );
  await env.client.prepare(sendingId, { message: 'Hello {{firstName}}, reply STOP to opt out', schedule: { mode: 'now' } }, 'paula');
  await env.client.requestApproval(sendingId, 'paula');
  await env.client.approve(sendingId, { approver: 'alex' });
  await env.client.send(sendingId, 'paula');
  await fake.waitForAccepted(2);
  return {
    directory,
    fake,
    env,
    sendingId,
    async close() {
      await env.stop();
      await fake.close();
      await fresh.close();
    },
  };
}

test('a cancel during calls that got no answer leaves those recipients unknown, not pending, and answers in time', async () => {
  const { directory, fake, env, sendingId, close } = await sendingInDoubt();
  try {
    const asked = Date.now();
    const cancelled = await env.client.cancel(sendingId, 'wrong list', 'ops');
    expect(Date.now() - asked).toBeLessThan(PROVIDER_TIMEOUT_MS + 3000);
    expect(cancelled.state).toBe('cancelled');

    const atProvider = new Set(Object.keys(fake.countsByNumber(sendingId)));
    expect(atProvider.size).toBeGreaterThan(0);
    const rows = await directory.readSnapshot(sendingId, 0, 10);
    expect(rows.filter((row) => atProvider.has(row.e164)).map((row) => row.state)).toEqual([...atProvider].map(() => 'unknown'));
    expect(cancelled.progress.unknown).toBe(atProvider.size);
  } finally {
    await close();
  }
}, 120_000);

test('after a pause during calls that got no answer, the resumed sending resends them with their keys: each recipient once', async () => {
  const { directory, fake, env, sendingId, close } = await sendingInDoubt();
  try {
    expect((await env.client.pause(sendingId, 'provider trouble', 'ops')).state).toBe('paused');
    const rows = await directory.readSnapshot(sendingId, 0, 10);
    expect(rows.filter((row) => row.state === 'pending' && fake.countsByNumber(sendingId)[row.e164])).toEqual([]);

    fake.setScenario({});
    await env.client.resume(sendingId, 'ops');
    const done = await env.client.waitFor(sendingId, ['completed'], { timeoutMs: 60_000 });
    expect(done.progress).toMatchObject({ sent: 6, unknown: 0 });
    expect(Object.values(fake.countsByNumber(sendingId))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(fake.duplicates(sendingId)).toEqual({ numbers: {}, idempotencyKeys: {} });
  } finally {
    await close();
  }
}, 120_000);
