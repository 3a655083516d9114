/**
 * Quiet hours at dispatch, on the real dev server: recipients in Los Angeles, New York and Paris.
 * The rules are shifted so the New York and Los Angeles windows open seconds after the send
 * (the real 07:30 UTC case is in test/domain/quiet-hours.test.ts): nobody gets a message inside
 * their quiet hours, and everyone gets exactly one when their window opens.
 */
import type { Directory } from '../../worker/directory/directory';
import { awayFromMidnight, upsertShiftedWorld } from '../support/shifted-quiet-hours';
import { STORES, openFreshDirectory } from '../support/directories';
import { startTestWorker, type TestWorker } from '../support/temporal';

const NUMBERS = { losAngeles: '+12132345678', newYork: '+12122345678', paris: '+33612345678' };

describe.each(STORES)('quiet hours at dispatch (%s directory)', (store) => {
  let directory: Directory;
  let closeDirectory: () => Promise<void>;
  let env: TestWorker;

  beforeAll(async () => {
    ({ directory, close: closeDirectory } = await openFreshDirectory(store));
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await closeDirectory?.();
  });

  test('Paris is sent at once; New York and Los Angeles are held until their windows open, then sent once each', async () => {
    await awayFromMidnight();
    const newYorkOpens = Math.ceil((Date.now() + 10_000) / 1000) * 1000;
    const losAngelesOpens = newYorkOpens + 8000;
    await upsertShiftedWorld(directory, newYorkOpens, losAngelesOpens);
    await directory.upsertContacts(
      'world',
      Object.entries(NUMBERS).map(([city, mobile]) => ({ externalId: city, fields: { firstName: city, mobile } })),
    );

    const s = env.client;
    const { sendingId: id } = await s.create({ projectId: 'world', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'paula');
    const prepared = await s.prepare(id, { message: 'Hello {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    expect(prepared.prepared!.report.points.find((p) => p.code === 'QUIET_HOURS')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^2 recipients are inside quiet hours at the send time/),
      data: { held: 2, firstOpenMs: newYorkOpens, lastOpenMs: losAngelesOpens },
    });
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');

    const holding = await s.waitFor(id, ['sending'], { timeoutMs: 20_000, until: (status) => status.held?.count === 2 });
    expect(holding.held).toEqual({ count: 2, nextMs: newYorkOpens, lastMs: losAngelesOpens });
    expect(holding.progress).toMatchObject({ sent: 1, held: 2 });

    const done = await s.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    expect(done.progress).toMatchObject({ total: 3, sent: 3, held: 0, failed: 0, skipped: 0, unknown: 0 });
    // The hold is in the audit log once, the Durable SMS Trigger's "held by quiet hours" event.
    expect((await directory.readAudit(id)).filter((entry) => entry.action === 'held').map((entry) => entry.detail)).toEqual([
      { count: 2, nextMs: newYorkOpens, lastMs: losAngelesOpens },
    ]);
    const [held] = await s.lookup({ kind: 'events', projectId: 'world', events: ['heldByQuietHours'], afterId: 0, limit: 10 });
    expect(held).toMatchObject({ sendingId: id, detail: { count: 2, next: new Date(newYorkOpens).toISOString() } });

    const outbox = await directory.readOutbox(id);
    const sentAt = Object.fromEntries(outbox.map((m) => [m.to, m.createdAt]));
    expect(outbox.map((m) => m.to).sort()).toEqual(Object.values(NUMBERS).sort());
    expect(sentAt[NUMBERS.paris]).toBeLessThan(newYorkOpens);
    expect(sentAt[NUMBERS.newYork]).toBeGreaterThanOrEqual(newYorkOpens);
    expect(sentAt[NUMBERS.losAngeles]).toBeGreaterThanOrEqual(losAngelesOpens);
  });
});
