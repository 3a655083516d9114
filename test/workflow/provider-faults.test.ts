/**
 * A sending through the real workflow and worker while the provider misbehaves (Twilio's API on a local
 * endpoint): it asks to wait, fails in bursts, refuses the account, answers too late. After each fault the
 * provider's ledger is checked: nobody gets a message twice, nobody is lost, the directory's counts equal the
 * ledger, and cancel and pause bite — no request reaches the provider after they answered.
 */
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import type { SendingStatus } from '../../workflows/messages';
import { STORES, openFreshDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { seedBulk } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const RECIPIENTS = 30;
const PROVIDER_TIMEOUT_MS = 2000;

describe.each(STORES)('provider faults during a send (%s)', (store) => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    directory = fresh.directory;
    await seedBulk(directory, 'faults', RECIPIENTS);
    fake = await startFakeProvider();
    const provider = createProvider(
      {
        kind: 'twilio',
        accountSid: fake.accountSid,
        authToken: fake.authToken,
        from: '+15145550000',
        baseUrl: fake.url,
        timeoutMs: PROVIDER_TIMEOUT_MS,
      },
      { outboxStore: directory },
    );
    env = await startTestWorker({
      directory,
      provider,
      concurrency: 4,
      dispatch: { providerTimeoutMs: PROVIDER_TIMEOUT_MS, breakerFailures: 6, breakerWindowMs: 30_000, maxPausedMs: 4 * 3_600_000 },
    });
  });
  afterAll(async () => {
    await env?.stop();
    await fake?.close();
    await fresh?.close();
  });

  async function approvedSending(): Promise<string> {
    const { sendingId } = await env.client.create(
      { projectId: 'faults', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    await env.client.prepare(sendingId, { message: 'Sale {{firstName}}. Reply STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await env.client.requestApproval(sendingId, 'paula');
    await env.client.approve(sendingId, { approver: 'alex' });
    return sendingId;
  }

  /** Messages the provider accepted, per number. */
  const ledger = (): Map<string, number> => {
    const perNumber = new Map<string, number>();
    for (const m of fake.accepted) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    return perNumber;
  };
  const twice = () => [...ledger().entries()].filter(([, n]) => n > 1);

  /** Nobody twice; the directory's counts equal the ledger; nothing is left pending or in flight. */
  async function expectLedgerMatches(id: string, done: SendingStatus): Promise<void> {
    expect(twice()).toEqual([]);
    const counts = await directory.progress(id);
    expect(counts.sent).toBe(ledger().size);
    expect(done.progress).toMatchObject({ sent: counts.sent, failed: counts.failed, unknown: counts.unknown });
    expect(counts.dispatching).toBe(0);
  }

  test('429 with Retry-After: 20 for a few numbers: the batch hands the wait to a durable timer, and every number gets one message', async () => {
    fake.reset();
    fake.setDelay(50);
    fake.failNext(3, 429, { retryAfterSeconds: 20 });
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed', 'failed', 'paused'], { timeoutMs: 90_000 });
    expect(done.state).toBe('completed');
    expect(ledger().size).toBe(RECIPIENTS);
    await expectLedgerMatches(id, done);
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS });
    const waits = done.audit.filter((a) => a.action === 'provider_backoff');
    expect(waits).toHaveLength(1);
    expect(String(waits[0].detail?.reason)).toContain('asking to wait 20 s');
  }, 120_000);

  test('cancel while the provider answers 503: cancelled within the provider time-out + 2 s, and nothing reaches the provider after that', async () => {
    fake.reset();
    fake.failNext(100_000, 503);
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    while (fake.requests.length < 3) await new Promise((r) => setTimeout(r, 20));
    const asked = Date.now();
    const cancelled = await env.client.cancel(id, 'the provider is down, we try tomorrow', 'ops');
    const answered = Date.now();
    expect(cancelled.state).toBe('cancelled');
    expect(answered - asked).toBeLessThan(PROVIDER_TIMEOUT_MS + 2000);
    const requestsAtCancel = fake.requests.length;
    // The provider recovers: nothing more goes out.
    fake.failNext(0);
    await new Promise((r) => setTimeout(r, 3000));
    expect(fake.requests.length).toBe(requestsAtCancel);
    expect(fake.requests.filter((r) => r.at > answered)).toEqual([]);
    expect(fake.accepted).toEqual([]);
    const counts = await directory.progress(id);
    expect(counts).toMatchObject({ sent: 0, failed: 0, dispatching: 0 });
    expect(cancelled.progress).toMatchObject({ sent: 0, pending: RECIPIENTS });
  }, 60_000);

  test('a revoked key (401 / 20003) pauses the sending after a few calls instead of failing the audience; resume after the fix sends everyone once', async () => {
    fake.reset();
    fake.setScenario({ faults: [{ fault: { kind: 'unauthorized' } }] });
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const paused = await env.client.waitFor(id, ['paused', 'completed', 'failed'], { timeoutMs: 30_000 });
    expect(paused.state).toBe('paused');
    expect(paused.pause).toMatchObject({ automatic: true, by: 'system' });
    expect(paused.pause!.reason).toContain('refused the account: 20003: Authenticate');
    expect(paused.pause!.code).toBe('20003');
    // At most one call per lane, not one per recipient; nobody is marked failed.
    expect(fake.requests.length).toBeLessThanOrEqual(4);
    expect(await directory.progress(id)).toMatchObject({ failed: 0, unknown: 0, dispatching: 0, pending: RECIPIENTS });
    expect((await directory.readAudit(id)).filter((a) => a.action === 'paused')).toHaveLength(1);

    fake.setScenario({});
    const resumed = await env.client.resume(id, 'ops');
    expect(resumed.state).toBe('sending');
    const done = await env.client.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    expect(ledger().size).toBe(RECIPIENTS);
    await expectLedgerMatches(id, done);
  }, 60_000);

  test('a burst of 5xx trips the circuit breaker: the sending pauses with the first error, and resumes without a second message to anyone', async () => {
    fake.reset();
    fake.setDelay(20);
    fake.failNext(100_000, 502);
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const paused = await env.client.waitFor(id, ['paused', 'completed', 'failed'], { timeoutMs: 30_000 });
    expect(paused.state).toBe('paused');
    expect(paused.pause!.reason).toContain('circuit breaker');
    expect(paused.pause!.reason).toContain('answered 502');
    // 502 may come after Twilio created the message: those recipients are unknown, never resent.
    const atPause = await directory.progress(id);
    expect(atPause.unknown).toBeGreaterThan(0);
    expect(atPause.failed + atPause.sent).toBe(0);

    fake.failNext(0);
    await env.client.resume(id, 'ops');
    const done = await env.client.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    await expectLedgerMatches(id, done);
    expect(done.progress.sent + done.progress.unknown).toBe(RECIPIENTS);
    expect(done.progress.unknown).toBe(atPause.unknown);
  }, 60_000);

  test('a provider that takes the message but answers after the time-out: in doubt, marked unknown and never resent', async () => {
    fake.reset();
    fake.setDelay(PROVIDER_TIMEOUT_MS + 500);
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    const stopped = await env.client.waitFor(id, ['paused', 'completed', 'failed'], { timeoutMs: 60_000 });
    fake.setDelay(0);
    // Every call timed out: the breaker paused the sending; those recipients are unknown and listed.
    expect(stopped.state).toBe('paused');
    const counts = await directory.progress(id);
    expect(counts.unknown).toBe(fake.accepted.length);
    expect(counts.sent).toBe(0);
    await env.client.resume(id, 'ops');
    const done = await env.client.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    expect(twice()).toEqual([]);
    expect(ledger().size).toBe(RECIPIENTS);
    expect(done.progress.sent + done.progress.unknown).toBe(RECIPIENTS);
    const unknown = (await directory.readSnapshot(id, 0, RECIPIENTS)).filter((r) => r.state === 'unknown');
    expect(unknown.length).toBe(counts.unknown);
  }, 90_000);

  test('pause during a slow send answers once nothing is in flight; no request reaches the provider until resume; everyone gets one message', async () => {
    fake.reset();
    fake.setDelay(300);
    const id = await approvedSending();
    await env.client.send(id, 'paula');
    await fake.waitForAccepted(4);
    const paused = await env.client.pause(id, 'marketing wants to check the link', 'ops');
    const answered = Date.now();
    expect(paused.state).toBe('paused');
    expect(paused.pause).toMatchObject({ by: 'ops', automatic: false, reason: 'marketing wants to check the link' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.requests.filter((r) => r.at > answered)).toEqual([]);
    expect(paused.progress.sent).toBe(fake.accepted.length);

    await env.client.resume(id, 'ops');
    const done = await env.client.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    expect(ledger().size).toBe(RECIPIENTS);
    await expectLedgerMatches(id, done);
    const actions = (await directory.readAudit(id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['pause_requested', 'paused', 'resumed', 'completed']));
  }, 60_000);

  test('retry recipients: failed ones on request; unknown ones only with the confirmation, which says they may get a second copy', async () => {
    fake.reset();
    const id = await approvedSending();
    const [first, second] = (await directory.readSnapshot(id, 0, 2)).map((r) => r.e164);
    fake.rejectNumber(first, 21408, 'Permission to send an SMS has not been enabled for the region');
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed'], { timeoutMs: 30_000 });
    expect(done.progress).toMatchObject({ sent: RECIPIENTS - 1, failed: 1 });
    expect(done.retryUntilMs).toBeGreaterThan(Date.now());

    await expect(env.client.retryRecipients(id, { include: ['unknown'] }, 'ops')).rejects.toThrow(/may give them a second copy/);
    fake.reset();
    const retried = await env.client.retryRecipients(id, { include: ['failed'] }, 'ops');
    expect(retried.state).toBe('sending');
    const again = await env.client.waitFor(id, ['completed'], { timeoutMs: 30_000 });
    expect(again.progress).toMatchObject({ sent: RECIPIENTS, failed: 0 });
    expect(fake.accepted.map((m) => m.to)).toEqual([first]);
    expect(fake.accepted.map((m) => m.to)).not.toContain(second);
    const audit = (await directory.readAudit(id)).filter((a) => a.action === 'retry_requested');
    expect(audit).toEqual([expect.objectContaining({ actor: 'ops', detail: expect.objectContaining({ failed: 1, unknown: 0 }) })]);
  }, 60_000);
});
