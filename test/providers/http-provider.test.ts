import { parseRetryAfter } from '../../worker/providers/http-call';
import { createHttpProvider } from '../../worker/providers/http-provider';
import type { HttpTransport } from '../../worker/providers/http-transport';
import { ProviderAccountError, ProviderConfigError, RetryableProviderError, type OutgoingSms } from '../../worker/providers/provider';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';

const sms = (overrides: Partial<OutgoingSms> = {}): OutgoingSms => ({
  to: '+33612345678',
  from: 'ACME',
  body: 'Bonjour Léa ! STOP au 36179',
  idempotencyKey: 'sending-7:3',
  sendingId: 'sending-7',
  seq: 3,
  ...overrides,
});

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

/** A transport that answers one canned response, for answers the fake provider does not give. */
const answering =
  (body: string, init: ResponseInit): HttpTransport =>
  async () =>
    new Response(body === '' ? null : body, init);

describe('HTTP provider', () => {
  let fake: FakeProvider;
  const authorization = 'Bearer test-token-abc';

  beforeAll(async () => {
    fake = await startFakeProvider({ httpAuthorization: authorization });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const provider = () => createHttpProvider({ url: fake.httpUrl, headers: { Authorization: authorization } });

  it('is idempotent', () => {
    expect(provider()).toMatchObject({ name: 'http', idempotent: true });
  });

  it('posts the message as JSON with the Idempotency-Key and configured headers', async () => {
    await expect(provider().send(sms())).resolves.toEqual({ status: 'sent', providerMessageId: 'msg_1' });

    const [request] = fake.requests;
    expect(request).toMatchObject({ api: 'http', method: 'POST', path: '/messages', status: 201, replayed: false });
    expect(request.headers['idempotency-key']).toBe('sending-7:3');
    expect(request.headers.authorization).toBe(authorization);
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      to: '+33612345678',
      from: 'ACME',
      body: 'Bonjour Léa ! STOP au 36179',
      idempotencyKey: 'sending-7:3',
      sendingId: 'sending-7',
    });
  });

  it('sends one message when the same key is sent twice', async () => {
    const first = await provider().send(sms());
    const second = await provider().send(sms());

    expect(second).toEqual(first);
    expect(fake.requests.map((r) => r.replayed)).toEqual([false, true]);
    expect(fake.accepted).toEqual([expect.objectContaining({ to: '+33612345678', idempotencyKey: 'sending-7:3', sendingId: 'sending-7' })]);
  });

  it('throws a retryable error on 503 and 429, and a retry with the same key sends once', async () => {
    fake.failNext(2, 503, { retryAfterSeconds: 2 });
    const first = await caught(provider().send(sms()));
    const second = await caught(provider().send(sms()));
    const third = await provider().send(sms());

    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(RetryableProviderError);
      expect(error.message).toBe(`the HTTP provider (${fake.url}) answered 503 Service Unavailable`);
      expect(error).toMatchObject({ retryAfterMs: 2000, outcomeUnknown: false });
    }
    expect(third).toEqual({ status: 'sent', providerMessageId: 'msg_1' });
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 201]);
    expect(fake.accepted).toHaveLength(1);

    fake.failNext(1, 429);
    expect(await caught(provider().send(sms({ idempotencyKey: 'sending-7:4', seq: 4 })))).toMatchObject({
      message: `the HTTP provider (${fake.url}) answered 429 Too Many Requests`,
      retryAfterMs: undefined,
    });
  });

  it("rejects the recipient with the endpoint's error on a 4xx", async () => {
    fake.rejectNumber('+33600000000', 30007, 'Number is blocked by the carrier', 422);
    const result = await provider().send(sms({ to: '+33600000000' }));
    expect(result).toEqual({ status: 'rejected', reason: 'HTTP 422: Number is blocked by the carrier', code: '30007' });
  });

  it('raises an account error on bad credentials (the sending pauses instead of failing the recipient), without repeating them', async () => {
    const error = await caught(createHttpProvider({ url: fake.httpUrl, headers: { Authorization: 'Bearer wrong' } }).send(sms()));
    expect(error).toBeInstanceOf(ProviderAccountError);
    expect(error.message).toBe(`the HTTP provider (${fake.url}) refused the account: HTTP 401: Unauthorized`);
    expect(error.message).not.toContain('wrong');
  });

  it('never shows the path or query of the URL (it may hold a token) in errors', async () => {
    fake.failNext(1, 503);
    const error = await caught(
      createHttpProvider({ url: `${fake.httpUrl}?token=secret-in-query`, headers: { Authorization: authorization } }).send(sms()),
    );
    expect(error.message).toBe(`the HTTP provider (${fake.url}) answered 503 Service Unavailable`);
  });

  it.each<[string, string, ResponseInit, { status: string; [key: string]: string }]>([
    ['an empty 204', '', { status: 204 }, { status: 'sent', providerMessageId: 'sending-7:3' }],
    ['a messageId', '{"messageId":"abc-1"}', { status: 200 }, { status: 'sent', providerMessageId: 'abc-1' }],
    ['a numeric id', '{"id":42}', { status: 202 }, { status: 'sent', providerMessageId: '42' }],
    ['a non-JSON 200', 'OK', { status: 200 }, { status: 'sent', providerMessageId: 'sending-7:3' }],
    ['a 400 with message', '{"message":"to is not E.164"}', { status: 400 }, { status: 'rejected', reason: 'HTTP 400: to is not E.164' }],
    [
      'a 400 with error.message',
      '{"error":{"message":"quota exceeded"}}',
      { status: 400 },
      { status: 'rejected', reason: 'HTTP 400: quota exceeded' },
    ],
  ])('reads %s', async (_case, body, init, expected) => {
    const result = await createHttpProvider({ url: 'https://sms.example.com/send' }, { transport: answering(body, init) }).send(sms());
    expect(result).toEqual(expected);
  });

  it.each<[string, string, ResponseInit, string | undefined]>([
    ['a 403 without body', '', { status: 403, statusText: 'Forbidden' }, undefined],
    ['a 400 with an account code', '{"error":"account suspended","code":20005}', { status: 400 }, '20005'],
  ])('reads %s as a refusal of the account', async (_case, body, init, code) => {
    const error = await caught(
      createHttpProvider({ url: 'https://sms.example.com/send' }, { transport: answering(body, init) }).send(sms()),
    );
    expect(error).toBeInstanceOf(ProviderAccountError);
    expect((error as ProviderAccountError).code).toBe(code);
  });

  it('retries on 409 (a request with this key is still in progress)', async () => {
    const error = await caught(
      createHttpProvider(
        { url: 'https://sms.example.com/send' },
        { transport: answering('', { status: 409, statusText: 'Conflict' }) },
      ).send(sms()),
    );
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error.message).toBe('the HTTP provider (https://sms.example.com) answered 409 Conflict');
  });
});

describe('HTTP provider with a request that cannot be built', () => {
  it('fails with a configuration error that does not quote the header value', async () => {
    const provider = createHttpProvider({ url: 'https://sms.example.com/send', headers: { Authorization: 'Bearer secret\nvalue' } });
    const error = await caught(provider.send(sms()));
    expect(error).toBeInstanceOf(ProviderConfigError);
    expect(error.message).toBe(
      'Could not build the request to the HTTP provider (https://sms.example.com) (TypeError): check the configured URL and headers.',
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T10:00:00Z');
  it.each<[string | null, number | undefined]>([
    ['7', 7000],
    ['0.5', 500],
    ['Fri, 01 May 2026 10:00:30 GMT', 30_000],
    ['Fri, 01 May 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%p → %p ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
