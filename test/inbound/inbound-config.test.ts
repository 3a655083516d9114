import { ConfigError, inboundSettingsFromEnv } from '../../worker/config';

const TOKEN = 'a-long-random-inbound-token-1234';

describe('inbound endpoint settings from the environment', () => {
  test('INBOUND_HTTP_PORT unset or empty: the endpoint is off', () => {
    expect(inboundSettingsFromEnv({})).toBeUndefined();
    expect(inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '', INBOUND_TOKEN: TOKEN })).toBeUndefined();
  });

  test('token mode, default host 127.0.0.1', () => {
    expect(inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', INBOUND_TOKEN: TOKEN })).toEqual({
      port: 8787,
      host: '127.0.0.1',
      token: TOKEN,
    });
  });

  test('Twilio mode reads TWILIO_AUTH_TOKEN and the public URL (trailing slash dropped)', () => {
    expect(
      inboundSettingsFromEnv({
        INBOUND_HTTP_PORT: '8787',
        INBOUND_HTTP_HOST: '0.0.0.0',
        TWILIO_AUTH_TOKEN: 'tw-token',
        INBOUND_PUBLIC_URL: 'https://sms.example.com/hooks/',
      }),
    ).toEqual({ port: 8787, host: '0.0.0.0', twilioAuthToken: 'tw-token', publicUrl: 'https://sms.example.com/hooks' });
  });

  test('SMS_HTTP_RECEIPT_SECRET alone opens the endpoint for signed receipts; a short one is refused without echoing it', () => {
    const secret = 'receipt-secret-0123456789';
    expect(inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', SMS_HTTP_RECEIPT_SECRET: ` ${secret} ` })).toEqual({
      port: 8787,
      host: '127.0.0.1',
      receiptSecret: secret,
    });
    const short = () => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', INBOUND_TOKEN: TOKEN, SMS_HTTP_RECEIPT_SECRET: 'short-one' });
    expect(short).toThrow(ConfigError);
    expect(short).toThrow(/^SMS_HTTP_RECEIPT_SECRET is too short \(9 characters\): use a random secret of at least 16 characters/);
    expect(short).not.toThrow(/short-one/);
  });

  test('no way to authenticate callers: refused, naming the variables', () => {
    const run = () => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/INBOUND_TOKEN.*TWILIO_AUTH_TOKEN with INBOUND_PUBLIC_URL.*Unset INBOUND_HTTP_PORT/);
  });

  test('bad values name the variable and the fix, never the secret', () => {
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: 'http', INBOUND_TOKEN: TOKEN })).toThrow(
      'INBOUND_HTTP_PORT="http" is not a TCP port',
    );
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '70000', INBOUND_TOKEN: TOKEN })).toThrow(/INBOUND_HTTP_PORT="70000"/);
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', INBOUND_TOKEN: 'short-secret' })).toThrow(
      /INBOUND_TOKEN is too short \(12 characters\)/,
    );
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', INBOUND_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', TWILIO_AUTH_TOKEN: 'tw-token' })).toThrow(
      /TWILIO_AUTH_TOKEN is set.*set INBOUND_PUBLIC_URL/,
    );
    expect(() => inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', TWILIO_AUTH_TOKEN: 'tw-token' })).not.toThrow(/tw-token/);
    expect(() =>
      inboundSettingsFromEnv({ INBOUND_HTTP_PORT: '8787', TWILIO_AUTH_TOKEN: 'tw', INBOUND_PUBLIC_URL: 'sms.example.com' }),
    ).toThrow(/INBOUND_PUBLIC_URL="sms.example.com" is not an http\(s\) URL/);
  });
});
