import { createProvider, type ProviderKind } from '../../worker/providers/create-provider';
import {
  ProviderAccountError,
  RetryableProviderError,
  type OutgoingSms,
  type ProviderResult,
  type SmsProvider,
} from '../../worker/providers/provider';
import { startFakeProvider, type FakeProvider, type Scenario } from '../support/fake-provider';

const outboxStore = { writeOutbox: async () => undefined };
/** The client's time-out where a test waits for it: short, yet long enough for a request to reach the fake on a busy machine. */
const TIMEOUT_MS = 1000;
/** How much later than planned an answer may arrive on a busy machine. */
const SLACK_MS = 1000;

const sms = (n: number): OutgoingSms => ({
  to: `+1416555${String(n).padStart(4, '0')}`,
  from: null,
  body: 'Hi',
  idempotencyKey: `s:${n}`,
  sendingId: 's',
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

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - start };
}

describe.each<Exclude<ProviderKind, 'outbox'>>(['twilio', 'http'])('fault injection through the %s provider', (kind) => {
  let fake: FakeProvider;
  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const client = (timeoutMs = 10_000): SmsProvider =>
    kind === 'twilio'
      ? createProvider(
          { kind, accountSid: fake.accountSid, authToken: fake.authToken, from: '+14165550199', baseUrl: fake.url, timeoutMs },
          { outboxStore },
        )
      : createProvider({ kind, url: fake.httpUrl, timeoutMs }, { outboxStore });
  const play = (scenario: Scenario) => fake.setScenario(scenario);

  it('hang before accepting: the client gives up with an unknown outcome, and nothing was sent', async () => {
    play({ faults: [{ fault: { kind: 'hang', stage: 'before-accept' } }] });
    const error = await outcome(client(TIMEOUT_MS).send(sms(1)));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ message: expect.stringContaining(`did not answer within ${TIMEOUT_MS} ms`), outcomeUnknown: true });
    await fake.waitForRequests(1);
    expect(fake.accepted).toEqual([]);
    expect(fake.requests).toEqual([expect.objectContaining({ status: null, fault: 'hang' })]);
  });

  it('hang after accepting: the client gives up, the message was sent, and a retry sends it again only without an idempotency key', async () => {
    play({ faults: [{ when: { next: 1 }, fault: { kind: 'hang', stage: 'after-accept' } }] });
    const error = await outcome(client(TIMEOUT_MS).send(sms(1)));
    expect(error).toMatchObject({ message: expect.stringContaining(`did not answer within ${TIMEOUT_MS} ms`), outcomeUnknown: true });
    await fake.waitForAccepted(1);
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(1).to]);

    await expect(client().send(sms(1))).resolves.toMatchObject({ status: 'sent' });
    const twice = kind === 'twilio' ? { [sms(1).to]: 2 } : {};
    expect(fake.duplicates().numbers).toEqual(twice);
    expect(fake.duplicates().idempotencyKeys).toEqual({});
  });

  it('reset before accepting: a retryable error, and nothing was sent', async () => {
    play({ faults: [{ fault: { kind: 'reset', stage: 'before-accept' } }] });
    const error = await outcome(client().send(sms(1)));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ message: expect.stringContaining('ECONNRESET') });
    expect(fake.accepted).toEqual([]);
  });

  it('reset after accepting: a retryable error with an unknown outcome, and the message was sent', async () => {
    play({ faults: [{ fault: { kind: 'reset', stage: 'after-accept' } }] });
    const error = await outcome(client().send(sms(1)));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ message: expect.stringContaining('ECONNRESET'), outcomeUnknown: true });
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(1).to]);
    expect(fake.requests).toEqual([expect.objectContaining({ status: null, fault: 'reset' })]);
  });

  it('answers late: the message is recorded at once, the answer comes after the set time', async () => {
    play({
      faults: [
        { when: { numbers: [sms(1).to] }, fault: { kind: 'late', afterMs: 2 * TIMEOUT_MS } },
        { when: { numbers: [sms(2).to] }, fault: { kind: 'late', afterMs: 100 } },
      ],
    });
    const error = await outcome(client(TIMEOUT_MS).send(sms(1)));
    expect(error).toMatchObject({ outcomeUnknown: true });
    await fake.waitForAccepted(1);
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(1).to]);

    const { value, ms } = await timed(client().send(sms(2)));
    expect(value).toMatchObject({ status: 'sent' });
    expect(ms).toBeGreaterThanOrEqual(100 - 2);
  });

  it('credentials revoked: every request raises an account error until it is switched off', async () => {
    const revoked: Scenario = { faults: [{ fault: { kind: 'unauthorized' } }] };
    play(revoked);
    const refusal =
      kind === 'twilio' ? { code: '20003', reason: '20003: Authenticate' } : { code: undefined, reason: 'HTTP 401: Unauthorized' };
    for (const n of [1, 2]) {
      const error = await outcome(client().send(sms(n)));
      expect(error).toBeInstanceOf(ProviderAccountError);
      expect(error).toMatchObject({
        code: refusal.code,
        message: expect.stringMatching(new RegExp(`refused the account: ${refusal.reason}$`)),
      });
    }
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401]);

    play({});
    await expect(client().send(sms(1))).resolves.toMatchObject({ status: 'sent' });
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(1).to]);
  });

  it('answers 429 with Retry-After for the next N requests, then accepts', async () => {
    play({ faults: [{ when: { next: 2 }, fault: { kind: 'status', status: 429, retryAfterSeconds: 3 } }] });
    for (const n of [1, 2]) {
      const error = await outcome(client().send(sms(n)));
      expect(error).toBeInstanceOf(RetryableProviderError);
      expect(error).toMatchObject({ retryAfterMs: 3000, outcomeUnknown: false });
    }
    await expect(client().send(sms(3))).resolves.toMatchObject({ status: 'sent' });
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(3).to]);
  });

  it.each([
    [500, true],
    [502, true],
    [503, false],
    [504, true],
  ])('answers %i to chosen numbers only (outcome unknown: %p)', async (status, outcomeUnknown) => {
    play({ faults: [{ when: { numbers: [sms(1).to] }, fault: { kind: 'status', status } }] });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await outcome(client().send(sms(1)));
      expect(error).toBeInstanceOf(RetryableProviderError);
      expect(error).toMatchObject({ message: expect.stringContaining(`answered ${status}`), outcomeUnknown });
    }
    await expect(client().send(sms(2))).resolves.toMatchObject({ status: 'sent' });
    expect(fake.accepted.map((m) => m.to)).toEqual([sms(2).to]);
  });

  it('fails a seeded fraction of requests, the same ones each time the scenario is played', async () => {
    const count = 200;
    const failedOf = async (seed: number): Promise<number[]> => {
      fake.reset();
      play({ seed, faults: [{ when: { fraction: 0.25 }, fault: { kind: 'status', status: 503 } }] });
      const failed: number[] = [];
      for (let n = 0; n < count; n++) if ((await outcome(client().send(sms(n)))) instanceof RetryableProviderError) failed.push(n);
      expect(fake.accepted).toHaveLength(count - failed.length);
      return failed;
    };
    const first = await failedOf(7);
    expect(first.length / count).toBeGreaterThan(0.15);
    expect(first.length / count).toBeLessThan(0.35);
    expect(await failedOf(7)).toEqual(first);
    expect(await failedOf(8)).not.toEqual(first);
  });

  it('holds answers for a uniform latency between its bounds', async () => {
    play({ latency: { kind: 'uniform', minMs: 30, maxMs: 90 } });
    for (let n = 0; n < 6; n++) {
      const { value, ms } = await timed(client().send(sms(n)));
      expect(value).toMatchObject({ status: 'sent' });
      const { delayMs } = fake.requests[n];
      expect(delayMs).toBeGreaterThanOrEqual(30);
      expect(delayMs).toBeLessThanOrEqual(90);
      expect(ms).toBeGreaterThanOrEqual(delayMs - 2);
      expect(ms).toBeLessThanOrEqual(delayMs + SLACK_MS);
    }
  });

  it('draws latencies from a table of percentiles', async () => {
    play({
      latency: {
        kind: 'percentiles',
        points: [
          [0, 5],
          [50, 20],
          [90, 60],
          [100, 120],
        ],
      },
    });
    const sends = Array.from({ length: 200 }, (_, n) => timed(client().send(sms(n))));
    const answers = await Promise.all(sends);
    expect(answers.every((a) => (a.value as ProviderResult).status === 'sent')).toBe(true);

    const delays = fake.requests.map((r) => r.delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(120);
    const share = (ms: number) => delays.filter((d) => d <= ms).length / delays.length;
    expect(share(20)).toBeGreaterThan(0.4);
    expect(share(20)).toBeLessThan(0.6);
    expect(share(60)).toBeGreaterThan(0.83);
    expect(share(60)).toBeLessThan(0.97);
    // No answer came before its latency.
    for (const [n, { ms }] of answers.entries()) {
      const request = fake.requests.find((r) => r.to === sms(n).to)!;
      expect(ms).toBeGreaterThanOrEqual(request.delayMs - 2);
    }
  });

  it('combines faults: the first matching rule decides, the latency applies to fault answers too', async () => {
    play({
      latency: { kind: 'fixed', ms: 50 },
      faults: [
        { when: { numbers: [sms(1).to] }, fault: { kind: 'status', status: 503 } },
        { when: { next: 1 }, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } },
      ],
    });
    const statuses: Array<number | string> = [];
    for (const n of [2, 1, 1, 2]) {
      const { value, ms } = await timed(outcome(client().send(sms(n))));
      expect(ms).toBeGreaterThanOrEqual(50 - 2);
      statuses.push(value instanceof Error ? Number(/answered (\d+)/.exec(value.message)?.[1]) : value.status);
    }
    expect(statuses).toEqual([429, 503, 503, 'sent']);
  });
});
