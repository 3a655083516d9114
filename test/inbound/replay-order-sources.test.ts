/**
 * Hostile-test findings of issue 14 over real HTTP, on SQLite and PostgreSQL: a captured, signed START
 * posted again after a STOP changes nothing (MessageSid de-duplication); with the provider's times, a
 * START older than the latest STOP does not undo it; START ("Yes") never removes an operator's or a
 * quarantine entry, and the answer and the log say what was kept.
 */
import type { Directory } from '../../worker/directory/directory';
import { EMPTY_TWIML, startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { STORES } from '../support/directories';
import { seedAcme } from '../support/seed';
import {
  openInboundTestDirectory,
  postJson,
  postTwilio,
  postTwilioJson,
  twilioInbound,
  type InboundTestDirectory,
} from './inbound-support';

const signing = { authToken: 'twilio-auth-token-for-tests', publicUrl: 'https://sms.example.com' };
const INBOUND_TOKEN = 'inbound-shared-token-0123456789';
const bearer = { Authorization: `Bearer ${INBOUND_TOKEN}` };
// seedAcme's contacts c1, c2, c3 can receive; other numbers here are strangers, which the kill list takes as well.
const ANA = '+15145550101';
const BEN = '+15145550102';
const CHLOE = '+14385550103';

describe.each(STORES)('inbound replies that cannot be replayed or undo what they did not do (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;
  const logs: string[] = [];
  const entryOf = async (e164: string) => (await fresh.killList('acme')).find((e) => e.e164 === e164);

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await seedAcme(directory);
    server = await startInboundServer({
      directory,
      port: 0,
      twilioAuthToken: signing.authToken,
      publicUrl: signing.publicUrl,
      token: INBOUND_TOKEN,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await fresh?.close();
  });

  test('a captured, signed START posted again after a STOP does not re-subscribe the number', async () => {
    const capturedStart = twilioInbound(ANA, 'START');
    expect((await postTwilio(server.url, '/inbound/acme', capturedStart, signing)).status).toBe(200);
    expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'STOP'), signing)).status).toBe(200);
    expect(await entryOf(ANA)).toEqual({ e164: ANA, source: 'inbound:STOP' });

    const replay = await postTwilio(server.url, '/inbound/acme', capturedStart, signing);
    expect(replay).toMatchObject({ status: 200, text: EMPTY_TWIML }); // Twilio must not retry
    expect(await entryOf(ANA)).toEqual({ e164: ANA, source: 'inbound:STOP' });
    expect(logs.join('\n')).toMatch(/\[inbound\] 200 duplicate \(START\) project=acme via twilio/);

    // A later, new START does re-subscribe.
    expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(ANA, 'START'), signing)).status).toBe(200);
    expect(await entryOf(ANA)).toBeUndefined();
  });

  test('the same message id through the token: answered "duplicate", nothing changes', async () => {
    const start = { id: 'provider-msg-1', from: BEN, body: 'START' };
    expect(JSON.parse((await postJson(server.url, '/inbound/acme', start, bearer)).text)).toEqual({ recorded: 'optIn' });
    expect(
      JSON.parse((await postJson(server.url, '/inbound/acme', { id: 'provider-msg-2', from: BEN, body: 'STOP' }, bearer)).text),
    ).toEqual({ recorded: 'optOut' });
    expect(JSON.parse((await postJson(server.url, '/inbound/acme', start, bearer)).text)).toEqual({ recorded: 'duplicate' });
    expect(await entryOf(BEN)).toEqual({ e164: BEN, source: 'inbound:STOP' });
  });

  test("with the provider's sentAt, a START older than the latest STOP is answered outOfOrder and does not undo it", async () => {
    const stop = await postJson(
      server.url,
      '/inbound/acme',
      { id: 'p-stop', from: CHLOE, body: 'STOP', sentAt: '2025-05-14T09:30:00Z' },
      bearer,
    );
    expect(JSON.parse(stop.text)).toEqual({ recorded: 'optOut' });
    // Sent a minute before the STOP, delivered after it (same instant written with an offset: 05:29 in UTC-4).
    const older = await postJson(
      server.url,
      '/inbound/acme',
      { id: 'p-start-old', from: CHLOE, body: 'START', sentAt: '2025-05-14T05:29:00-04:00' },
      bearer,
    );
    expect(JSON.parse(older.text)).toEqual({ recorded: 'outOfOrder' });
    expect(await entryOf(CHLOE)).toEqual({ e164: CHLOE, source: 'inbound:STOP' });
    const newer = await postJson(
      server.url,
      '/inbound/acme',
      { id: 'p-start-new', from: CHLOE, body: 'START', sentAt: '2025-05-14T09:31:00.250Z' },
      bearer,
    );
    expect(JSON.parse(newer.text)).toEqual({ recorded: 'optIn' });
    expect(await entryOf(CHLOE)).toBeUndefined();
  });

  test('a Twilio-signed form post without MessageSid is refused: it could not be recognised if posted again', async () => {
    const params = twilioInbound(CHLOE, 'STOP');
    for (const name of ['MessageSid', 'SmsMessageSid', 'SmsSid']) delete params[name];
    const answer = await postTwilio(server.url, '/inbound/acme', params, signing);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toMatch(/^"MessageSid" is missing: a Twilio-signed message must carry its MessageSid/);
    expect(await entryOf(CHLOE)).toBeUndefined();
  });

  test('a Twilio-signed JSON body must carry the message id', async () => {
    const answer = await postTwilioJson(server.url, '/inbound/acme', { from: CHLOE, body: 'STOP' }, { ...signing, bodyHash: true });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toMatch(/^"id" is missing: a Twilio-signed JSON body must carry the message's id/);
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(CHLOE);
  });

  test('"Yes" or START keeps an operator\'s (cli:) and a quarantine entry, and says what was kept', async () => {
    const operator = '+15145550177';
    const quarantined = '+15145550178';
    await directory.addOptOut('acme', operator, 'cli:alex');
    await directory.addOptOut('acme', quarantined, 'quarantine:21610');

    expect((await postTwilio(server.url, '/inbound/acme', twilioInbound(operator, 'Yes'), signing)).status).toBe(200);
    const viaToken = await postJson(server.url, '/inbound/acme', { from: quarantined, body: 'START' }, bearer);
    expect(JSON.parse(viaToken.text)).toEqual({ recorded: 'kept', keptSource: 'quarantine' });
    const operatorViaToken = await postJson(server.url, '/inbound/acme', { from: operator, body: 'UNSTOP' }, bearer);
    expect(JSON.parse(operatorViaToken.text)).toEqual({ recorded: 'kept', keptSource: 'cli' });

    expect(await entryOf(operator)).toEqual({ e164: operator, source: 'cli:alex' });
    expect(await entryOf(quarantined)).toEqual({ e164: quarantined, source: 'quarantine:21610' });
    const log = logs.join('\n');
    expect(log).toMatch(/\[inbound\] 200 kept \(YES\) project=acme via twilio: the cli entry stays on the kill list/);
    expect(log).toMatch(/\[inbound\] 200 kept \(START\) project=acme via token: the quarantine entry stays on the kill list/);
    expect(log).not.toContain('alex'); // the operator's name stays in the directory
  });

  test('the log never holds a number or a secret', () => {
    const log = logs.join('\n');
    for (const secret of [signing.authToken, INBOUND_TOKEN, '5145550101', '5145550102', '4385550103', '5145550177', '5145550178'])
      expect(log).not.toContain(secret);
  });
});
