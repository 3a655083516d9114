import { isValidTwilioSignature, jsonBodySignatureProblem, twilioSignature } from '../../worker/inbound/twilio-signature';

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
    const params: [string, string][] = [
      ['Body', 'Arrêt'],
      ['From', '+33612345678'],
    ];
    const signature = twilioSignature('secret', 'https://sms.example.com/inbound/acme', params);
    expect(isValidTwilioSignature('secret', signature, 'https://sms.example.com/inbound/acme', params)).toBe(true);
    expect(
      isValidTwilioSignature('secret', signature, 'https://sms.example.com/inbound/acme', [
        ['Body', 'Arret'],
        ['From', '+33612345678'],
      ]),
    ).toBe(false);
  });
});

// The JSON-body vector of Twilio's own helper library tests (twilio-node, validateRequestWithBody): the
// signature is over the URL alone, which carries the body's SHA-256 (hex) as bodySHA256.
describe('Twilio request signature over a JSON body', () => {
  const JSON_BODY = Buffer.from('{"property": "value", "boolean": true}');
  const JSON_URL =
    'https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
  const JSON_SIGNATURE = 'a9nBmqA0ju/hNViExpshrM61xv4=';

  test("Twilio's vector is covered", () => {
    expect(twilioSignature(AUTH_TOKEN, JSON_URL, [])).toBe(JSON_SIGNATURE);
    expect(jsonBodySignatureProblem(AUTH_TOKEN, JSON_SIGNATURE, JSON_URL, JSON_BODY)).toBeNull();
  });

  test('another body under the same URL and signature is refused', () => {
    expect(jsonBodySignatureProblem(AUTH_TOKEN, JSON_SIGNATURE, JSON_URL, Buffer.from('{"property": "value", "boolean": false}'))).toBe(
      'bodyHashMismatch',
    );
    expect(jsonBodySignatureProblem(AUTH_TOKEN, JSON_SIGNATURE, JSON_URL, Buffer.from(`${JSON_BODY.toString()} `))).toBe(
      'bodyHashMismatch',
    );
  });

  test('a URL without bodySHA256 (or with two) covers no body, even with a valid signature over the URL', () => {
    expect(jsonBodySignatureProblem(AUTH_TOKEN, twilioSignature(AUTH_TOKEN, URL_, []), URL_, JSON_BODY)).toBe('noBodyHash');
    const twice = `${JSON_URL}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`;
    expect(jsonBodySignatureProblem(AUTH_TOKEN, twilioSignature(AUTH_TOKEN, twice, []), twice, JSON_BODY)).toBe('noBodyHash');
  });

  test('a signature that is not over this URL is refused before the body is looked at', () => {
    expect(jsonBodySignatureProblem('54321', JSON_SIGNATURE, JSON_URL, JSON_BODY)).toBe('signature');
    expect(jsonBodySignatureProblem(AUTH_TOKEN, undefined, JSON_URL, JSON_BODY)).toBe('signature');
    const notHex = 'https://mycompany.com/myapp.php?bodySHA256=not-a-hash';
    expect(jsonBodySignatureProblem(AUTH_TOKEN, twilioSignature(AUTH_TOKEN, notHex, []), notHex, JSON_BODY)).toBe('bodyHashMismatch');
  });
});
