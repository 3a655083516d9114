import { createServer } from 'node:net';
import { ProviderAccountError, RetryableProviderError, ProviderConfigError, type OutgoingSms } from '../../worker/providers/provider';
import { createTwilioProvider, type TwilioConfig } from '../../worker/providers/twilio-provider';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const sms = (overrides: Partial<OutgoingSms> = {}): OutgoingSms => ({
  to: '+14165550100',
  from: null,
  body: 'Hi Ana, our sale starts today. Reply STOP to opt out.',
  idempotencyKey: 'sending-1:1',
  sendingId: 'sending-1',
  seq: 1,
  ...overrides,
});

const basic = (user: string, secret: string): string => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Twilio provider', () => {
  let fake: FakeProvider;
  let config: TwilioConfig;

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: { sid: 'SK00000000000000000000000000000009', secret: 'api-key-secret' } });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    config = { accountSid: fake.accountSid, authToken: fake.authToken, from: '+14165550199', baseUrl: fake.url };
  });

  it('is not idempotent', () => {
    expect(createTwilioProvider(config)).toMatchObject({ name: 'twilio', idempotent: false });
  });

  it("posts the form to the account's Messages resource with basic auth and returns the message SID", async () => {
    const result = await createTwilioProvider(config).send(sms());

    expect(result).toEqual({ status: 'sent', providerMessageId: 'SM00000000000000000000000000000001' });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({
      api: 'twilio',
      method: 'POST',
      path: `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`,
      status: 201,
    });
    expect(request.headers.authorization).toBe(basic(fake.accountSid, fake.authToken));
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: '+14165550100',
      From: '+14165550199',
      Body: 'Hi Ana, our sale starts today. Reply STOP to opt out.',
    });
    expect(fake.accepted).toEqual([
      expect.objectContaining({
        api: 'twilio',
        id: 'SM00000000000000000000000000000001',
        to: '+14165550100',
        from: '+14165550199',
        messagingServiceSid: null,
      }),
    ]);
  });

  it('asks for status callbacks at <TWILIO_STATUS_CALLBACK_URL>/receipts/<projectId> when configured', async () => {
    const provider = createTwilioProvider({ ...config, statusCallbackUrl: 'https://sms.example.com/hooks/' });
    await provider.send(sms({ projectId: 'shop eu' }));
    await createTwilioProvider(config).send(sms({ projectId: 'shop', seq: 2, idempotencyKey: 'sending-1:2' }));

    const forms = fake.requests.map((request) => Object.fromEntries(new URLSearchParams(request.body)));
    expect(forms[0].StatusCallback).toBe('https://sms.example.com/hooks/receipts/shop%20eu');
    expect(forms[1]).not.toHaveProperty('StatusCallback');
    expect(() => createTwilioProvider({ ...config, statusCallbackUrl: 'ftp://sms.example.com' })).toThrow(
      'The Twilio status callback URL (TWILIO_STATUS_CALLBACK_URL) must be an http:// or https:// URL.',
    );
  });

  it("uses the message's sender over the default one, and the Messaging Service when configured", async () => {
    const provider = createTwilioProvider({ ...config, from: undefined, messagingServiceSid: 'MG00000000000000000000000000000002' });
    await provider.send(sms({ from: 'ACME' }));
    await provider.send(sms({ seq: 2, idempotencyKey: 'sending-1:2' }));

    expect(fake.accepted.map(({ from, messagingServiceSid }) => ({ from, messagingServiceSid }))).toEqual([
      { from: 'ACME', messagingServiceSid: 'MG00000000000000000000000000000002' },
      { from: null, messagingServiceSid: 'MG00000000000000000000000000000002' },
    ]);
  });

  it('authenticates with an API key', async () => {
    const provider = createTwilioProvider({
      ...config,
      authToken: undefined,
      apiKeySid: 'SK00000000000000000000000000000009',
      apiKeySecret: 'api-key-secret',
    });
    await expect(provider.send(sms())).resolves.toEqual({ status: 'sent', providerMessageId: 'SM00000000000000000000000000000001' });
    expect(fake.requests[0].headers.authorization).toBe(basic('SK00000000000000000000000000000009', 'api-key-secret'));
  });

  it("rejects the recipient with Twilio's code and message on a 4xx", async () => {
    fake.rejectNumber('+15005550001', 21211, "The 'To' number +15005550001 is not a valid phone number.");
    const result = await createTwilioProvider(config).send(sms({ to: '+15005550001' }));

    expect(result).toEqual({
      status: 'rejected',
      reason: "21211: The 'To' number +15005550001 is not a valid phone number.",
      code: '21211',
    });
    expect(fake.accepted).toHaveLength(0);
  });

  it('raises an account error on bad credentials (the sending pauses instead of failing the recipient), without repeating them', async () => {
    const error = await caught(createTwilioProvider({ ...config, authToken: 'wrong-token-123' }).send(sms()));
    expect(error).toBeInstanceOf(ProviderAccountError);
    expect(error).toMatchObject({ code: '20003', message: `Twilio (${fake.url}) refused the account: 20003: Authenticate` });
    expect(error.message).not.toContain('wrong-token');
    expect(fake.accepted).toHaveLength(0);
  });

  it('raises an account error for a sender the account may not use (21606), whatever the number', async () => {
    fake.rejectNumber(
      '+15005550002',
      21606,
      "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
    );
    const error = await caught(createTwilioProvider(config).send(sms({ to: '+15005550002' })));
    expect(error).toMatchObject({ name: 'ProviderAccountError', code: '21606' });
  });

  it('throws a retryable error on 429, honouring Retry-After, then sends on the next attempt', async () => {
    fake.failNext(1, 429, { retryAfterSeconds: 7 });
    const provider = createTwilioProvider(config);

    const error = await caught(provider.send(sms()));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error.message).toBe(`Twilio (${fake.url}) answered 429 Too Many Requests`);
    expect(error).toMatchObject({ retryAfterMs: 7000, outcomeUnknown: false });
    expect(error.message).not.toContain(fake.authToken);

    await expect(provider.send(sms())).resolves.toEqual({ status: 'sent', providerMessageId: 'SM00000000000000000000000000000001' });
    expect(fake.requests.map((r) => r.status)).toEqual([429, 201]);
  });

  it.each([
    [503, false],
    [500, true],
  ])('throws a retryable error on %i (outcome unknown: %p)', async (status, outcomeUnknown) => {
    fake.failNext(1, status);
    const error = await caught(createTwilioProvider(config).send(sms()));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ retryAfterMs: undefined, outcomeUnknown });
    expect(fake.accepted).toHaveLength(0);
  });

  it('throws a retryable error when Twilio cannot be reached', async () => {
    const port = await closedPort();
    const error = await caught(createTwilioProvider({ ...config, baseUrl: `http://127.0.0.1:${port}` }).send(sms()));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error.message).toBe(`Could not connect to Twilio (http://127.0.0.1:${port}) (ECONNREFUSED)`);
    expect(error).toMatchObject({ outcomeUnknown: false });
  });

  it('throws a retryable error with an unknown outcome on a time-out (the message may have gone out)', async () => {
    fake.setDelay(500);
    const error = await caught(createTwilioProvider({ ...config, timeoutMs: 100 }).send(sms()));
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error.message).toBe(`Twilio (${fake.url}) did not answer within 100 ms`);
    expect(error).toMatchObject({ outcomeUnknown: true });
    expect(fake.accepted).toHaveLength(1);
  });

  it.each<[string, Partial<TwilioConfig>, string]>([
    ['no auth token', { authToken: undefined }, 'Twilio needs the auth token, or an API key SID and secret.'],
    ['half an API key', { apiKeySid: 'SK1' }, 'Twilio API key authentication needs both the API key SID and its secret.'],
    ['no sender', { from: undefined }, 'Twilio needs a default sender: a From number (or alphanumeric id) or a Messaging Service SID.'],
    [
      'credentials in the base URL',
      { baseUrl: 'https://user:secret@api.twilio.com' },
      'The Twilio base URL must not contain a user name or password: pass credentials in headers instead.',
    ],
    [
      'a bad base URL',
      { baseUrl: 'api.twilio.com' },
      'The Twilio base URL is not a valid URL: give an absolute http(s) URL such as https://sms.example.com/messages.',
    ],
  ])('refuses a configuration with %s', (_case, change, message) => {
    expect(() => createTwilioProvider({ ...config, ...change })).toThrow(new ProviderConfigError(message));
  });
});
