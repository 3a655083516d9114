/**
 * End to end: a real worker on the dev server with the outbox provider and the inbound endpoint on
 * the same directory. A STOP that arrives after approval keeps that recipient from getting the message.
 */
import type { AudienceSelection } from '../../domain/types';
import { startInboundServer, type InboundServer } from '../../worker/inbound/inbound-server';
import { STORES } from '../support/directories';
import { seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';
import { openInboundTestDirectory, postTwilio, twilioInbound, type InboundTestDirectory } from './inbound-support';

const signing = { authToken: 'twilio-auth-token-for-tests', publicUrl: 'https://sms.example.com' };
const selection: AudienceSelection = {
  projectId: 'acme',
  audience: 'groups',
  groups: ['vip', 'newsletter'],
  duplicatePolicy: 'perContact',
};

describe.each(STORES)('inbound STOP before dispatch (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let env: TestWorker;
  let inbound: InboundServer;

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    await seedAcme(fresh.directory);
    env = await startTestWorker({ directory: fresh.directory });
    inbound = await startInboundServer({
      directory: fresh.directory,
      port: 0,
      twilioAuthToken: signing.authToken,
      publicUrl: signing.publicUrl,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await inbound?.close();
    await env?.stop();
    await fresh?.close();
  });

  test('prepared and approved for 3 recipients; Ben replies STOP; the send skips Ben and the others get exactly one SMS', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(selection, 'paula');
    const prepared = await s.prepare(
      id,
      { message: 'Hi {{firstName}}, sale tomorrow. STOP to opt out', schedule: { mode: 'now' } },
      'paula',
    );
    expect(prepared.prepared?.summary.snapshotSize).toBe(3); // Ana, Ben, Chloé
    await s.requestApproval(id, 'paula');
    expect((await s.approve(id, { approver: 'alex' })).state).toBe('approved');

    // Ben's reply to an earlier message reaches the endpoint, as Twilio posts it.
    const reply = await postTwilio(inbound.url, '/inbound/acme', twilioInbound('+15145550102', 'STOP'), signing);
    expect(reply.status).toBe(200);

    await s.send(id, 'paula');
    const done = await s.waitFor(id, ['completed', 'failed'], { timeoutMs: 60_000 });
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ total: 3, sent: 2, skipped: 1, failed: 0 });

    const outbox = await fresh.directory.readOutbox(id);
    expect(outbox.map((m) => m.to).sort()).toEqual(['+14385550103', '+15145550101']);
    const rows = await fresh.rows<{ e164: string; state: string; detail: string | null }>(
      'SELECT e164, state, detail FROM sending_recipients WHERE sending_id = ? ORDER BY seq',
      [id],
    );
    expect(rows).toEqual([
      { e164: '+15145550101', state: 'sent', detail: expect.anything() },
      { e164: '+15145550102', state: 'skipped', detail: 'optedOut' },
      { e164: '+14385550103', state: 'sent', detail: expect.anything() },
    ]);
  });
});
