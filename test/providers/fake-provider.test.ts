import { startFakeProvider, type FakeProvider, type Scenario } from '../support/fake-provider';

const basic = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

describe('fake provider', () => {
  let fake: FakeProvider;
  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const twilioPost = (form: Record<string, string>, accountSid = fake.accountSid) =>
    fetch(`${fake.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: basic(fake.accountSid, fake.authToken), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  it.each<[string, Record<string, string>, number, { code: number; message: string }]>([
    ['no To', { From: '+14165550199', Body: 'x' }, 400, { code: 21604, message: "A 'To' phone number is required." }],
    ['no Body', { To: '+14165550100', From: '+14165550199' }, 400, { code: 21602, message: 'Message body is required.' }],
    ['no sender', { To: '+14165550100', Body: 'x' }, 400, { code: 21603, message: "A 'From' phone number is required." }],
    [
      'a To that is not E.164',
      { To: '4165550100', From: '+14165550199', Body: 'x' },
      400,
      { code: 21211, message: "The 'To' number 4165550100 is not a valid phone number." },
    ],
  ])('answers Twilio errors like Twilio: %s', async (_case, form, status, error) => {
    const response = await twilioPost(form);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ ...error, status });
    expect(fake.accepted).toHaveLength(0);
  });

  it("answers 404 for another account's resource and for unknown routes, and records them", async () => {
    expect((await twilioPost({ To: '+14165550100', From: '+1', Body: 'x' }, 'AC99')).status).toBe(404);
    expect((await fetch(`${fake.url}/nope`)).status).toBe(404);
    expect(fake.requests.map(({ api, method, status }) => ({ api, method, status }))).toEqual([
      { api: 'twilio', method: 'POST', status: 404 },
      { api: 'unknown', method: 'GET', status: 404 },
    ]);
  });

  it('replays the first answer (even a refusal) for a repeated Idempotency-Key', async () => {
    fake.rejectNumber('+14165550100', 30003, 'Unreachable destination handset');
    const post = () =>
      fetch(fake.httpUrl, {
        method: 'POST',
        headers: { 'Idempotency-Key': 'k1' },
        body: JSON.stringify({ to: '+14165550100', body: 'x' }),
      });
    const first = await post();
    expect(first.status).toBe(400);
    expect(await first.json()).toEqual({ error: 'Unreachable destination handset', code: 30003 });
    fake.reset();
    const again = await post();
    expect(again.status).toBe(201);
    const replay = await post();
    expect(await replay.json()).toEqual({ id: 'msg_1', status: 'accepted' });
    expect(fake.requests.map((r) => r.replayed)).toEqual([false, true]);
    expect(fake.accepted).toHaveLength(1);
  });

  it("refuses revoked credentials in each API's format: Twilio 401 code 20003, the generic API the status asked for", async () => {
    fake.setScenario({ faults: [{ fault: { kind: 'unauthorized', status: 403 } }] });
    const twilio = await twilioPost({ To: '+14165550100', From: '+14165550199', Body: 'x' });
    expect([twilio.status, await twilio.json()]).toEqual([
      401,
      expect.objectContaining({ code: 20003, message: 'Authenticate', status: 401 }),
    ]);
    const generic = await fetch(fake.httpUrl, { method: 'POST', body: JSON.stringify({ to: '+14165550100', body: 'x' }) });
    expect([generic.status, await generic.json()]).toEqual([403, { error: 'Forbidden' }]);
    expect(fake.accepted).toHaveLength(0);
  });

  it('counts messages per number and finds numbers sent twice, for one sending or all', async () => {
    const post = (to: string, sendingId: string) =>
      fetch(fake.httpUrl, { method: 'POST', body: JSON.stringify({ to, body: 'x', sendingId }) });
    for (const [to, sendingId] of [
      ['+14165550100', 'a'],
      ['+14165550100', 'a'],
      ['+14165550101', 'a'],
      ['+14165550101', 'b'],
    ])
      await post(to, sendingId);
    expect(fake.countsByNumber()).toEqual({ '+14165550100': 2, '+14165550101': 2 });
    expect(fake.countsByNumber('a')).toEqual({ '+14165550100': 2, '+14165550101': 1 });
    expect(fake.duplicates('a')).toEqual({ numbers: { '+14165550100': 2 }, idempotencyKeys: {} });
    expect(fake.duplicates('b')).toEqual({ numbers: {}, idempotencyKeys: {} });
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { faults: [], chaos: true }, 'the scenario has an unknown field "chaos" (known: seed, faults, latency, refuse)'],
    [
      'a fraction above 1',
      { faults: [{ when: { fraction: 1.5 }, fault: { kind: 'status', status: 503 } }] },
      'faults[0].when.fraction must be a number from 0 to 1',
    ],
    [
      'a hang without its stage',
      { faults: [{ fault: { kind: 'hang' } }] },
      'faults[0].fault.stage must be one of "before-accept", "after-accept"',
    ],
    [
      'percentiles that stop before 100',
      {
        latency: {
          kind: 'percentiles',
          points: [
            [0, 1],
            [90, 5],
          ],
        },
      },
      'latency.points must run from percentile 0 to percentile 100',
    ],
    [
      'percentiles whose latency falls',
      {
        latency: {
          kind: 'percentiles',
          points: [
            [0, 10],
            [50, 5],
            [100, 20],
          ],
        },
      },
      'latency.points must rise: percentiles strictly, milliseconds never down',
    ],
  ])('refuses a scenario with %s, naming the field', (_case, scenario, message) => {
    expect(() => fake.setScenario(scenario as Scenario)).toThrow(message);
  });

  it('waits for accepted messages, and says how many came when they do not', async () => {
    const post = fetch(fake.httpUrl, { method: 'POST', body: JSON.stringify({ to: '+14165550100', body: 'x' }) });
    await fake.waitForAccepted(1, 2000);
    await post;
    await expect(fake.waitForAccepted(2, 50)).rejects.toThrow('The fake provider accepted 1 message(s) in 50 ms, expected 2.');
  });
});
