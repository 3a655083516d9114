import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

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
    ['a To that is not E.164', { To: '4165550100', From: '+14165550199', Body: 'x' }, 400, { code: 21211, message: "The 'To' number 4165550100 is not a valid phone number." }],
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
    const post = () => fetch(fake.httpUrl, { method: 'POST', headers: { 'Idempotency-Key': 'k1' }, body: JSON.stringify({ to: '+14165550100', body: 'x' }) });
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

  it('waits for accepted messages, and says how many came when they do not', async () => {
    const post = fetch(fake.httpUrl, { method: 'POST', body: JSON.stringify({ to: '+14165550100', body: 'x' }) });
    await fake.waitForAccepted(1, 2000);
    await post;
    await expect(fake.waitForAccepted(2, 50)).rejects.toThrow('The fake provider accepted 1 message(s) in 50 ms, expected 2.');
  });
});
