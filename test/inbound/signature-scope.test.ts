/**
 * A Twilio signature is accepted only over what it covers (hostile-test finding, issue 14): a form body
 * (URL + parameters), or a JSON body through bodySHA256 in the URL. Real HTTP, SQLite and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import type { Directory } from '../../worker/directory/directory';
import { startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { twilioSignature } from '../../worker/inbound/twilio-signature';
import { STORES } from '../support/directories';
import { seedAcme } from '../support/seed';
import { newMessageSid, openInboundTestDirectory, postTwilioJson, type InboundTestDirectory } from './inbound-support';

const signing = { authToken: 'twilio-auth-token-for-tests', publicUrl: 'https://sms.example.com' };
const ANA = '+15145550101';
const BEN = '+15145550102';
const SEEDED = [{ e164: '+14385550106', source: 'test' }];

describe.each(STORES)('what a Twilio signature covers (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let server: InboundServer;

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await seedAcme(directory);
    server = await startInboundServer({
      directory,
      port: 0,
      twilioAuthToken: signing.authToken,
      publicUrl: signing.publicUrl,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
    await fresh?.close();
  });

  test('one signature over the URL alone opts out nobody: JSON bodies without bodySHA256 are refused with 401', async () => {
    const urlOnly = twilioSignature(signing.authToken, `${signing.publicUrl}/inbound/acme`, []);
    for (const from of [ANA, BEN]) {
      const answer = await postTwilioJson(
        server.url,
        '/inbound/acme',
        { id: newMessageSid(), from, body: 'STOP' },
        { ...signing, bodyHash: false, signature: urlOnly },
      );
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error).toMatch(
        /^X-Twilio-Signature does not cover this JSON body: .*bodySHA256.* Post Twilio's inbound message webhook form-encoded\. Not authenticated: send a valid X-Twilio-Signature/,
      );
    }
    expect(await fresh.killList('acme')).toEqual(SEEDED);
  });

  test('a JSON body signed through bodySHA256 is accepted; another body under that URL and signature is refused', async () => {
    const body = { id: newMessageSid(), from: ANA, body: 'STOP' };
    const signed = await postTwilioJson(server.url, '/inbound/acme', body, { ...signing, bodyHash: true });
    expect(signed.status).toBe(200);
    expect(JSON.parse(signed.text)).toEqual({ recorded: 'optOut' });
    expect(await fresh.killList('acme')).toContainEqual({ e164: ANA, source: 'inbound:STOP' });

    // The same URL (its bodySHA256) and signature, a different body.
    const text = JSON.stringify(body);
    const target = `/inbound/acme?bodySHA256=${createHash('sha256').update(text).digest('hex')}`;
    const signature = twilioSignature(signing.authToken, `${signing.publicUrl}${target}`, []);
    const swapped = await fetch(`${server.url}${target}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': signature },
      body: JSON.stringify({ ...body, id: newMessageSid(), from: BEN }),
    });
    expect(swapped.status).toBe(401);
    expect(((await swapped.json()) as { error: string }).error).toMatch(
      /^The body is not the one Twilio signed: its SHA-256 differs from bodySHA256 in the URL\./,
    );
    expect((await fresh.killList('acme')).map((e) => e.e164)).not.toContain(BEN);
  });

  test('a signature over the URL alone does not authenticate a body that is neither form nor JSON', async () => {
    const urlOnly = twilioSignature(signing.authToken, `${signing.publicUrl}/inbound/acme`, []);
    const answer = await fetch(`${server.url}/inbound/acme`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Twilio-Signature': urlOnly },
      body: 'STOP',
    });
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: string }).error).toMatch(/^X-Twilio-Signature covers only a form-encoded body/);
  });
});
