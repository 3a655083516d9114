/**
 * Inbound STOP/START on the kill list (applyInboundKeyword), on SQLite and PostgreSQL: each message id
 * once, a START never older than the number's latest STOP, and a START removes only what an inbound
 * STOP added; an operator's or quarantine entry takes over an inbound one.
 */
import type { Directory, InboundKeyword } from '../../worker/directory/directory';
import { STORES } from '../support/directories';
import { openInboundTestDirectory, type InboundTestDirectory } from '../inbound/inbound-support';

const PROJECT = 'keywords';
const stop = (number: string, extra: Partial<InboundKeyword> = {}): InboundKeyword => ({
  number,
  intent: 'optOut',
  keyword: 'STOP',
  ...extra,
});
const start = (number: string, extra: Partial<InboundKeyword> = {}): InboundKeyword => ({
  number,
  intent: 'optIn',
  keyword: 'START',
  ...extra,
});

describe.each(STORES)('inbound keywords on the kill list (%s directory)', (store) => {
  let fresh: InboundTestDirectory;
  let directory: Directory;
  let n = 0;
  /** A number no other test uses. */
  const fresh164 = () => `+1514555${String(1000 + ++n).padStart(4, '0')}`;
  const entry = async (e164: string) => (await fresh.killList(PROJECT)).find((e) => e.e164 === e164);

  beforeAll(async () => {
    fresh = await openInboundTestDirectory(store);
    directory = fresh.directory;
    await directory.upsertProject({ id: PROJECT, name: 'Keywords', defaultCountry: 'CA', timeZone: 'America/Toronto' });
  });
  afterAll(async () => {
    await fresh?.close();
  });

  test('STOP adds an inbound entry, START removes it; repeats change nothing', async () => {
    const number = fresh164();
    expect(await directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'SM-a' }))).toEqual({ applied: 'added' });
    expect(await entry(number)).toEqual({ e164: number, source: 'inbound:STOP' });
    expect(await directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'SM-b' }))).toEqual({ applied: 'alreadyOptedOut' });
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-c' }))).toEqual({ applied: 'removed' });
    expect(await entry(number)).toBeUndefined();
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-d' }))).toEqual({ applied: 'notOptedOut' });
  });

  test('a message id seen before changes nothing, whatever it says now', async () => {
    const number = fresh164();
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-start-1' }))).toEqual({ applied: 'notOptedOut' });
    expect(await directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'SM-stop-1' }))).toEqual({ applied: 'added' });
    // The START captured earlier, posted again after the STOP.
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-start-1' }))).toEqual({ applied: 'duplicate' });
    expect(await entry(number)).toEqual({ e164: number, source: 'inbound:STOP' });
    // The same id for another number is the same message too.
    expect(await directory.applyInboundKeyword(PROJECT, start(fresh164(), { messageId: 'SM-start-1' }))).toEqual({ applied: 'duplicate' });
  });

  test("with the provider's times, a START older than the latest STOP does not undo it; a later one does", async () => {
    const number = fresh164();
    const t = Date.UTC(2025, 4, 14, 9, 30);
    expect(await directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'T-stop', sentAt: t }))).toEqual({ applied: 'added' });
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'T-old-start', sentAt: t - 60_000 }))).toEqual({
      applied: 'outOfOrder',
    });
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'T-same-ms', sentAt: t }))).toEqual({
      applied: 'outOfOrder',
    });
    expect(await entry(number)).toEqual({ e164: number, source: 'inbound:STOP' });
    expect(await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'T-new-start', sentAt: t + 60_000 }))).toEqual({
      applied: 'removed',
    });
    // An opt-out older than that START still counts: a missed STOP costs more than an extra one.
    expect(await directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'T-late-stop', sentAt: t + 30_000 }))).toEqual({
      applied: 'added',
    });
  });

  test('without times, the order of arrival counts (a START after a STOP applies)', async () => {
    const number = fresh164();
    await directory.applyInboundKeyword(PROJECT, stop(number));
    expect(await directory.applyInboundKeyword(PROJECT, start(number))).toEqual({ applied: 'removed' });
    // A STOP dated by the provider a little ahead of this clock, then a START without a time: it arrived later.
    await directory.applyInboundKeyword(PROJECT, stop(number, { sentAt: Date.now() + 120_000 }));
    expect(await directory.applyInboundKeyword(PROJECT, start(number))).toEqual({ applied: 'removed' });
  });

  test("START keeps an operator's or a quarantine entry, and says which", async () => {
    const operator = fresh164();
    const quarantined = fresh164();
    const other = fresh164();
    await directory.addOptOut(PROJECT, operator, 'cli:alex');
    await directory.addOptOut(PROJECT, quarantined, 'quarantine:21610');
    await directory.addOptOut(PROJECT, other, 'imported from the old CRM');
    expect(await directory.applyInboundKeyword(PROJECT, start(operator))).toEqual({ applied: 'kept', keptSource: 'cli:alex' });
    expect(await directory.applyInboundKeyword(PROJECT, start(quarantined))).toEqual({ applied: 'kept', keptSource: 'quarantine:21610' });
    expect(await directory.applyInboundKeyword(PROJECT, start(other))).toEqual({
      applied: 'kept',
      keptSource: 'imported from the old CRM',
    });
    // A STOP on a number the operator listed keeps the operator's entry (so a START later cannot remove it).
    expect(await directory.applyInboundKeyword(PROJECT, stop(operator))).toEqual({ applied: 'alreadyOptedOut' });
    expect(await entry(operator)).toEqual({ e164: operator, source: 'cli:alex' });
    expect(await entry(quarantined)).toEqual({ e164: quarantined, source: 'quarantine:21610' });
    expect(await entry(other)).toEqual({ e164: other, source: 'imported from the old CRM' });
  });

  test("an operator's or quarantine entry takes over one an inbound STOP made; START then keeps it", async () => {
    const listedAfter = fresh164();
    const quarantinedAfter = fresh164();
    await directory.applyInboundKeyword(PROJECT, stop(listedAfter));
    await directory.addOptOut(PROJECT, listedAfter, 'cli:alex');
    expect(await entry(listedAfter)).toEqual({ e164: listedAfter, source: 'cli:alex' });
    expect(await directory.applyInboundKeyword(PROJECT, start(listedAfter))).toEqual({ applied: 'kept', keptSource: 'cli:alex' });

    await directory.applyInboundKeyword(PROJECT, stop(quarantinedAfter, { keyword: 'ARRET' }));
    await directory.addOptOut(PROJECT, quarantinedAfter, 'quarantine:21614');
    expect(await entry(quarantinedAfter)).toEqual({ e164: quarantinedAfter, source: 'quarantine:21614' });
    // Other adds keep the first entry, as before.
    await directory.addOptOut(PROJECT, quarantinedAfter, 'cli:sam');
    expect(await entry(quarantinedAfter)).toEqual({ e164: quarantinedAfter, source: 'quarantine:21614' });
  });

  test('every applied reply is kept as a record of what it did (the audit of the kill list)', async () => {
    const number = fresh164();
    await directory.addOptOut(PROJECT, number, 'cli:alex');
    await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-audit-1' }));
    await directory.applyInboundKeyword(PROJECT, start(number, { messageId: 'SM-audit-1' }));
    const rows = await fresh.rows<{ message_id: string; intent: string; keyword: string; outcome: string; kept_source: string | null }>(
      'SELECT message_id, intent, keyword, outcome, kept_source FROM inbound_messages WHERE project_id = ? AND e164 = ?',
      [PROJECT, number],
    );
    expect(rows).toEqual([{ message_id: 'SM-audit-1', intent: 'optIn', keyword: 'START', outcome: 'kept', kept_source: 'cli:alex' }]);
  });

  test('the same message posted many times at once is applied once', async () => {
    const number = fresh164();
    // Distinct messages first, so PostgreSQL's pool holds open connections and the burst below overlaps.
    const warmUp = fresh164();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => directory.applyInboundKeyword(PROJECT, stop(warmUp, { messageId: `SM-warm-${i}` }))),
    );
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => directory.applyInboundKeyword(PROJECT, stop(number, { messageId: 'SM-burst' }))),
    );
    expect(outcomes.filter((o) => o.applied === 'added')).toHaveLength(1);
    expect(outcomes.filter((o) => o.applied === 'duplicate')).toHaveLength(7);
    const count = await fresh.rows<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM inbound_messages WHERE project_id = ? AND message_id = ?',
      [PROJECT, 'SM-burst'],
    );
    expect(Number(count[0].n)).toBe(1);
  });

  test('a number the kill list cannot read is an input error, and nothing is recorded', async () => {
    await expect(directory.applyInboundKeyword(PROJECT, stop('twelve', { messageId: 'SM-bad' }))).rejects.toThrow(
      /kill list of project "keywords": Not a phone number/,
    );
    expect(await fresh.rows('SELECT 1 FROM inbound_messages WHERE message_id = ?', ['SM-bad'])).toEqual([]);
  });
});
