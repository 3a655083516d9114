/** Delivery receipts over real HTTP (Twilio's status callback and the http provider's signed JSON), SQLite and PostgreSQL. */
import type { AudienceSelection } from '../../domain/types';
import type { Directory } from '../../worker/directory/directory';
import { EMPTY_TWIML, startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { receiptSignature } from '../../worker/receipts/receipt-signature';
import { STORES } from '../support/directories';
import { sendRow } from '../support/ledger';
import { seedAcme } from '../support/seed';
import { newMessageSid, openInboundTestDirectory, postJson, postTwilio, type InboundTestDirectory } from '../inbound/inbound-support';

const TWILIO_AUTH_TOKEN = 'twilio-auth-token-for-tests';
const PUBLIC_URL = 'https://sms.example.com/hooks';
const RECEIPT_SECRET = 'http-receipt-secret-0123456789';
const signing = { authToken: TWILIO_AUTH_TOKEN, publicUrl: PUBLIC_URL };
const everyone: AudienceSelection = { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

const status = (sid: string, messageStatus: string, errorCode?: string) => ({
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  ApiVersion: '2010-04-01',
  From: '+15145550000',
  MessageSid: sid,
  SmsSid: sid,
  MessageStatus: messageStatus,
  SmsStatus: messageStatus,
  ...(errorCode ? { ErrorCode: errorCode } : {}),
});

/** The http provider's receipt, signed at `atMs` (default now) unless `headers` says otherwise. */
function postSigned(url: string, projectId: string, body: object, options: { atMs?: number; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor((options.atMs ?? Date.now()) / 1000));
  return postJson(url, `/receipts/${projectId}`, raw, {
    'X-Sms-Timestamp': timestamp,
    'X-Sms-Signature': receiptSignature(options.secret ?? RECEIPT_SECRET, timestamp, raw),
  });
}

describe.each(STORES)('delivery receipts endpoint (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;
  const logs: string[] = [];
  let sendings = 0;

  /** A new sending of acme to everyone, each row sent with a new Twilio-like id; answers the ids by number. */
  async function sentSending(): Promise<{ id: string; sids: Map<string, string> }> {
    const id = `receipts-${store}-${++sendings}`;
    await directory.createSending({ id, projectId: 'acme', selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(id, everyone);
    const sids = new Map<string, string>();
    for (const row of await directory.readSnapshot(id, 0, 100)) {
      const sid = newMessageSid();
      await sendRow(directory, id, row.seq, sid);
      sids.set(row.e164, sid);
    }
    return { id, sids };
  }
  const deliveryOf = async (sid: string) =>
    fresh.rows<{ state: string; error_code: string | null }>(
      'SELECT state, error_code FROM delivery_receipts WHERE project_id = ? AND provider_message_id = ?',
      ['acme', sid],
    );

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await seedAcme(directory);
    await directory.upsertProject({ id: 'acme', name: 'Acme', compliance: { receipts: { quarantineAfter: 2 } } });
    await directory.upsertProject({ id: 'other', name: 'Other', defaultCountry: 'CA', timeZone: 'America/Toronto' });
    server = await startInboundServer({
      directory,
      port: 0,
      twilioAuthToken: TWILIO_AUTH_TOKEN,
      publicUrl: PUBLIC_URL,
      receiptSecret: RECEIPT_SECRET,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await fresh?.close();
  });

  test('Twilio status callbacks move sent → delivered → read; duplicates and late earlier states change nothing', async () => {
    const { id, sids } = await sentSending();
    const [ana, ben, chloe] = [...sids.values()];
    const post = (sid: string, s: string, code?: string) => postTwilio(server.url, '/receipts/acme', status(sid, s, code), signing);

    expect(await post(ana, 'sent')).toMatchObject({ status: 200, text: EMPTY_TWIML });
    expect(await deliveryOf(ana)).toEqual([{ state: 'sent', error_code: null }]);
    expect((await post(ana, 'delivered')).status).toBe(200);
    expect((await post(ana, 'delivered')).status).toBe(200); // twice
    expect((await post(ana, 'sent')).status).toBe(200); // late
    expect(await deliveryOf(ana)).toEqual([{ state: 'delivered', error_code: null }]);
    expect((await post(ana, 'read')).status).toBe(200);
    expect(await deliveryOf(ana)).toEqual([{ state: 'read', error_code: null }]);

    // Out of order: the final word first, then the earlier ones; a contradicting final state later is ignored.
    expect((await post(ben, 'undelivered', '30005')).status).toBe(200);
    expect((await post(ben, 'queued')).status).toBe(200);
    expect((await post(ben, 'sent')).status).toBe(200);
    expect((await post(ben, 'delivered')).status).toBe(200);
    expect(await deliveryOf(ben)).toEqual([{ state: 'undelivered', error_code: '30005' }]);

    expect(await directory.deliverySummary(id)).toEqual({
      sent: 3,
      delivered: 0,
      read: 1,
      undelivered: 1,
      failed: 0,
      awaitingReceipt: 1,
      byErrorCode: { '30005': 1 },
      killListed: {},
    });
    expect(chloe).toBeDefined();
    expect(logs.filter((line) => line.startsWith('[receipts] 200 duplicate'))).toHaveLength(1);
    expect(logs.filter((line) => line.startsWith('[receipts] 200 stale')).length).toBeGreaterThanOrEqual(3);
  });

  test('an invalid, missing or replayed-elsewhere Twilio signature is refused and records nothing', async () => {
    const { sids } = await sentSending();
    const sid = [...sids.values()][0];
    const params = status(sid, 'delivered');
    const wrong = await postTwilio(server.url, '/receipts/acme', params, { ...signing, authToken: 'not-the-auth-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).error).toMatch(/X-Twilio-Signature does not match/);
    const missing = await postJson(server.url, '/receipts/acme', ''); // no signature, and no body Twilio would send
    expect(missing.status).toBe(401);
    const unsigned = await fetch(`${server.url}/receipts/acme`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: string }).error).toMatch(/X-Twilio-Signature is missing/);
    // A receipt signed for project acme's URL, replayed to another project's URL.
    const signedForAcme = await postTwilio(server.url, '/receipts/other', params, {
      ...signing,
      signature: (await import('../../worker/inbound/twilio-signature')).twilioSignature(
        TWILIO_AUTH_TOKEN,
        `${PUBLIC_URL}/receipts/acme`,
        Object.entries(params),
      ),
    });
    expect(signedForAcme.status).toBe(401);
    // A parameter changed after signing.
    const tampered = await postTwilio(
      server.url,
      '/receipts/acme',
      { ...params, MessageStatus: 'failed' },
      {
        ...signing,
        signature: (await import('../../worker/inbound/twilio-signature')).twilioSignature(
          TWILIO_AUTH_TOKEN,
          `${PUBLIC_URL}/receipts/acme`,
          Object.entries(params),
        ),
      },
    );
    expect(tampered.status).toBe(401);
    expect(await deliveryOf(sid)).toEqual([]);
  });

  test('a receipt for an unknown message id is answered like any other, kept and logged', async () => {
    const { sids } = await sentSending();
    const known = await postTwilio(server.url, '/receipts/acme', status([...sids.values()][0], 'delivered'), signing);
    const unknownSid = newMessageSid();
    const unknown = await postTwilio(server.url, '/receipts/acme', status(unknownSid, 'delivered'), signing);
    expect(unknown).toMatchObject({ status: known.status, text: known.text, contentType: known.contentType });
    expect(logs.at(-1)).toBe('[receipts] 200 unmatched project=acme via twilio');
    expect(await deliveryOf(unknownSid)).toEqual([{ state: 'delivered', error_code: null }]);
    const json = await postSigned(server.url, 'acme', { messageId: 'never-sent', status: 'failed', errorCode: '30003' });
    expect(json).toMatchObject({ status: 200, text: '{"received":true}' });
  });

  test('21610 puts the number on the kill list at once, as receipt:21610', async () => {
    const { sids } = await sentSending();
    const [number, sid] = [...sids.entries()][2];
    const answer = await postTwilio(server.url, '/receipts/acme', status(sid, 'failed', '21610'), signing);
    expect(answer.status).toBe(200);
    expect(await fresh.killList('acme')).toContainEqual({ e164: number, source: 'receipt:21610' });
    expect(logs.at(-1)).toBe('[receipts] 200 applied project=acme via twilio: kill list receipt:21610');
  });

  test('repeated 30003 failures quarantine the number after quarantineAfter (2), reversibly', async () => {
    const first = await sentSending();
    // Ana's number: no failed receipt before (earlier tests fail Ben's and Chloé's).
    const [number, sid1] = [...first.sids.entries()][0];
    await postTwilio(server.url, '/receipts/acme', status(sid1, 'undelivered', '30003'), signing);
    // The same receipt again is a duplicate, not a second failure.
    await postTwilio(server.url, '/receipts/acme', status(sid1, 'undelivered', '30003'), signing);
    expect((await fresh.killList('acme')).filter((entry) => entry.e164 === number)).toEqual([]);

    const second = await sentSending();
    await postTwilio(server.url, '/receipts/acme', status(second.sids.get(number)!, 'undelivered', '30003'), signing);
    expect((await fresh.killList('acme')).filter((entry) => entry.e164 === number)).toEqual([{ e164: number, source: 'quarantine:30003' }]);
    expect((await directory.deliverySummary(second.id)).killListed).toEqual({ 'quarantine:30003': 1 });
    // An operator takes it off again.
    await directory.removeOptOut('acme', number);
    expect((await fresh.killList('acme')).filter((entry) => entry.e164 === number)).toEqual([]);
  });

  test('the http provider’s JSON receipts: valid, invalid, missing and replayed signatures', async () => {
    const { sids } = await sentSending();
    const [a, b] = [...sids.values()];
    expect(await postSigned(server.url, 'acme', { messageId: a, status: 'delivered' })).toMatchObject({ status: 200 });
    expect(await deliveryOf(a)).toEqual([{ state: 'delivered', error_code: null }]);

    const wrongSecret = await postSigned(
      server.url,
      'acme',
      { messageId: b, status: 'delivered' },
      { secret: 'another-secret-0123456789' },
    );
    expect(wrongSecret.status).toBe(401);
    expect(JSON.parse(wrongSecret.text).error).toMatch(/X-Sms-Signature does not match/);
    const unsigned = await postJson(server.url, '/receipts/acme', { messageId: b, status: 'delivered' });
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.text).error).toMatch(/Send X-Sms-Timestamp/);
    const stale = await postSigned(server.url, 'acme', { messageId: b, status: 'delivered' }, { atMs: Date.now() - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.text).error).toMatch(/more than 5 minutes/);
    expect(await deliveryOf(b)).toEqual([]);

    // A body changed under a captured signature.
    const raw = JSON.stringify({ messageId: b, status: 'delivered' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const swapped = await postJson(server.url, '/receipts/acme', JSON.stringify({ messageId: b, status: 'failed' }), {
      'X-Sms-Timestamp': timestamp,
      'X-Sms-Signature': receiptSignature(RECEIPT_SECRET, timestamp, raw),
    });
    expect(swapped.status).toBe(401);
    // The captured request replayed within the window is a duplicate: nothing moves.
    const headers = { 'X-Sms-Timestamp': timestamp, 'X-Sms-Signature': receiptSignature(RECEIPT_SECRET, timestamp, raw) };
    const replayed = await postJson(server.url, '/receipts/acme', raw, headers);
    expect(replayed).toMatchObject({ status: 200, text: '{"received":true}' });
    expect((await postJson(server.url, '/receipts/acme', raw, headers)).status).toBe(200);
    expect(logs.at(-1)).toBe('[receipts] 200 duplicate project=acme via http');
    expect(await deliveryOf(b)).toEqual([{ state: 'delivered', error_code: null }]);
  });

  test('bad fields are named, and change nothing', async () => {
    const badStatus = await postSigned(server.url, 'acme', { messageId: 'x', status: 'arrived' });
    expect(badStatus.status).toBe(400);
    expect(JSON.parse(badStatus.text).error).toBe('"status" must be one of sent, delivered, read, undelivered, failed.');
    const noSid = await postTwilio(server.url, '/receipts/acme', { MessageStatus: 'delivered' }, signing);
    expect(noSid.status).toBe(400);
    expect(JSON.parse(noSid.text).error).toMatch(/^"MessageSid" is missing/);
    const unknownProject = await postSigned(server.url, 'nobody', { messageId: 'x', status: 'delivered' });
    expect(unknownProject.status).toBe(404);
  });
});
