/** The inbound opt-out endpoint over real HTTP, with the directory on SQLite and on PostgreSQL. */
import { request } from 'node:http';
import type { AudienceSelection } from '../../domain/types';
import { ConfigError } from '../../worker/config';
import type { Directory } from '../../worker/directory/directory';
import { EMPTY_TWIML, startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { twilioSignature } from '../../worker/inbound/twilio-signature';
import { STORES } from '../support/directories';
import { seedAcme } from '../support/seed';
import { openInboundTestDirectory, postJson, postTwilio, twilioInbound, type InboundTestDirectory } from './inbound-support';

const TWILIO_AUTH_TOKEN = 'twilio-auth-token-for-tests';
const PUBLIC_URL = 'https://sms.example.com/hooks';
const INBOUND_TOKEN = 'inbound-shared-token-0123456789';
const signing = { authToken: TWILIO_AUTH_TOKEN, publicUrl: PUBLIC_URL };
const everyone: AudienceSelection = { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

// seedAcme: c1 +15145550101, c2 +15145550102, c3 +14385550103 can receive; c6 +14385550106 is already on the kill list.
const ANA = '+15145550101';
const BEN = '+15145550102';

describe.each(STORES)('inbound opt-out endpoint (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;
  const logs: string[] = [];
  const optedOut = async () => (await directory.countAudience(everyone)).excluded.optedOut;

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

  test('a Twilio-signed STOP puts the sender on the kill list; START takes it off', async () => {
    expect(await optedOut()).toBe(1);
    const stopMessage = twilioInbound(ANA, 'Stop.');
    const stop = await postTwilio(server.url, '/inbound/acme', stopMessage, signing);
    expect(stop).toMatchObject({ status: 200, text: EMPTY_TWIML });
    expect(stop.contentType).toMatch(/^text\/xml/);
    expect(await optedOut()).toBe(2);
    expect(await fresh.killList('acme')).toContainEqual({ e164: ANA, source: 'inbound:STOP' });

    // Twilio may deliver the same message twice, and the person may write STOP twice: nothing changes.
    expect((await postTwilio(server.url, '/inbound/acme', stopMessage, signing)).status).toBe(200);
    expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'STOP'), signing)).status).toBe(200);
    expect(await optedOut()).toBe(2);

    const start = await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'start'), signing);
    expect(start).toMatchObject({ status: 200, text: EMPTY_TWIML });
    expect(await optedOut()).toBe(1);
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(ANA);
  });

  test('a message that is not a keyword records nothing and still answers 200 (no provider retry)', async () => {
    for (const body of ['STOP please', 'Thanks, see you Friday', '']) {
      expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, body), signing)).status).toBe(200);
    }
    expect(await optedOut()).toBe(1);
  });

  test("Twilio's OptOutType (Advanced Opt-Out custom keyword) is honoured", async () => {
    const custom = await postTwilio(server.url, '/inbound/acme', twilioInbound(BEN, 'ALTO', { OptOutType: 'STOP' }), signing);
    expect(custom.status).toBe(200);
    expect(await fresh.killList('acme')).toContainEqual({ e164: BEN, source: 'inbound:OptOutType=STOP' });
    await postTwilio(server.url, '/inbound/acme', twilioInbound(BEN, 'VUELVO', { OptOutType: 'START' }), signing);
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(BEN);
  });

  test('a bad or missing signature is refused with 401 and records nothing', async () => {
    const forged = await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'STOP'), {
      ...signing,
      authToken: 'not-the-auth-token',
    });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.text).error).toMatch(/X-Twilio-Signature.*INBOUND_PUBLIC_URL/);
    expect(forged.text).not.toContain(TWILIO_AUTH_TOKEN);
    expect(forged.text).not.toContain(INBOUND_TOKEN);
    // Signed for another URL (e.g. INBOUND_PUBLIC_URL not what Twilio calls).
    expect(
      (
        await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'STOP'), {
          ...signing,
          publicUrl: 'https://elsewhere.example.com',
        })
      ).status,
    ).toBe(401);
    // A parameter changed after signing (Body "hello" signed, "STOP" sent).
    const signature = twilioSignature(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}/inbound/acme`, Object.entries(twilioInbound(BEN, 'hello')));
    expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(BEN, 'STOP'), { ...signing, signature })).status).toBe(401);
    // No credentials at all.
    expect((await postJson(server.url, '/inbound/acme', { from: BEN, body: 'STOP' })).status).toBe(401);
    expect(await fresh.killList('acme')).toEqual([{ e164: '+14385550106', source: 'test' }]);
  });

  test('token mode: Bearer header or ?token=, JSON in and out, local-format numbers read with the project country', async () => {
    const bearer = { Authorization: `Bearer ${INBOUND_TOKEN}` };
    const out = await postJson(server.url, '/inbound/acme', { from: '(514) 555-0102', body: 'ARRÊT' }, bearer);
    expect(out.status).toBe(200);
    expect(out.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(out.text)).toEqual({ recorded: 'optOut' });
    expect(await fresh.killList('acme')).toContainEqual({ e164: BEN, source: 'inbound:ARRET' });

    const ignored = await postJson(server.url, `/inbound/acme?token=${INBOUND_TOKEN}`, { from: BEN, body: 'who is this?' });
    expect(JSON.parse(ignored.text)).toEqual({ recorded: 'ignored' });
    const back = await postJson(server.url, `/inbound/acme?token=${encodeURIComponent(INBOUND_TOKEN)}`, { from: BEN, body: 'UNSTOP' });
    expect(JSON.parse(back.text)).toEqual({ recorded: 'optIn' });
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(BEN);

    const wrong = await postJson(server.url, '/inbound/acme', { from: BEN, body: 'STOP' }, { Authorization: `Bearer ${INBOUND_TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="inbound"');
    expect((await postJson(server.url, '/inbound/acme?token=nope', { from: BEN, body: 'STOP' })).status).toBe(401);
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(BEN);

    // A form post authenticated by the token (e.g. curl -d From=+1514…, the + unencoded) is read like Twilio's.
    const curl = await fetch(`${server.url}/inbound/acme`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...bearer },
      body: `From=${BEN}&Body=STOP`,
    });
    expect(curl.status).toBe(200);
    expect(await fresh.killList('acme')).toContainEqual({ e164: BEN, source: 'inbound:STOP' });
    await postJson(server.url, '/inbound/acme', { from: BEN, body: 'START' }, bearer);
  });

  test('unknown project: 404 naming it, nothing recorded', async () => {
    const answer = await postTwilio(server.url, '/inbound/nope', twilioInbound(ANA, 'STOP'), signing);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text).error).toMatch(/Unknown project "nope"/);
    expect(await fresh.killList('nope')).toEqual([]);
  });

  test('bad input: 400 naming the field and the fix, never echoing the number', async () => {
    const bearer = { Authorization: `Bearer ${INBOUND_TOKEN}` };
    const params = twilioInbound(ANA, 'STOP');
    delete (params as Partial<typeof params>).From;
    const noFrom = await postTwilio(server.url, '/inbound/acme', params, signing);
    expect(noFrom.status).toBe(400);
    expect(JSON.parse(noFrom.text).error).toMatch(/^"From" is missing/);

    const noJsonFrom = await postJson(server.url, '/inbound/acme', { body: 'STOP' }, bearer);
    expect(noJsonFrom.status).toBe(400);
    expect(JSON.parse(noJsonFrom.text).error).toMatch(/^"from" is missing: give the sender's number/);

    const badNumber = await postTwilio(server.url, '/inbound/acme', twilioInbound('+1 555 12', 'STOP'), signing);
    expect(badNumber.status).toBe(400);
    expect(JSON.parse(badNumber.text).error).toMatch(
      /^"From" is not a usable phone number: .* Give the sender's number in E\.164 .* local format of CA\./,
    );
    expect(badNumber.text).not.toContain('555 12');

    expect((await postJson(server.url, '/inbound/acme', { from: ANA }, bearer)).status).toBe(400);
    expect((await postJson(server.url, '/inbound/acme', { from: 15145550101, body: 'STOP' }, bearer)).status).toBe(400);
    const notJson = await postJson(server.url, '/inbound/acme', '{from:', bearer);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text).error).toMatch(/not valid JSON/);

    const text = await fetch(`${server.url}/inbound/acme`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', ...bearer },
      body: 'STOP',
    });
    expect(text.status).toBe(415);
    expect(await optedOut()).toBe(1);
  });

  test('wrong method or path, oversized body', async () => {
    const get = await fetch(`${server.url}/inbound/acme`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await postJson(server.url, '/elsewhere', {})).status).toBe(404);
    expect((await postJson(server.url, '/inbound/', {})).status).toBe(404);
    // A control character in the project id never reaches the database (PostgreSQL refuses NUL: it was a 500).
    const nul = await postJson(server.url, '/inbound/acme%00', { from: ANA, body: 'STOP' }, { Authorization: `Bearer ${INBOUND_TOKEN}` });
    expect({ status: nul.status, error: JSON.parse(nul.text).error }).toEqual({
      status: 404,
      error: 'Not found: post inbound messages to /inbound/<projectId>.',
    });

    const big = await postJson(
      server.url,
      '/inbound/acme',
      { from: ANA, body: 'x'.repeat(70 * 1024) },
      { Authorization: `Bearer ${INBOUND_TOKEN}` },
    );
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error).toMatch(/larger than 64 KiB/);
    // Chunked (no Content-Length): cut off while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/inbound/acme`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INBOUND_TOKEN}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(10 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  test('the log holds outcomes only: no phone number, no message text, no secret', () => {
    const all = logs.join('\n');
    expect(all).toMatch(/\[inbound\] 200 optOut \(STOP\) project=acme via twilio/);
    expect(all).toMatch(/\[inbound\] 200 optOut \(ARRET\) project=acme via token/);
    expect(all).toMatch(/\[inbound\] 401 /);
    for (const secret of [
      TWILIO_AUTH_TOKEN,
      INBOUND_TOKEN,
      '5145550101',
      '5145550102',
      '555-0102',
      'Thanks, see you Friday',
      'who is this',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('inbound endpoint start-up', () => {
  const directory = {} as Directory; // never reached: start-up fails first

  test('no token and no Twilio auth token: refused with a ConfigError naming the variables', async () => {
    await expect(startInboundServer({ directory, port: 0 })).rejects.toThrow(ConfigError);
    await expect(startInboundServer({ directory, port: 0 })).rejects.toThrow(/INBOUND_TOKEN.*TWILIO_AUTH_TOKEN/);
    await expect(startInboundServer({ directory, port: 0, twilioAuthToken: TWILIO_AUTH_TOKEN })).rejects.toThrow(/set INBOUND_PUBLIC_URL/);
  });

  test('a port already in use: a clear error naming INBOUND_HTTP_PORT', async () => {
    const first = await startInboundServer({ directory, port: 0, token: INBOUND_TOKEN, log: () => undefined });
    try {
      const port = Number(new URL(first.url).port);
      const second = startInboundServer({ directory, port, token: INBOUND_TOKEN });
      await expect(second).rejects.toThrow(ConfigError);
      await expect(startInboundServer({ directory, port, token: INBOUND_TOKEN })).rejects.toThrow(
        `INBOUND_HTTP_PORT=${port}: port ${port} is already in use on 127.0.0.1. Stop what listens there, or set INBOUND_HTTP_PORT to a free port.`,
      );
    } finally {
      await first.close();
    }
  });

  test('close() waits for nothing when idle, and can be called twice', async () => {
    const server = await startInboundServer({ directory, port: 0, token: INBOUND_TOKEN, log: () => undefined });
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/inbound/acme`, { method: 'POST' })).rejects.toThrow();
  });
});
