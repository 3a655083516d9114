/**
 * Quiet hours with parallel batches (issue 18, review): K = 4 batches of two recipients, a continue-as-new
 * every two batches, recipients of New York, Los Angeles and Paris interleaved over the snapshot. The held
 * ones are counted once across runs, the hold is audited once, and everyone gets exactly one message, the
 * held ones only when their window opens.
 */
import type { Directory } from '../../worker/directory/directory';
import { awayFromMidnight, upsertShiftedWorld } from '../support/shifted-quiet-hours';
import { openFreshDirectory } from '../support/directories';
import { replayEveryRun, startTestWorker, type TestWorker } from '../support/temporal';
import { sendingWorkflowId } from '../../workflows/messages';

const CITIES = [
  { city: 'newYork', prefix: '+1212234567' },
  { city: 'losAngeles', prefix: '+1213234567' },
  { city: 'paris', prefix: '+3361234567' },
];

describe('quiet hours with parallel batches (sqlite directory)', () => {
  let directory: Directory;
  let closeDirectory: () => Promise<void>;
  let env: TestWorker;

  beforeAll(async () => {
    ({ directory, close: closeDirectory } = await openFreshDirectory('sqlite'));
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await closeDirectory?.();
  });

  test('held recipients are counted once over runs, audited once, and each sent once when the window opens', async () => {
    await awayFromMidnight();
    const newYorkOpens = Math.ceil((Date.now() + 12_000) / 1000) * 1000;
    const losAngelesOpens = newYorkOpens + 6000;
    await upsertShiftedWorld(directory, newYorkOpens, losAngelesOpens);
    const contacts = [0, 1, 2, 3].flatMap((i) =>
      CITIES.map(({ city, prefix }) => ({ externalId: `${city}${i}`, fields: { firstName: city, mobile: `${prefix}${i}` } })),
    );
    await directory.upsertContacts('world', contacts);

    const s = env.client;
    const { sendingId: id } = await s.create({ projectId: 'world', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'paula', {
      tuning: { batchSize: 2, batchesPerRun: 2, parallelBatches: 4 },
    });
    await s.prepare(id, { message: 'Hello {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');

    const holding = await s.waitFor(id, ['sending'], { timeoutMs: 20_000, until: (status) => status.held?.count === 8 });
    expect(Date.now()).toBeLessThan(newYorkOpens);
    expect(holding.held).toEqual({ count: 8, nextMs: newYorkOpens, lastMs: losAngelesOpens });
    expect(holding.progress).toMatchObject({ total: 12, sent: 4, held: 8 });

    const done = await s.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    expect(done.progress).toMatchObject({ total: 12, sent: 12, held: 0, failed: 0, skipped: 0, unknown: 0, pending: 0 });
    expect((await directory.readAudit(id)).filter((entry) => entry.action === 'held').map((entry) => entry.detail)).toEqual([
      { count: 8, nextMs: newYorkOpens, lastMs: losAngelesOpens },
    ]);
    const outbox = await directory.readOutbox(id);
    expect(outbox.map((m) => m.to).sort()).toEqual(contacts.map((c) => c.fields.mobile).sort());
    for (const m of outbox) {
      if (m.to.startsWith('+1212')) expect(m.createdAt).toBeGreaterThanOrEqual(newYorkOpens);
      if (m.to.startsWith('+1213')) expect(m.createdAt).toBeGreaterThanOrEqual(losAngelesOpens);
      if (m.to.startsWith('+33')) expect(m.createdAt).toBeLessThan(newYorkOpens);
    }
    // The runs hold the parallel-batches and the held-by-quiet-hours-audited patches together, and replay.
    const runs = await replayEveryRun(s, sendingWorkflowId(id));
    expect(runs.length).toBeGreaterThan(1);
    const patches = new Set(runs.flatMap((run) => run.patches));
    for (const patch of ['parallel-batches', 'parallel-batches-bounded-run', 'held-by-quiet-hours-audited'])
      expect(patches).toContain(patch);
  }, 90_000);
});
