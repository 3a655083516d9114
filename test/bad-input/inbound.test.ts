/**
 * Bad-input catalogue, inbound opt-out endpoint (issue 14): each row is a hostile or malformed request,
 * the answer it gets (status and a clear error naming the field or the proof and the fix), and a check
 * that nothing changed: the kill list, the record of applied replies and the contacts are as before,
 * and the error never echoes a number or a secret. Real HTTP, SQLite and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import type { Directory } from '../../worker/directory/directory';
import { startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { twilioSignature } from '../../worker/inbound/twilio-signature';
import { STORES } from '../support/directories';
import { seedAcme } from '../support/seed';
import { newMessageSid, openInboundTestDirectory, twilioInbound, type InboundTestDirectory } from '../inbound/inbound-support';

const TWILIO_AUTH_TOKEN = 'twilio-auth-token-for-tests';
const PUBLIC_URL = 'https://sms.example.com';
const INBOUND_TOKEN = 'inbound-shared-token-0123456789';
const BEN = '+15145550102';
const json = { 'Content-Type': 'application/json' };
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
const bearer = { Authorization: `Bearer ${INBOUND_TOKEN}` };

interface Request {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sign = (target: string, params: [string, string][] = []) => twilioSignature(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}${target}`, params);
/** Twilio's form webhook, signed over the parameters as given (`tamper` changes the body after signing). */
function signedForm(params: Record<string, string>, tamper?: (body: URLSearchParams) => void): Request {
  const body = new URLSearchParams(params);
  const signature = sign('/inbound/acme', [...body]);
  tamper?.(body);
  return { path: '/inbound/acme', headers: { ...form, 'X-Twilio-Signature': signature }, body: body.toString() };
}
/** A JSON body with a Twilio signature over `target` (which may carry bodySHA256). */
const signedJson = (target: string, body: string): Request => ({
  path: target,
  headers: { ...json, 'X-Twilio-Signature': sign(target) },
  body,
});
const tokenJson = (body: unknown): Request => ({
  path: '/inbound/acme',
  headers: { ...json, ...bearer },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const tokenForm = (body: string): Request => ({ path: '/inbound/acme', headers: { ...form, ...bearer }, body });
const stopFromBen = JSON.stringify({ id: 'SM-json-1', from: BEN, body: 'STOP' });

/** [hostile input, expected status, expected error, the request]. */
const ROWS: [string, number, RegExp, () => Request][] = [
  // Who may post
  [
    'no credentials',
    401,
    /^Not authenticated: send a valid X-Twilio-Signature .* or the shared token/,
    () => ({ path: '/inbound/acme', headers: json, body: stopFromBen }),
  ],
  [
    'a wrong bearer token',
    401,
    /^Not authenticated/,
    () => ({ path: '/inbound/acme', headers: { ...json, Authorization: `Bearer ${INBOUND_TOKEN}x` }, body: stopFromBen }),
  ],
  [
    'the token under another scheme (Basic)',
    401,
    /^Not authenticated/,
    () => ({ path: '/inbound/acme', headers: { ...json, Authorization: `Basic ${INBOUND_TOKEN}` }, body: stopFromBen }),
  ],
  ['a wrong ?token=', 401, /^Not authenticated/, () => ({ path: '/inbound/acme?token=guess', headers: json, body: stopFromBen })],
  [
    'a Twilio signature made with another auth token',
    401,
    /^Not authenticated: send a valid X-Twilio-Signature/,
    () => {
      const params = twilioInbound(BEN, 'STOP');
      return {
        path: '/inbound/acme',
        headers: {
          ...form,
          'X-Twilio-Signature': twilioSignature('not-the-auth-token', `${PUBLIC_URL}/inbound/acme`, Object.entries(params)),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
  ],
  [
    'a Twilio signature for another project',
    401,
    /^Not authenticated/,
    () => {
      const params = twilioInbound(BEN, 'STOP');
      return {
        path: '/inbound/acme',
        headers: { ...form, 'X-Twilio-Signature': sign('/inbound/other', Object.entries(params)) },
        body: new URLSearchParams(params).toString(),
      };
    },
  ],
  [
    'a signed form whose From was changed after signing',
    401,
    /^Not authenticated/,
    () => signedForm(twilioInbound('+15145550101', 'hello'), (b) => b.set('From', BEN)),
  ],
  [
    'a signed form with a parameter added after signing',
    401,
    /^Not authenticated/,
    () => signedForm(twilioInbound(BEN, 'hello'), (b) => b.append('OptOutType', 'STOP')),
  ],
  [
    'a signature that is not base64',
    401,
    /^Not authenticated/,
    () => ({
      path: '/inbound/acme',
      headers: { ...form, 'X-Twilio-Signature': '%%%' },
      body: new URLSearchParams(twilioInbound(BEN, 'STOP')).toString(),
    }),
  ],
  [
    'a JSON body under a signature of the URL alone',
    401,
    /^X-Twilio-Signature does not cover this JSON body: .*bodySHA256/,
    () => signedJson('/inbound/acme', stopFromBen),
  ],
  [
    'a JSON body whose bodySHA256 is for another body',
    401,
    /^The body is not the one Twilio signed/,
    () =>
      signedJson(
        `/inbound/acme?bodySHA256=${sha256(JSON.stringify({ id: 'SM-json-1', from: '+15145550101', body: 'STOP' }))}`,
        stopFromBen,
      ),
  ],
  [
    'bodySHA256 given twice',
    401,
    /^X-Twilio-Signature does not cover this JSON body: .*\(or has it twice\)/,
    () => signedJson(`/inbound/acme?bodySHA256=${sha256(stopFromBen)}&bodySHA256=${sha256(stopFromBen)}`, stopFromBen),
  ],
  [
    'bodySHA256 that is not hexadecimal',
    401,
    /^The body is not the one Twilio signed/,
    () => signedJson('/inbound/acme?bodySHA256=zz', stopFromBen),
  ],
  [
    'a text body under a signature of the URL alone',
    401,
    /^X-Twilio-Signature covers only a form-encoded body/,
    () => ({ path: '/inbound/acme', headers: { 'Content-Type': 'text/plain', 'X-Twilio-Signature': sign('/inbound/acme') }, body: 'STOP' }),
  ],
  // Where and how
  ['GET instead of POST', 405, /^Use POST \/inbound\/<projectId> \(not GET\)\./, () => ({ path: '/inbound/acme', method: 'GET' })],
  [
    'PUT instead of POST',
    405,
    /^Use POST/,
    () => ({ path: '/inbound/acme', method: 'PUT', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'another path',
    404,
    /^Not found: post inbound messages to \/inbound\/<projectId>\./,
    () => ({ path: '/admin', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'a sub-path of a project',
    404,
    /^Not found/,
    () => ({ path: '/inbound/acme/extra', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'an unknown project',
    404,
    /^Unknown project "nope": post to \/inbound\/<projectId> with the id of an existing project/,
    () => ({ path: '/inbound/nope', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'a path-traversal project id',
    404,
    /^Unknown project "\.\.\/\.\.\/etc\/passwd"/,
    () => ({ path: '/inbound/..%2F..%2Fetc%2Fpasswd', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'a project id with a NUL byte (PostgreSQL refuses NUL: it was a 500)',
    404,
    /^Not found/,
    () => ({ path: '/inbound/acme%00', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'broken percent-encoding in the project id',
    404,
    /^Not found/,
    () => ({ path: '/inbound/%E0%A4%A', headers: { ...json, ...bearer }, body: stopFromBen }),
  ],
  [
    'a body over 64 KiB',
    413,
    /^The body is larger than 64 KiB: post one inbound message per request\./,
    () => tokenJson({ from: BEN, body: 'x'.repeat(70 * 1024) }),
  ],
  [
    'a text/plain body',
    415,
    /^Unsupported body \(Content-Type "text\/plain"\)/,
    () => ({ path: '/inbound/acme', headers: { 'Content-Type': 'text/plain', ...bearer }, body: 'STOP' }),
  ],
  [
    'no Content-Type',
    415,
    /^Unsupported body \(no Content-Type\)/,
    () => ({ path: '/inbound/acme', headers: bearer, body: Buffer.from(stopFromBen) }),
  ],
  [
    'a multipart body',
    415,
    /^Unsupported body \(Content-Type "multipart\/form-data"\)/,
    () => ({ path: '/inbound/acme', headers: { 'Content-Type': 'multipart/form-data; boundary=x', ...bearer }, body: '--x--' }),
  ],
  // JSON fields
  ['JSON that does not parse', 400, /^The body is not valid JSON: send \{"from"/, () => tokenJson('{from:')],
  ['a JSON array', 400, /^The body must be a JSON object/, () => tokenJson([{ from: BEN, body: 'STOP' }])],
  ['JSON null', 400, /^The body must be a JSON object/, () => tokenJson('null')],
  ['no "from"', 400, /^"from" is missing: give the sender's number/, () => tokenJson({ body: 'STOP' })],
  [
    '"from" smuggled through __proto__',
    400,
    /^"from" is missing/,
    () => tokenJson('{"__proto__": {"from": "+15145550102", "body": "STOP"}}'),
  ],
  ['"from" as a number', 400, /^"from" must be a string/, () => tokenJson({ from: 15145550102, body: 'STOP' })],
  ['"from" as a list', 400, /^"from" must be a string/, () => tokenJson({ from: [BEN], body: 'STOP' })],
  [
    '"from" that is a word',
    400,
    /^"from" is not a usable phone number: Not a phone number \(it has no digits\)\. Give the sender's number in E\.164/,
    () => tokenJson({ from: 'STOP', body: 'STOP' }),
  ],
  ['"from" that is too short', 400, /^"from" is not a usable phone number/, () => tokenJson({ from: '+1 555 12', body: 'STOP' })],
  [
    '"from" of 5,000 digits',
    400,
    /^"from" is not a usable phone number: Too long for a CA number\./,
    () => tokenJson({ from: '5'.repeat(5000), body: 'STOP' }),
  ],
  ['no "body"', 400, /^"body" is missing: give the text of the reply/, () => tokenJson({ from: BEN })],
  ['"body" as an object', 400, /^"body" must be a string/, () => tokenJson({ from: BEN, body: { text: 'STOP' } })],
  [
    '"id" as an object',
    400,
    /^"id" must be a string: the provider's id of the message/,
    () => tokenJson({ id: { sid: 'SM1' }, from: BEN, body: 'STOP' }),
  ],
  [
    '"id" with a control character',
    400,
    /^"id" is not a message id: give the provider's id as it sent it \(1 to 200 visible characters\)\./,
    () => tokenJson({ id: 'SM1\u0000', from: BEN, body: 'STOP' }),
  ],
  ['"id" of 201 characters', 400, /^"id" is not a message id/, () => tokenJson({ id: 'S'.repeat(201), from: BEN, body: 'STOP' })],
  ['"id" of spaces', 400, /^"id" is not a message id/, () => tokenJson({ id: '   ', from: BEN, body: 'STOP' })],
  [
    '"sentAt" in words',
    400,
    /^"sentAt" must be the time the provider received the reply, in ISO 8601 with a time zone/,
    () => tokenJson({ from: BEN, body: 'STOP', sentAt: 'yesterday' }),
  ],
  ['"sentAt" without a time zone', 400, /^"sentAt" must be/, () => tokenJson({ from: BEN, body: 'START', sentAt: '2025-05-14T09:30:00' })],
  ['"sentAt" on 30 February', 400, /^"sentAt" must be/, () => tokenJson({ from: BEN, body: 'START', sentAt: '2025-02-30T09:30:00Z' })],
  ['"sentAt" as epoch milliseconds', 400, /^"sentAt" must be/, () => tokenJson({ from: BEN, body: 'START', sentAt: 1747215000000 })],
  [
    '"sentAt" a day ahead (would order every later START before it)',
    400,
    /^"sentAt" is more than 5 minutes ahead of this server's clock/,
    () => tokenJson({ from: BEN, body: 'STOP', sentAt: new Date(Date.now() + 86_400_000).toISOString() }),
  ],
  // Form fields
  [
    'a signed form without From',
    400,
    /^"From" is missing: post the inbound message webhook parameters/,
    () => signedForm(Object.fromEntries(Object.entries(twilioInbound(BEN, 'STOP')).filter(([k]) => k !== 'From'))),
  ],
  [
    'a signed form without MessageSid',
    400,
    /^"MessageSid" is missing: a Twilio-signed message must carry its MessageSid/,
    () => signedForm(Object.fromEntries(Object.entries(twilioInbound(BEN, 'STOP')).filter(([k]) => !/Sid$/.test(k) || k === 'AccountSid'))),
  ],
  [
    'From given twice',
    400,
    /^"From" is given 2 times: post each inbound message parameter once/,
    () => tokenForm(`From=%2B15145550101&From=${encodeURIComponent(BEN)}&Body=STOP`),
  ],
  ['Body given twice', 400, /^"Body" is given 2 times/, () => tokenForm(`From=${encodeURIComponent(BEN)}&Body=hello&Body=STOP`)],
  [
    'MessageSid given twice',
    400,
    /^"MessageSid" is given 2 times/,
    () => tokenForm(`From=${encodeURIComponent(BEN)}&Body=STOP&MessageSid=SM1&MessageSid=SM2`),
  ],
  [
    'From of invisible characters only',
    400,
    /^"From" is not a usable phone number: Not a phone number \(it has no digits\)/,
    () => tokenForm(`From=${encodeURIComponent('\u200f\u200b')}&Body=STOP`),
  ],
];

describe.each(STORES)('bad-input catalogue: inbound endpoint (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;
  const logs: string[] = [];

  const state = async () => ({
    killList: await fresh.killList('acme'),
    applied: await fresh.rows('SELECT message_id, e164, outcome FROM inbound_messages ORDER BY id', []),
    contacts: await fresh.rows('SELECT external_id, sms_e164, sms_status FROM contacts ORDER BY id', []),
  });

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await seedAcme(directory);
    server = await startInboundServer({
      directory,
      port: 0,
      twilioAuthToken: TWILIO_AUTH_TOKEN,
      publicUrl: PUBLIC_URL,
      token: INBOUND_TOKEN,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await fresh?.close();
  });

  test.each(ROWS)('%s → %d', async (_what, status, error, build) => {
    const before = await state();
    const request = build();
    const response = await fetch(`${server.url}${request.path}`, {
      method: request.method ?? 'POST',
      headers: request.headers ?? {},
      body: request.body,
    });
    const text = await response.text();
    expect({ status: response.status, contentType: response.headers.get('content-type') }).toEqual({
      status,
      contentType: 'application/json; charset=utf-8',
    });
    expect(JSON.parse(text).error).toMatch(error);
    for (const secret of [TWILIO_AUTH_TOKEN, INBOUND_TOKEN, '5145550102', '5145550101']) expect(text).not.toContain(secret);
    expect(await state()).toEqual(before);
  });

  test('the catalogue is what it says: a well-formed request through the same helpers is accepted', async () => {
    const sid = newMessageSid();
    const signedJsonOk = { id: sid, from: '+14385550103', body: 'STOP' };
    const text = JSON.stringify(signedJsonOk);
    const request = signedJson(`/inbound/acme?bodySHA256=${sha256(text)}`, text);
    const response = await fetch(`${server.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { recorded: 'optOut' } });
    expect(await fresh.killList('acme')).toContainEqual({ e164: '+14385550103', source: 'inbound:STOP' });
  });

  test('no refusal put a number, a message text or a secret in the log', () => {
    const all = logs.join('\n');
    expect(all.match(/\[inbound\] 4\d\d /g)?.length).toBeGreaterThanOrEqual(ROWS.length);
    for (const secret of [TWILIO_AUTH_TOKEN, INBOUND_TOKEN, '5145550102', '5145550101', '55555']) expect(all).not.toContain(secret);
  });
});
