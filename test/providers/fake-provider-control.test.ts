import { join } from 'node:path';
import { startListeningChild, type ListeningChild } from '../../bench/support/listening-child';
import { createProvider } from '../../worker/providers/create-provider';
import { ProviderAccountError, RetryableProviderError, type OutgoingSms, type ProviderResult } from '../../worker/providers/provider';
import {
  controlFakeProvider,
  DEFAULT_ACCOUNT_SID,
  DEFAULT_AUTH_TOKEN,
  type FakeProviderControl,
  type Scenario,
} from '../support/fake-provider';

const outboxStore = { writeOutbox: async () => undefined };
const sms = (n: number, sendingId = 's'): OutgoingSms => ({
  to: `+1416555${String(n).padStart(4, '0')}`,
  from: null,
  body: 'Hi',
  idempotencyKey: `${sendingId}:${n}`,
  sendingId,
  seq: n,
});

/** What a send resolved, or the error it threw. */
async function outcome(promise: Promise<ProviderResult>): Promise<ProviderResult | Error> {
  try {
    return await promise;
  } catch (err) {
    return err as Error;
  }
}

describe('fake provider run as a process, driven through its control API', () => {
  const startScenario: Scenario = { faults: [{ when: { next: 1 }, fault: { kind: 'status', status: 503 } }] };
  let child: ListeningChild;
  let control: FakeProviderControl;
  beforeAll(async () => {
    child = await startListeningChild(join(__dirname, '../support/fake-provider/main.ts'), {
      ...process.env,
      FAKE_PROVIDER_SCENARIO: JSON.stringify(startScenario),
    });
    control = controlFakeProvider(child.url);
  });
  afterAll(() => child.stop());
  afterEach(() => control.reset());

  const twilio = (timeoutMs = 10_000) =>
    createProvider(
      {
        kind: 'twilio',
        accountSid: DEFAULT_ACCOUNT_SID,
        authToken: DEFAULT_AUTH_TOKEN,
        from: '+14165550199',
        baseUrl: child.url,
        timeoutMs,
      },
      { outboxStore },
    );
  const http = (timeoutMs = 10_000) => createProvider({ kind: 'http', url: `${child.url}/messages`, timeoutMs }, { outboxStore });

  it('plays the scenario it was started with (FAKE_PROVIDER_SCENARIO)', async () => {
    expect(await control.scenario()).toEqual({ seed: 1, ...startScenario });
    expect(await outcome(http().send(sms(1)))).toBeInstanceOf(RetryableProviderError);
    await expect(http().send(sms(1))).resolves.toMatchObject({ status: 'sent' });
  });

  it('switches revoked credentials on and off', async () => {
    const revoked: Scenario = { faults: [{ fault: { kind: 'unauthorized' } }] };
    expect(await control.setScenario(revoked)).toEqual({ seed: 1, ...revoked });
    const error = await outcome(twilio().send(sms(1)));
    expect(error).toBeInstanceOf(ProviderAccountError);
    expect(error).toMatchObject({ code: '20003' });

    await control.setScenario({});
    await expect(twilio().send(sms(1))).resolves.toMatchObject({ status: 'sent' });
  });

  it('refuses a wrong scenario, naming the field, and keeps playing the one it had', async () => {
    const before = await control.setScenario({
      faults: [{ when: { numbers: [sms(1).to] }, fault: { kind: 'status', status: 429, retryAfterSeconds: 2 } }],
    });
    const wrong = { faults: [{ fault: { kind: 'status', status: 200 } }] } as unknown as Scenario;
    await expect(control.setScenario(wrong)).rejects.toThrow(
      'Fake provider POST /_control/scenario: 400 faults[0].fault.status must be a whole number from 400 to 599',
    );
    expect(await control.scenario()).toEqual(before);
    expect(await outcome(http().send(sms(1)))).toMatchObject({ retryAfterMs: 2000 });
  });

  it('reports the ledger: one message per idempotency key, duplicates of Twilio retries after an unknown outcome', async () => {
    const resetOnce = (api: 'http' | 'twilio') => ({ when: { api, next: 1 }, fault: { kind: 'reset', stage: 'after-accept' } }) as const;
    await control.setScenario({ faults: [resetOnce('http'), resetOnce('twilio')] });
    for (const provider of [http(), twilio()]) {
      expect(await outcome(provider.send(sms(1, 'a')))).toMatchObject({ outcomeUnknown: true });
      await expect(provider.send(sms(1, 'a'))).resolves.toMatchObject({ status: 'sent' });
    }
    await http().send(sms(2, 'b'));

    const ledger = await control.ledger();
    expect(ledger).toMatchObject({ accepted: 4, distinctNumbers: 2, countsByNumber: { [sms(1).to]: 3, [sms(2).to]: 1 } });
    expect(ledger.duplicates).toEqual({ numbers: { [sms(1).to]: 3 }, idempotencyKeys: {} });
    expect(ledger.messages!.map((m) => [m.api, m.to])).toEqual([
      ['http', sms(1).to],
      ['twilio', sms(1).to],
      ['twilio', sms(1).to],
      ['http', sms(2).to],
    ]);

    const ofB = await control.ledger({ sendingId: 'b', messages: false });
    expect(ofB).toEqual({
      accepted: 1,
      distinctNumbers: 1,
      countsByNumber: { [sms(2).to]: 1 },
      duplicates: { numbers: {}, idempotencyKeys: {} },
    });
    expect(await control.requests()).toEqual({
      total: 5,
      replayed: 1,
      byApi: { http: 3, twilio: 2 },
      byStatus: { none: 2, '201': 3 },
      byFault: { reset: 2, none: 3 },
    });
  });

  it('reset forgets the messages and the idempotency keys', async () => {
    await http().send(sms(1));
    await control.reset();
    expect(await control.ledger({ messages: false })).toMatchObject({ accepted: 0 });
    await expect(http().send(sms(1))).resolves.toEqual({ status: 'sent', providerMessageId: 'msg_1' });
    expect(await control.requests()).toMatchObject({ total: 1, replayed: 0 });
  });
});
