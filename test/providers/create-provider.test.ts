import { createProvider, providerConfigFromEnv } from '../../worker/providers/create-provider';
import { ProviderConfigError } from '../../worker/providers/provider';
import { startFakeProvider } from '../support/fake-provider';

const outboxStore = { writeOutbox: async () => undefined };

function configError(env: NodeJS.ProcessEnv): ProviderConfigError {
  try {
    providerConfigFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderConfigError);
    return err as ProviderConfigError;
  }
  throw new Error('expected a ProviderConfigError');
}

describe('providerConfigFromEnv', () => {
  it('defaults to the outbox', () => {
    expect(providerConfigFromEnv({})).toEqual({ kind: 'outbox' });
    expect(providerConfigFromEnv({ SMS_PROVIDER: ' Outbox ' })).toEqual({ kind: 'outbox' });
  });

  it('reads the share of simulated undelivered receipts, 0 to 1, naming the variable when it is not one', () => {
    expect(providerConfigFromEnv({ SMS_OUTBOX_UNDELIVERED_SHARE: '0.05' })).toEqual({ kind: 'outbox', undeliveredShare: 0.05 });
    expect(providerConfigFromEnv({ SMS_OUTBOX_UNDELIVERED_SHARE: '1' })).toEqual({ kind: 'outbox', undeliveredShare: 1 });
    for (const bad of ['5%', '1.5', '-0.1', 'half']) {
      expect(() => providerConfigFromEnv({ SMS_OUTBOX_UNDELIVERED_SHARE: bad })).toThrow(
        `SMS_OUTBOX_UNDELIVERED_SHARE=${JSON.stringify(bad)} is not a share from 0 to 1: set it to e.g. 0.05`,
      );
    }
  });

  it('reads a complete Twilio configuration', () => {
    expect(
      providerConfigFromEnv({
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_FROM: '+14165550199',
        TWILIO_MESSAGING_SERVICE_SID: 'MG456',
        TWILIO_BASE_URL: 'http://127.0.0.1:9999',
        SMS_PROVIDER_TIMEOUT_MS: '5000',
      }),
    ).toEqual({
      kind: 'twilio',
      accountSid: 'AC123',
      authToken: 'token',
      from: '+14165550199',
      messagingServiceSid: 'MG456',
      baseUrl: 'http://127.0.0.1:9999',
      timeoutMs: 5000,
    });
  });

  it('reads Twilio API key credentials instead of the auth token', () => {
    expect(
      providerConfigFromEnv({
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_API_KEY_SID: 'SK1',
        TWILIO_API_KEY_SECRET: 's3cret',
        TWILIO_MESSAGING_SERVICE_SID: 'MG456',
      }),
    ).toEqual({ kind: 'twilio', accountSid: 'AC123', apiKeySid: 'SK1', apiKeySecret: 's3cret', messagingServiceSid: 'MG456' });
  });

  it('reads the HTTP configuration with its headers', () => {
    expect(
      providerConfigFromEnv({
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: 'https://sms.example.com/messages',
        SMS_HTTP_HEADERS: '{"Authorization":"Bearer abc","X-Tenant":"7"}',
      }),
    ).toEqual({ kind: 'http', url: 'https://sms.example.com/messages', headers: { Authorization: 'Bearer abc', 'X-Tenant': '7' } });
  });

  it.each<[string, NodeJS.ProcessEnv, string, string]>([
    [
      'an unknown provider',
      { SMS_PROVIDER: 'sendgrid' },
      'SMS_PROVIDER',
      'SMS_PROVIDER="sendgrid" is not a known provider: set SMS_PROVIDER to outbox (default), twilio or http.',
    ],
    [
      'no Twilio account',
      { SMS_PROVIDER: 'twilio', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1' },
      'TWILIO_ACCOUNT_SID',
      'TWILIO_ACCOUNT_SID is not set: SMS_PROVIDER=twilio needs it. Set TWILIO_ACCOUNT_SID to the Twilio account SID (starts with AC), from the Twilio console.',
    ],
    [
      'no Twilio auth token',
      { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_FROM: '+1' },
      'TWILIO_AUTH_TOKEN',
      "TWILIO_AUTH_TOKEN is not set: SMS_PROVIDER=twilio needs it. Set TWILIO_AUTH_TOKEN to the account's auth token (or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET).",
    ],
    [
      'an API key without its secret',
      { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_API_KEY_SID: 'SK1', TWILIO_FROM: '+1' },
      'TWILIO_API_KEY_SECRET',
      'TWILIO_API_KEY_SECRET is not set: SMS_PROVIDER=twilio needs it. Set TWILIO_API_KEY_SECRET to the secret of the API key given in TWILIO_API_KEY_SID.',
    ],
    [
      'no Twilio sender',
      { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '  ' },
      'TWILIO_FROM',
      'TWILIO_FROM is not set: SMS_PROVIDER=twilio needs it. Set TWILIO_FROM to the default sender (a Twilio number in E.164 or an alphanumeric id), or set TWILIO_MESSAGING_SERVICE_SID.',
    ],
    [
      'no HTTP URL',
      { SMS_PROVIDER: 'http' },
      'SMS_HTTP_URL',
      'SMS_HTTP_URL is not set: SMS_PROVIDER=http needs it. Set SMS_HTTP_URL to the URL that receives one JSON POST per message, e.g. https://sms.example.com/messages.',
    ],
    [
      'headers that are not JSON',
      { SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://x.example', SMS_HTTP_HEADERS: 'Authorization: Bearer top-secret' },
      'SMS_HTTP_HEADERS',
      'SMS_HTTP_HEADERS is not valid JSON: set it to a JSON object of header names to values, for example {"Authorization":"Bearer <token>"}.',
    ],
    [
      'headers that are not an object',
      { SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://x.example', SMS_HTTP_HEADERS: '["Bearer top-secret"]' },
      'SMS_HTTP_HEADERS',
      'SMS_HTTP_HEADERS must be a JSON object of header names to values, for example {"Authorization":"Bearer <token>"}.',
    ],
    [
      'a header value that is not text',
      { SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://x.example', SMS_HTTP_HEADERS: '{"X-Retries":3}' },
      'SMS_HTTP_HEADERS',
      'SMS_HTTP_HEADERS: the value of header "X-Retries" must be a string, for example {"Authorization":"Bearer <token>"}.',
    ],
    [
      'a bad time-out',
      { SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://x.example', SMS_PROVIDER_TIMEOUT_MS: '5s' },
      'SMS_PROVIDER_TIMEOUT_MS',
      'SMS_PROVIDER_TIMEOUT_MS="5s" is not a positive whole number of milliseconds: set it to e.g. 15000 or unset it.',
    ],
  ])('refuses %s, naming the variable', (_case, env, variable, message) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('top-secret');
  });
});

describe('createProvider', () => {
  it('builds each kind', () => {
    expect(createProvider({ kind: 'outbox' }, { outboxStore })).toMatchObject({ name: 'outbox', idempotent: true });
    expect(createProvider({ kind: 'twilio', accountSid: 'AC1', authToken: 't', from: '+1' }, { outboxStore })).toMatchObject({
      name: 'twilio',
      idempotent: false,
    });
    expect(createProvider({ kind: 'http', url: 'https://sms.example.com' }, { outboxStore })).toMatchObject({
      name: 'http',
      idempotent: true,
    });
  });

  it('refuses an HTTP URL that carries credentials', () => {
    expect(() => createProvider({ kind: 'http', url: 'https://user:pw@sms.example.com' }, { outboxStore })).toThrow(
      new ProviderConfigError('The HTTP provider URL must not contain a user name or password: pass credentials in headers instead.'),
    );
  });

  it('sends through providers configured from the environment', async () => {
    const fake = await startFakeProvider({ httpAuthorization: 'Bearer env-token' });
    try {
      const sms = { to: '+14165550100', from: null, body: 'Hi', idempotencyKey: 's:1', sendingId: 's', seq: 1 };
      const http = createProvider(
        providerConfigFromEnv({
          SMS_PROVIDER: 'http',
          SMS_HTTP_URL: fake.httpUrl,
          SMS_HTTP_HEADERS: '{"Authorization":"Bearer env-token"}',
        }),
        { outboxStore },
      );
      const twilio = createProvider(
        providerConfigFromEnv({
          SMS_PROVIDER: 'twilio',
          TWILIO_ACCOUNT_SID: fake.accountSid,
          TWILIO_AUTH_TOKEN: fake.authToken,
          TWILIO_FROM: '+14165550199',
          TWILIO_BASE_URL: fake.url,
        }),
        { outboxStore },
      );
      await expect(http.send(sms)).resolves.toEqual({ status: 'sent', providerMessageId: 'msg_1' });
      await expect(twilio.send(sms)).resolves.toEqual({ status: 'sent', providerMessageId: 'SM00000000000000000000000000000002' });
      expect(fake.accepted.map((m) => m.api)).toEqual(['http', 'twilio']);
    } finally {
      await fake.close();
    }
  });
});
