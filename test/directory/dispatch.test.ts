/** The dispatch side: last-moment checks, per-recipient states, progress, outbox and audit log. */
import type { AudienceSelection } from '../../domain/types';
import { DirectoryInputError, type Directory, type SnapshotRow } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';

const PROJECT = 'disp';
const everyone: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe.each(STORES)('dispatch (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;
  let rows: SnapshotRow[];
  const SENDING = 'dispatch-1';

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
    await directory.upsertProject({ id: PROJECT, name: 'Dispatch', defaultCountry: 'CA' });
    await directory.upsertContacts(PROJECT, [
      { externalId: 'd1', fields: { mobile: '514 555 0301' } },
      { externalId: 'd2', fields: { mobile: '514 555 0302' } },
      { externalId: 'd3', fields: { mobile: '514 555 0303' } },
      { externalId: 'd4', fields: { mobile: '514 555 0304' } },
    ]);
    await directory.createSending({ id: SENDING, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(SENDING, everyone);
    rows = await directory.readSnapshot(SENDING, 0, 10);
  });
  afterAll(() => close());

  test('checkDispatch sees the kill list, the active flag and deletion as they are now', async () => {
    const [d1, d2, d3] = rows;
    expect(await directory.checkDispatch(PROJECT, d1.contactId, d1.e164)).toBe('ok');

    await directory.addOptOut(PROJECT, '(514) 555-0301', 'reply STOP');
    await directory.setContactActive(PROJECT, 'd1', false);
    expect(await directory.checkDispatch(PROJECT, d1.contactId, d1.e164)).toBe('optedOut');
    await directory.removeOptOut(PROJECT, '5145550301');
    expect(await directory.checkDispatch(PROJECT, d1.contactId, d1.e164)).toBe('inactive');
    await directory.setContactActive(PROJECT, 'd1', true);
    expect(await directory.checkDispatch(PROJECT, d1.contactId, d1.e164)).toBe('ok');

    expect(await directory.deleteContact?.(PROJECT, 'd2')).toBe(true);
    expect(await directory.checkDispatch(PROJECT, d2.contactId, d2.e164)).toBe('removed');
    expect(await directory.checkDispatch('other-project', d3.contactId, d3.e164)).toBe('removed');
    expect(await directory.checkDispatch(PROJECT, 'not-an-id', d3.e164)).toBe('removed');

    const [afterDeletion] = await directory.readSnapshot(SENDING, 1, 1);
    expect(afterDeletion).toMatchObject({ seq: 2, e164: '+15145550302', fields: {}, state: 'pending' });
    expect(afterDeletion.externalId).toBeUndefined();
  });

  test('marking a message dispatching counts attempts; release puts only a dispatching row back to pending', async () => {
    await directory.markDispatching(SENDING, 3);
    await directory.releaseDispatching(SENDING, 3);
    await directory.markDispatching(SENDING, 3);
    expect((await directory.readSnapshot(SENDING, 2, 1))[0]).toMatchObject({ seq: 3, state: 'dispatching', attempts: 2 });
    await directory.markDone(SENDING, 3, 'sent', 'SM123');
    await directory.releaseDispatching(SENDING, 3);
    expect((await directory.readSnapshot(SENDING, 2, 1))[0]).toMatchObject({ seq: 3, state: 'sent', attempts: 2 });

    await directory.markDispatching(SENDING, 4);
    await directory.markDone(SENDING, 4, 'failed', '21211 invalid To number');
    await directory.markDone(SENDING, 2, 'skipped', 'removed');
    expect(await directory.progress(SENDING)).toEqual({ pending: 1, held: 0, dispatching: 0, sent: 1, failed: 1, skipped: 1, unknown: 0 });
    expect(await directory.progress('no-such-sending')).toEqual({ pending: 0, held: 0, dispatching: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 });
  });

  test('claimDispatch marks a row dispatching only when the recipient may still get it, and says why not otherwise', async () => {
    const claim = 'dispatch-claim';
    await directory.createSending({ id: claim, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(claim, everyone);
    // d2 was deleted by the first test: d1, d3, d4.
    const [c1, c3, c4] = await directory.readSnapshot(claim, 0, 10);
    await directory.addOptOut(PROJECT, c3.e164, 'reply STOP');
    await directory.setContactActive(PROJECT, 'd4', false);
    // Asked at the same moment, as the lanes of a batch do: answered together, each about its own row.
    expect(
      await Promise.all([
        directory.claimDispatch(claim, c1.seq, PROJECT, c1.contactId, c1.e164),
        directory.claimDispatch(claim, c3.seq, PROJECT, c3.contactId, c3.e164),
        directory.claimDispatch(claim, c4.seq, PROJECT, c4.contactId, c4.e164),
        directory.checkDispatch(PROJECT, c1.contactId, c1.e164),
        directory.claimDispatch(claim, 99, PROJECT, c1.contactId, c1.e164).catch((error: unknown) => error),
      ]),
    ).toEqual(['ok', 'optedOut', 'inactive', 'ok', expect.any(DirectoryInputError)]);
    const states = (await directory.readSnapshot(claim, 0, 10)).map((row) => [row.seq, row.state, row.attempts]);
    expect(states).toEqual([[1, 'dispatching', 1], [2, 'pending', 0], [3, 'pending', 0]]);
    await Promise.all([directory.markDone(claim, 1, 'sent', 'SM1'), directory.markDone(claim, 2, 'skipped', 'optedOut'), directory.markDispatching(claim, 3)]);
    expect((await directory.readSnapshot(claim, 0, 10)).map((row) => [row.state, row.attempts])).toEqual([['sent', 1], ['skipped', 0], ['dispatching', 1]]);
    await directory.removeOptOut(PROJECT, c3.e164);
    await directory.setContactActive(PROJECT, 'd4', true);
  });

  test('held recipients: due ones are read in seq order, a held-again one drops out, the summary says how many and until when', async () => {
    const held = 'dispatch-held';
    await directory.createSending({ id: held, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(held, everyone);
    expect(await directory.heldSummary(held)).toEqual({ count: 0, nextMs: null, lastMs: null });
    await directory.markHeld(held, 3, 3000);
    await directory.markHeld(held, 1, 1000);
    await directory.markHeld(held, 2, 9000);
    expect(await directory.heldSummary(held)).toEqual({ count: 3, nextMs: 1000, lastMs: 9000 });
    expect((await directory.readDueHeld(held, 3000, 10)).map((r) => [r.seq, r.state])).toEqual([[1, 'held'], [3, 'held']]);
    expect((await directory.readDueHeld(held, 3000, 1)).map((r) => r.seq)).toEqual([1]);
    await directory.markHeld(held, 1, 5000);
    await directory.markDispatching(held, 3);
    await directory.markDone(held, 3, 'sent', 'SM3');
    expect(await directory.readDueHeld(held, 3000, 10)).toEqual([]);
    expect(await directory.heldSummary(held)).toEqual({ count: 2, nextMs: 5000, lastMs: 9000 });
    expect(await directory.progress(held)).toMatchObject({ held: 2, sent: 1, pending: 0 });
  });

  test('skipRecipients marks only pending rows skipped, with the reason', async () => {
    const skip = 'dispatch-skip';
    await directory.createSending({ id: skip, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(skip, everyone);
    await directory.markDispatching(skip, 2);
    await directory.markDone(skip, 2, 'sent', 'SM2');
    await directory.skipRecipients(skip, [1, 2], 'numberType:FIXED_LINE');
    expect((await directory.readSnapshot(skip, 0, 10)).map((r) => r.state)).toEqual(['skipped', 'sent', 'pending']);
    expect(await directory.progress(skip)).toMatchObject({ skipped: 1, sent: 1, pending: 1 });
  });

  test('marking a recipient that is not in the snapshot is an input error', async () => {
    await expect(directory.markDispatching(SENDING, 99)).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(directory.markDone(SENDING, 99, 'sent', null)).rejects.toThrow('Sending "dispatch-1" has no recipient #99 in its snapshot.');
  });

  test('the outbox keeps one message per (sending, seq): a retried write changes nothing', async () => {
    await directory.writeOutbox({ sendingId: SENDING, seq: 2, to: '+15145550302', from: 'ACME', body: 'second' });
    await directory.writeOutbox({ sendingId: SENDING, seq: 1, to: '+15145550301', from: null, body: 'first' });
    await directory.writeOutbox({ sendingId: SENDING, seq: 1, to: '+15145550301', from: null, body: 'first, again' });
    const outbox = await directory.readOutbox(SENDING);
    expect(outbox.map(({ createdAt, ...message }) => message)).toEqual([
      { sendingId: SENDING, seq: 1, to: '+15145550301', from: null, body: 'first' },
      { sendingId: SENDING, seq: 2, to: '+15145550302', from: 'ACME', body: 'second' },
    ]);
    expect(typeof outbox[0].createdAt).toBe('number');
    expect(await directory.readOutbox('other')).toEqual([]);
  });

  test('the audit log returns the entries of a sending in order, with their details', async () => {
    const before = Date.now();
    await directory.audit({ sendingId: SENDING, action: 'prepared', actor: 'paula', detail: { messages: 4, zone: 'America/Toronto' } });
    await directory.audit({ sendingId: 'another', action: 'prepared', actor: 'x' });
    await directory.audit({ sendingId: SENDING, action: 'approved', actor: 'alice' });
    await directory.audit({ sendingId: SENDING, action: 'rejected', actor: 'bob', detail: { reason: 'typo "here"' } });
    const log = await directory.readAudit(SENDING);
    expect(log.map(({ at, ...entry }) => entry)).toEqual([
      { sendingId: SENDING, action: 'prepared', actor: 'paula', detail: { messages: 4, zone: 'America/Toronto' } },
      { sendingId: SENDING, action: 'approved', actor: 'alice' },
      { sendingId: SENDING, action: 'rejected', actor: 'bob', detail: { reason: 'typo "here"' } },
    ]);
    for (const entry of log) expect(entry.at).toBeGreaterThanOrEqual(before);
  });
});
