/** Provider answers through the real workflow: 4xx fails that recipient with the reason, 429/5xx are retried. */
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { openFreshDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

describe('provider errors during a send (Twilio API on a local endpoint)', () => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshDirectory('sqlite');
    directory = fresh.directory;
    await seedAcme(directory);
    fake = await startFakeProvider();
    const provider = createProvider(fakeTwilioConfig(fake), { outboxStore: directory });
    env = await startTestWorker({ directory, provider });
  });
  afterAll(async () => {
    await env?.stop();
    await fake?.close();
    await fresh?.close();
  });

  async function approvedSending(): Promise<string> {
    const { sendingId } = await env.client.create(
      { projectId: 'acme', audience: 'groups', groups: ['vip', 'newsletter'], duplicatePolicy: 'perContact' },
      'paula',
    );
    await env.client.prepare(sendingId, { message: 'Hi {{firstName}}', schedule: { mode: 'now' } }, 'paula');
    await env.client.requestApproval(sendingId, 'paula');
    await env.client.approve(sendingId, { approver: 'alex' });
    return sendingId;
  }

  test('a 4xx for one number fails that recipient with the provider reason; the others are sent', async () => {
    fake.reset();
    fake.rejectNumber('+15145550102', 21211, "The 'To' number +15145550102 is not a valid phone number.");
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed', 'failed'], { timeoutMs: 60_000 });
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ total: 3, sent: 2, failed: 1, unknown: 0 });
    const failed = (await directory.readSnapshot(id, 0, 10)).filter((r) => r.state === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].e164).toBe('+15145550102');
    expect(fake.accepted.map((m) => m.to).sort()).toEqual(['+14385550103', '+15145550101']);

    // 21211 says the number cannot take SMS: it is quarantined, and the next sending skips it.
    expect(await directory.checkDispatch('acme', failed[0].contactId, '+15145550102')).toBe('optedOut');
    fake.reset();
    const next = await approvedSending();
    expect((await env.client.status(next)).prepared?.summary).toMatchObject({ messages: 2, excluded: { optedOut: 2 } });
    await env.client.send(next, 'paula');
    expect((await env.client.waitFor(next, ['completed'], { timeoutMs: 60_000 })).progress).toMatchObject({ sent: 2, failed: 0 });
    expect(fake.accepted.map((m) => m.to).sort()).toEqual(['+14385550103', '+15145550101']);
    await directory.removeOptOut('acme', '+15145550102');
  });

  test('a provider error that is not about the number (e.g. 21408, region not enabled) does not quarantine it', async () => {
    fake.reset();
    fake.rejectNumber('+15145550102', 21408, 'Permission to send an SMS has not been enabled for the region');
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    expect((await env.client.waitFor(id, ['completed'], { timeoutMs: 60_000 })).progress).toMatchObject({ sent: 2, failed: 1 });
    const [row] = (await directory.readSnapshot(id, 0, 10)).filter((r) => r.e164 === '+15145550102');
    expect(await directory.checkDispatch('acme', row.contactId, '+15145550102')).toBe('ok');
  });

  test.each([
    [429, 'Too Many Requests (with Retry-After)'],
    [503, 'Service Unavailable'],
  ])('%i answers (%s) are retried and every recipient gets one message', async (status) => {
    fake.reset();
    fake.failNext(2, status, { retryAfterSeconds: 1 });
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed', 'failed'], { timeoutMs: 60_000 });
    expect(done.progress).toMatchObject({ total: 3, sent: 3, failed: 0, unknown: 0 });
    expect(fake.accepted.map((m) => m.to).sort()).toEqual(['+14385550103', '+15145550101', '+15145550102']);
    expect(fake.requests.filter((r) => r.status === status)).toHaveLength(2);
  });
});
