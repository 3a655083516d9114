import { isValidTwilioSignature, twilioSignature } from '../../worker/inbound/twilio-signature';

// Twilio's documented example ("Webhooks security"): URL, auth token, POST parameters and the signature Twilio sends.
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const AUTH_TOKEN = '12345';
const PARAMS: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+12349013030'],
  ['Digits', '1234'],
  ['From', '+12349013030'],
  ['To', '+18005551212'],
];
const EXPECTED = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('Twilio request signature', () => {
  test("Twilio's documented vector", () => {
    expect(twilioSignature(AUTH_TOKEN, URL_, PARAMS)).toBe(EXPECTED);
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, URL_, PARAMS)).toBe(true);
  });

  test('parameters are sorted by name whatever the order they arrive in', () => {
    expect(twilioSignature(AUTH_TOKEN, URL_, [...PARAMS].reverse())).toBe(EXPECTED);
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, URL_, new Map(PARAMS.slice().reverse()))).toBe(true);
  });

  test('the URL matches with or without the default port (proxies add or drop :443)', () => {
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS)).toBe(true);
    const signedWithPort = twilioSignature(AUTH_TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', PARAMS);
    expect(isValidTwilioSignature(AUTH_TOKEN, signedWithPort, URL_, PARAMS)).toBe(true);
    // Another port is another URL.
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', PARAMS)).toBe(false);
  });

  test('anything changed is refused: a parameter, the URL, the token, the signature', () => {
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, URL_, [...PARAMS.slice(0, 4), ['To', '+18005551213']])).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, URL_, [...PARAMS, ['Body', 'STOP']])).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, 'https://mycompany.com/myapp.php?foo=1&bar=3', PARAMS)).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, EXPECTED, 'http://mycompany.com/myapp.php?foo=1&bar=2', PARAMS)).toBe(false);
    expect(isValidTwilioSignature('54321', EXPECTED, URL_, PARAMS)).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, '1/KCTR6DLpKmkAf8muzZqo1nDgQ=', URL_, PARAMS)).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, 'short', URL_, PARAMS)).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, '', URL_, PARAMS)).toBe(false);
    expect(isValidTwilioSignature(AUTH_TOKEN, undefined, URL_, PARAMS)).toBe(false);
    expect(isValidTwilioSignature('', EXPECTED, URL_, PARAMS)).toBe(false);
  });

  test('non-ASCII values are signed as UTF-8', () => {
    const params: [string, string][] = [['Body', 'Arrêt'], ['From', '+33612345678']];
    const signature = twilioSignature('secret', 'https://sms.example.com/inbound/acme', params);
    expect(isValidTwilioSignature('secret', signature, 'https://sms.example.com/inbound/acme', params)).toBe(true);
    expect(isValidTwilioSignature('secret', signature, 'https://sms.example.com/inbound/acme', [['Body', 'Arret'], ['From', '+33612345678']])).toBe(false);
  });
});
