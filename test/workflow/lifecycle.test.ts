/** The sending lifecycle on the real dev server, with the directory on SQLite and on PostgreSQL. */
import { DateTime } from 'luxon';
import type { AudienceSelection } from '../../domain/types';
import type { Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';
import { historyText } from '../support/history-text';
import { seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const groups = (...names: string[]): AudienceSelection => ({
  projectId: 'acme',
  audience: 'groups',
  groups: names,
  duplicatePolicy: 'perContact',
});
/** Polls until `probe` returns a value (audit entries are written by activities, just after the state changes). */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
/** A local time a few seconds ahead in `zone`, as a user would type it. */
const localIn = (zone: string, secondsAhead: number) =>
  DateTime.now().setZone(zone).plus({ seconds: secondsAhead }).toFormat("yyyy-MM-dd'T'HH:mm:ss");

describe.each(STORES)('sending lifecycle (%s directory)', (store) => {
  let directory: Directory;
  let closeDirectory: () => Promise<void>;
  let env: TestWorker;

  beforeAll(async () => {
    ({ directory, close: closeDirectory } = await openFreshDirectory(store));
    await seedAcme(directory);
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await closeDirectory?.();
  });

  test('select → count → prepare now → approve → send delivers one SMS per recipient', async () => {
    const s = env.client;
    const created = await s.create(groups('vip', 'newsletter'), 'paula');
    const id = created.sendingId;
    expect(created.state).toBe('draft');
    // c1 is in both groups (one entry); c4 invalid, c5 inactive, c6 opted out.
    expect(created.lastCount).toEqual({
      targeted: 6,
      messages: 3,
      distinctNumbers: 3,
      excluded: { inactive: 1, missingNumber: 0, invalidNumber: 1, optedOut: 1, duplicateNumber: 0 },
    });

    expect((await s.count(id, 'paula')).messages).toBe(3);
    const prepared = await s.prepare(
      id,
      { message: 'Hi {{firstName}}, sale tomorrow. STOP to opt out', schedule: { mode: 'now' } },
      'paula',
    );
    expect(prepared.state).toBe('prepared');
    expect(prepared.prepared?.summary.snapshotSize).toBe(3);
    expect((await s.requestApproval(id, 'paula')).state).toBe('awaiting_approval');
    expect((await s.approve(id, { approver: 'alex' })).approval?.approver).toBe('alex');

    await s.send(id, 'paula');
    const done = await s.waitFor(id, ['completed', 'failed'], { timeoutMs: 60_000 });
    expect(done.state).toBe('completed');
    expect(done.progress).toMatchObject({ total: 3, sent: 3, failed: 0, skipped: 0, unknown: 0 });

    const outbox = await directory.readOutbox(id);
    expect(new Set(outbox.map((m) => m.from))).toEqual(new Set(['+15145550000']));
    expect(outbox.map((m) => [m.to, m.body]).sort()).toEqual([
      ['+14385550103', 'Hi Chloé, sale tomorrow. STOP to opt out'],
      ['+15145550101', 'Hi Ana, sale tomorrow. STOP to opt out'],
      ['+15145550102', 'Hi Ben, sale tomorrow. STOP to opt out'],
    ]);
    // Phone numbers never reach Temporal: the history holds ids, counts and the message text only.
    const history = historyText(await s.handle(id).fetchHistory());
    expect(history).toContain('sale tomorrow');
    for (const m of outbox) {
      expect(history).not.toContain(m.to);
      expect(history).not.toContain(m.to.slice(2));
    }
    const actions = (await directory.readAudit(id)).map((a) => `${a.action}:${a.actor}`);
    expect(actions).toEqual([
      'selected:paula',
      'counted:paula',
      'prepared:paula',
      'approval_requested:paula',
      'approved:alex',
      'send_requested:paula',
      'completed:system',
    ]);
  });

  test('a later send waits for its local time in the chosen zone, then sends', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    const at = localIn('Asia/Tokyo', 4);
    const prepared = await s.prepare(
      id,
      { message: 'Hello {{firstName}}', schedule: { mode: 'later', localDateTime: at, timeZone: 'Asia/Tokyo' } },
      'paula',
    );
    const sendAtMs = prepared.prepared!.sendAtMs!;
    expect(sendAtMs).toBe(DateTime.fromISO(at, { zone: 'Asia/Tokyo' }).toMillis());
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    expect((await s.send(id, 'paula')).state).toBe('scheduled');
    expect(await directory.readOutbox(id)).toHaveLength(0);

    const done = await s.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    expect(done.progress.sent).toBe(2);
    const outbox = await directory.readOutbox(id);
    expect(outbox).toHaveLength(2);
    for (const m of outbox) expect(m.createdAt).toBeGreaterThanOrEqual(sendAtMs);
  });

  test('send before approval is refused and changes nothing', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    await expect(s.send(id, 'paula')).rejects.toThrow(/not approved \(it is draft\)/);
    await s.prepare(id, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await expect(s.send(id, 'paula')).rejects.toThrow(/is not approved \(it is prepared\).*Request approval/);
    expect((await s.status(id)).state).toBe('prepared');
    expect(await directory.readOutbox(id)).toHaveLength(0);
  });

  test('rejection needs a reason, ends the sending, and nothing is sent', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    await s.prepare(id, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(id, 'paula');
    await expect(s.reject(id, { approver: 'alex', reason: '  ' })).rejects.toThrow(/"reason" is required to reject/);
    expect((await s.status(id)).state).toBe('awaiting_approval');
    const rejected = await s.reject(id, { approver: 'alex', reason: 'Wrong date in the text' });
    expect(rejected.state).toBe('rejected');
    expect(rejected.rejection).toMatchObject({ approver: 'alex', reason: 'Wrong date in the text' });
    await expect(s.send(id, 'paula')).rejects.toThrow(/rejected/);
    expect(await directory.readOutbox(id)).toHaveLength(0);
  });

  test('approve and reject also arrive as signals; a refused signal is written to the audit log', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    await s.prepare(id, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(id, 'paula');
    await s.handle(id).signal('reject', { approver: 'alex', reason: '' });
    await s.handle(id).signal('approve', { approver: 'alex' });
    const approved = await s.waitFor(id, ['approved'], { timeoutMs: 20_000 });
    expect(approved.approval?.approver).toBe('alex');
    const refused = await eventually(async () => (await directory.readAudit(id)).find((a) => a.action === 'reject_signal_refused'));
    expect(refused).toMatchObject({ actor: 'alex', detail: { error: expect.stringMatching(/"reason" is required/) } });
  });

  test('a scheduled sending can be rescheduled while it waits (back to approval), and cancelled with a reason', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    await s.prepare(
      id,
      { message: 'Hi', schedule: { mode: 'later', localDateTime: localIn('Europe/Paris', 3600), timeZone: 'Europe/Paris' } },
      'paula',
    );
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');
    const moved = await s.reschedule(id, { mode: 'later', localDateTime: localIn('Europe/Paris', 6), timeZone: 'Europe/Paris' }, 'paula');
    expect(moved).toMatchObject({ state: 'awaiting_approval', approvals: [], approval: null });
    await s.approve(id, { approver: 'alex', hash: moved.approvalHash! });
    expect((await s.send(id, 'paula')).state).toBe('scheduled');
    expect((await s.waitFor(id, ['completed'], { timeoutMs: 60_000 })).progress.sent).toBe(2);

    const other = (await s.create(groups('vip'), 'paula')).sendingId;
    await s.prepare(
      other,
      { message: 'Hi', schedule: { mode: 'later', localDateTime: localIn('Europe/Paris', 3600), timeZone: 'Europe/Paris' } },
      'paula',
    );
    await s.requestApproval(other, 'paula');
    await s.approve(other, { approver: 'alex' });
    await s.send(other, 'paula');
    await expect(s.cancel(other, '', 'paula')).rejects.toThrow(/"reason" is required to cancel/);
    const cancelled = await s.cancel(other, 'Campaign postponed', 'paula');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.cancellation).toMatchObject({ actor: 'paula', reason: 'Campaign postponed' });
    expect(await directory.readOutbox(other)).toHaveLength(0);
  });

  test('refresh at send time adds a contact created after preparation and drops one removed from its group', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(groups('vip'), 'paula');
    await s.prepare(
      id,
      {
        message: 'Hi {{firstName}}',
        schedule: { mode: 'later', localDateTime: localIn('America/Toronto', 5), timeZone: 'America/Toronto' },
        refreshAtSend: true,
      },
      'paula',
    );
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');
    await directory.upsertContacts('acme', [{ externalId: 'c7', fields: { firstName: 'Gus', mobile: '514-555-0107' }, groups: ['vip'] }]);
    await directory.setMemberships('acme', 'c2', []);

    const done = await s.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    expect(done.refresh).toMatchObject({ added: 1, removed: 1, total: 2 });
    expect(done.progress).toMatchObject({ sent: 2 });
    expect((await directory.readOutbox(id)).map((m) => m.to).sort()).toEqual(['+15145550101', '+15145550107']);
    await directory.setMemberships('acme', 'c2', ['vip']);
    await directory.setMemberships('acme', 'c7', []);
  });

  describe('bad input gets a clear error and leaves the sending consistent', () => {
    test('unknown project and unknown group', async () => {
      await expect(env.client.create({ ...groups('vip'), projectId: 'nope' }, 'paula')).rejects.toThrow(/Unknown project "nope"/);
      await expect(env.client.create(groups('vip', 'ghosts'), 'paula')).rejects.toThrow(/Unknown group "ghosts"/);
    });

    test('a blocking validation point refuses the preparation with every failure named', async () => {
      const s = env.client;
      const { sendingId: id } = await s.create(groups('vip'), 'paula');
      await expect(s.prepare(id, { message: 'Hi {{nickname}}', senderId: 'ACME', schedule: { mode: 'now' } }, 'paula')).rejects.toThrow(
        /cannot be prepared: FIELDS_RESOLVE: \{\{nickname\}\} is empty for 2 recipients .* \| SENDER_ID: The alphanumeric sender "ACME" cannot send to CA \(2 recipients\)/,
      );
      expect((await s.status(id)).state).toBe('draft');
      const prepared = await s.prepare(id, { message: 'Fête chez {{firstName}} !', schedule: { mode: 'now' } }, 'paula');
      expect(prepared.prepared?.report.blocking).toBe(false);
      expect(prepared.prepared?.report.points.filter((p) => p.level !== 'pass').map((p) => p.code)).toEqual([
        'ENCODING',
        'OPT_OUT_WORDING',
      ]);
    });

    test('unknown time zone, DST-gap time and empty message are refused; the sending stays as it was', async () => {
      const s = env.client;
      const { sendingId: id } = await s.create(groups('vip'), 'paula');
      await expect(
        s.prepare(id, { message: 'Hi', schedule: { mode: 'later', localDateTime: '2027-03-14T10:00', timeZone: 'Mars/Olympus' } }, 'paula'),
      ).rejects.toThrow(/timeZone/);
      await expect(
        s.prepare(
          id,
          { message: 'Hi', schedule: { mode: 'later', localDateTime: '2027-03-14T02:30', timeZone: 'America/New_York' } },
          'paula',
        ),
      ).rejects.toThrow(/does not exist/);
      await expect(s.prepare(id, { message: '   ', schedule: { mode: 'now' } }, 'paula')).rejects.toThrow(/message/);
      const status = await s.status(id);
      expect(status.state).toBe('draft');
      expect(status.prepared).toBeNull();
    });
  });
});
