/** The project's per-recipient rules at prepare and at dispatch, on the real dev server: countries and number types. */
import type { Directory } from '../../worker/directory/directory';
import { openFreshDirectory } from '../support/directories';
import { ANY_HOUR } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

describe("a project's destination countries and excluded number types", () => {
  let directory: Directory;
  let closeDirectory: () => Promise<void>;
  let env: TestWorker;

  beforeAll(async () => {
    ({ directory, close: closeDirectory } = await openFreshDirectory('sqlite'));
    await directory.upsertProject({
      id: 'na-only',
      name: 'North America',
      defaultCountry: 'CA',
      timeZone: 'America/Toronto',
      compliance: { ...ANY_HOUR, allowedCountries: ['CA', 'US'] },
    });
    await directory.upsertContacts('na-only', [
      { externalId: 'mobile', fields: { firstName: 'Ana', mobile: '+15145550101' } },
      { externalId: 'paris', fields: { firstName: 'Zoé', mobile: '+33612345678' } },
      { externalId: 'tollfree', fields: { firstName: 'Desk', mobile: '+18005550134' } },
    ]);
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await closeDirectory?.();
  });

  test('prepare leaves out the recipients the rules exclude and reports them; dispatch never sends to them', async () => {
    const s = env.client;
    const { sendingId: id, lastCount } = await s.create(
      { projectId: 'na-only', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    expect(lastCount?.messages).toBe(3);
    const prepared = (await s.prepare(id, { message: 'Hi {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula')).prepared!;
    expect(prepared.summary).toMatchObject({ messages: 1, policyExcluded: { countryNotAllowed: 1, numberType: 1 } });
    const point = (code: string) => prepared.report.points.find((p) => p.code === code);
    expect(point('COUNTRIES')).toMatchObject({ level: 'warn', data: { excluded: { FR: 1 }, allowed: ['CA', 'US'] } });
    expect(point('NUMBER_TYPE')).toMatchObject({ level: 'warn', data: { excluded: { TOLL_FREE: 1 } } });

    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');
    const done = await s.waitFor(id, ['completed'], { timeoutMs: 30_000 });
    expect(done.progress).toMatchObject({ total: 3, sent: 1, skipped: 2 });
    expect((await directory.readOutbox(id)).map((m) => m.to)).toEqual(['+15145550101']);
    const skipped = (await directory.readSnapshot(id, 0, 10))
      .filter((r) => r.state === 'skipped')
      .map((r) => r.e164)
      .sort();
    expect(skipped).toEqual(['+18005550134', '+33612345678']);
  });

  test('a project that blocks on countries refuses the preparation, naming the point', async () => {
    await directory.upsertProject({ id: 'na-only', name: 'North America', compliance: { points: { COUNTRIES: 'block' } } });
    const { sendingId: id } = await env.client.create(
      { projectId: 'na-only', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'paula',
    );
    await expect(env.client.prepare(id, { message: 'Hi. STOP to opt out', schedule: { mode: 'now' } }, 'paula')).rejects.toThrow(
      /cannot be prepared: COUNTRIES: 1 recipient in countries the project does not allow \(FR 1\) is left out/,
    );
    await directory.upsertProject({ id: 'na-only', name: 'North America', compliance: { points: { COUNTRIES: 'warn' } } });
  });
});
