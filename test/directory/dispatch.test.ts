/** The dispatch side: last-moment checks, per-recipient states, progress, outbox and audit log. */
import type { AudienceSelection } from '../../domain/types';
import { DirectoryInputError, type Claim, type Directory, type RecipientRef, type SnapshotRow } from '../../worker/directory/directory';
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

  const claimOf = (token: string, leaseUntilMs = Date.now() + 60_000): Claim => ({ token, leaseUntilMs });
  const refOf = (sendingId: string, row: SnapshotRow): RecipientRef => ({
    sendingId,
    seq: row.seq,
    projectId: PROJECT,
    contactId: row.contactId,
    e164: row.e164,
  });
  const states = async (sendingId: string) => (await directory.readSnapshot(sendingId, 0, 10)).map((row) => [row.seq, row.state]);
  async function freshSending(id: string): Promise<SnapshotRow[]> {
    await directory.createSending({ id, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(id, everyone);
    return directory.readSnapshot(id, 0, 10);
  }

  test('a claim is a compare-and-set: of two attempts claiming one row at the same moment, one gets it', async () => {
    const [r1] = await freshSending('cas-claim');
    const outcomes = await Promise.all([
      directory.claimDispatch(refOf('cas-claim', r1), claimOf('attempt-1')),
      directory.claimDispatch(refOf('cas-claim', r1), claimOf('attempt-2')),
    ]);
    expect(outcomes.sort()).toEqual(['claimed', 'taken']);
    const [row] = await directory.readSnapshot('cas-claim', 0, 1);
    expect(row).toMatchObject({ state: 'dispatching', attempts: 1 });
    expect(['attempt-1', 'attempt-2']).toContain(row.claim?.token);
    // Claimed again later (e.g. a retried batch that read it as pending): still taken.
    expect(await directory.claimDispatch(refOf('cas-claim', r1), claimOf('attempt-3'))).toBe('taken');
  });

  test('only the attempt holding a row settles or releases it, and nothing overwrites a final state', async () => {
    const [r1, r3] = await freshSending('cas-settle');
    expect(await directory.claimDispatch(refOf('cas-settle', r1), claimOf('holder'))).toBe('claimed');
    expect(await directory.settleClaim('cas-settle', r1.seq, 'intruder', 'sent', 'SM-x')).toBe(false);
    expect(await directory.releaseClaim('cas-settle', r1.seq, 'intruder')).toBe(false);
    expect(await directory.renewClaim('cas-settle', r1.seq, claimOf('intruder'))).toBe(false);
    expect(await directory.settleClaim('cas-settle', r1.seq, 'holder', 'unknown', 'did not answer')).toBe(true);
    // The holder itself cannot change it afterwards either: `unknown` stays unknown.
    expect(await directory.settleClaim('cas-settle', r1.seq, 'holder', 'sent', 'SM-late')).toBe(false);
    expect(await directory.takeOverClaim('cas-settle', r1.seq, 'holder', claimOf('next'), Date.now() + 120_000)).toBe(false);
    expect(await directory.abandonClaim('cas-settle', r1.seq, 'holder', 'gone', Date.now() + 120_000)).toBe(false);
    expect(await directory.claimDispatch(refOf('cas-settle', r1), claimOf('next'))).toBe('taken');
    expect(await directory.skipRecipient('cas-settle', r1.seq, 'optedOut')).toBe(false);
    expect(await directory.holdRecipient('cas-settle', r1.seq, 5000)).toBe(false);

    expect(await directory.claimDispatch(refOf('cas-settle', r3), claimOf('holder'))).toBe('claimed');
    expect(await directory.releaseClaim('cas-settle', r3.seq, 'holder')).toBe(true);
    expect(await states('cas-settle')).toEqual([
      [1, 'unknown'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
    expect((await directory.readSnapshot('cas-settle', 0, 1))[0]).not.toHaveProperty('claim');
  });

  test('settles asked at the same moment are written together, each only where its attempt holds the row', async () => {
    const rows = await freshSending('cas-group');
    for (const row of rows) expect(await directory.claimDispatch(refOf('cas-group', row), claimOf(`t${row.seq}`))).toBe('claimed');
    const written = await Promise.all([
      directory.settleClaim('cas-group', 1, 't1', 'sent', 'SM1'),
      directory.settleClaim('cas-group', 2, 'wrong', 'sent', 'SM2'),
      directory.settleClaim('cas-group', 3, 't3', 'failed', '21211 invalid To number'),
      directory.settleClaim('cas-group', 99, 't1', 'sent', 'SM99'),
    ]);
    expect(written).toEqual([true, false, true, false]);
    expect(await states('cas-group')).toEqual([
      [1, 'sent'],
      [2, 'dispatching'],
      [3, 'failed'],
    ]);
    expect(await directory.progress('cas-group')).toEqual({
      pending: 0,
      held: 0,
      dispatching: 1,
      sent: 1,
      failed: 1,
      skipped: 0,
      unknown: 0,
    });
    expect(await directory.progress('cas-group', 1)).toEqual({
      pending: 0,
      held: 0,
      dispatching: 0,
      sent: 1,
      failed: 0,
      skipped: 0,
      unknown: 0,
    });
    expect(await directory.progress('no-such-sending')).toEqual({
      pending: 0,
      held: 0,
      dispatching: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      unknown: 0,
    });
  });

  test('settles and claims asked at the same moment (PostgreSQL: one call for both) each get their own answer', async () => {
    const rows = await freshSending('cas-mixed');
    for (const seq of [1, 2]) expect(await directory.claimDispatch(refOf('cas-mixed', rows[seq - 1]), claimOf(`t${seq}`))).toBe('claimed');
    const answers = await Promise.all([
      directory.settleClaim('cas-mixed', 1, 't1', 'sent', 'SM1'),
      directory.claimDispatch(refOf('cas-mixed', rows[2]), claimOf('t3')),
      directory.settleClaim('cas-mixed', 2, 'wrong', 'sent', 'SM2'),
      // The same row as the first settle: never in the same call; it sees the row sent.
      directory.claimDispatch(refOf('cas-mixed', rows[0]), claimOf('t9')),
    ]);
    expect(answers).toEqual([true, 'claimed', false, 'taken']);
    expect(await states('cas-mixed')).toEqual([
      [1, 'sent'],
      [2, 'dispatching'],
      [3, 'dispatching'],
    ]);
  });

  test("a claim's error does not fail a settle asked at the same moment (PostgreSQL: the call is tried again per kind)", async () => {
    const rows = await freshSending('cas-fail');
    expect(await directory.claimDispatch(refOf('cas-fail', rows[0]), claimOf('t1'))).toBe('claimed');
    // A seq that is not a whole number: PostgreSQL's cast fails the claim (SQLite would round it: PostgreSQL only).
    const bad = { ...refOf('cas-fail', rows[1]), seq: 1.5 };
    const [settled, claimed] = await Promise.allSettled([
      directory.settleClaim('cas-fail', 1, 't1', 'sent', 'SM1'),
      store === 'postgres' ? directory.claimDispatch(bad, claimOf('t2')) : Promise.reject(new Error('not on SQLite')),
    ]);
    expect(settled).toEqual({ status: 'fulfilled', value: true });
    expect(claimed.status).toBe('rejected');
    expect(await states('cas-fail')).toEqual([
      [1, 'sent'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
  });

  test("a provider's text with a NUL or an unpaired surrogate is written as the column can hold it, and the message settles", async () => {
    const rows = await freshSending('cas-text');
    expect(await directory.claimDispatch(refOf('cas-text', rows[0]), claimOf('t1'))).toBe('claimed');
    expect(await directory.claimDispatch(refOf('cas-text', rows[1]), claimOf('t2'))).toBe('claimed');
    const written = await Promise.all([
      directory.settleClaim('cas-text', 1, 't1', 'failed', 'refused\u0000 by carrier'),
      directory.settleClaim('cas-text', 2, 't2', 'failed', 'odd \ud800 text'),
    ]);
    expect(written).toEqual([true, true]);
    const [r1, r2] = await directory.readDeliveryReport('cas-text', 0, 2);
    expect([r1, r2].map((row) => [row.state, row.detail])).toEqual([
      ['failed', 'refused by carrier'],
      ['failed', 'odd \ufffd text'],
    ]);
  });

  test('a row whose holder lost its lease is taken over (idempotent resend) or abandoned as unknown, once, from that holder only', async () => {
    const [r1, r3, r4] = await freshSending('cas-lease');
    const now = Date.now();
    for (const row of [r1, r3, r4])
      expect(await directory.claimDispatch(refOf('cas-lease', row), claimOf('dead', now + 1000))).toBe('claimed');
    expect(await directory.inFlight('cas-lease', now)).toEqual({ live: 3, expired: 0, lastLeaseMs: now + 1000 });
    // The lease still runs: nobody may take the row.
    expect(await directory.takeOverClaim('cas-lease', r1.seq, 'dead', claimOf('next'), now)).toBe(false);
    expect(await directory.abandonClaim('cas-lease', r3.seq, 'dead', 'gone', now)).toBe(false);
    const later = now + 2000;
    expect(await directory.inFlight('cas-lease', later)).toMatchObject({ live: 0, expired: 3 });
    expect(await directory.takeOverClaim('cas-lease', r1.seq, 'someone-else', claimOf('next'), later)).toBe(false);
    const takeovers = await Promise.all([
      directory.takeOverClaim('cas-lease', r1.seq, 'dead', claimOf('a'), later),
      directory.takeOverClaim('cas-lease', r1.seq, 'dead', claimOf('b'), later),
    ]);
    expect(takeovers.filter(Boolean)).toHaveLength(1);
    expect(await directory.settleClaim('cas-lease', r1.seq, 'dead', 'sent', 'SM-late')).toBe(false);
    expect(await directory.abandonClaim('cas-lease', r3.seq, 'dead', 'the worker stopped during the call', later)).toBe(true);
    expect(await directory.abandonExpiredClaims('cas-lease', 'in flight when cancelled', later)).toBe(1);
    expect(await states('cas-lease')).toEqual([
      [1, 'dispatching'],
      [2, 'unknown'],
      [3, 'unknown'],
    ]);
  });

  test('a stopped dispatch refuses every claim and takeover until it is resumed; the stop says who and why', async () => {
    const [r1, r3] = await freshSending('cas-stop');
    expect(await directory.dispatchStop('cas-stop')).toBeNull();
    await directory.stopDispatch('cas-stop', { kind: 'paused', reason: 'provider down', atMs: 1234 });
    expect(await directory.dispatchStop('cas-stop')).toEqual({ kind: 'paused', reason: 'provider down', atMs: 1234 });
    expect(await directory.claimDispatch(refOf('cas-stop', r1), claimOf('a'))).toBe('stopped');
    expect(await states('cas-stop')).toEqual([
      [1, 'pending'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
    await directory.resumeDispatch('cas-stop');
    expect(await directory.claimDispatch(refOf('cas-stop', r1), claimOf('a', Date.now() - 1))).toBe('claimed');
    await directory.stopDispatch('cas-stop', { kind: 'cancelled', reason: 'wrong audience', atMs: 5678 });
    expect(await directory.takeOverClaim('cas-stop', r1.seq, 'a', claimOf('b'), Date.now())).toBe(false);
    expect(await directory.claimDispatch(refOf('cas-stop', r3), claimOf('b'))).toBe('stopped');
    // A resume that comes after a cancel does not lift the cancel's stop.
    await directory.resumeDispatch('cas-stop');
    expect(await directory.dispatchStop('cas-stop')).toMatchObject({ kind: 'cancelled', reason: 'wrong audience' });
    expect(await directory.claimDispatch(refOf('cas-stop', r3), claimOf('b'))).toBe('stopped');
    await expect(directory.stopDispatch('no-such-sending', { kind: 'paused', reason: 'x', atMs: 1 })).rejects.toBeInstanceOf(
      DirectoryInputError,
    );
  });

  test('pausedSendings counts the sendings paused now, across the directory: not the cancelled or resumed ones', async () => {
    const before = await directory.pausedSendings();
    await freshSending('paused-a');
    await freshSending('paused-b');
    await directory.stopDispatch('paused-a', { kind: 'paused', reason: 'account refused', atMs: 1 });
    await directory.stopDispatch('paused-b', { kind: 'paused', reason: 'breaker', atMs: 2 });
    expect(await directory.pausedSendings()).toBe(before + 2);
    await directory.resumeDispatch('paused-a');
    await directory.stopDispatch('paused-b', { kind: 'cancelled', reason: 'wrong audience', atMs: 3 });
    expect(await directory.pausedSendings()).toBe(before);
  });

  test('claimDispatch marks a row dispatching only when the recipient may still get it, and otherwise skips it with the reason', async () => {
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
        directory.claimDispatch(refOf(claim, c1), claimOf('t')),
        directory.claimDispatch(refOf(claim, c3), claimOf('t')),
        directory.claimDispatch(refOf(claim, c4), claimOf('t')),
        directory.checkDispatch(PROJECT, c1.contactId, c1.e164),
        directory.claimDispatch({ ...refOf(claim, c1), seq: 99 }, claimOf('t')).catch((error: unknown) => error),
      ]),
    ).toEqual(['claimed', 'optedOut', 'inactive', 'ok', expect.any(DirectoryInputError)]);
    // The recipients who may no longer get it are skipped with the reason, in the same call.
    const rows = await directory.readSnapshot(claim, 0, 10);
    expect(rows.map((row) => [row.seq, row.state, row.attempts])).toEqual([
      [1, 'dispatching', 1],
      [2, 'skipped', 0],
      [3, 'skipped', 0],
    ]);
    expect(rows[0].claim).toEqual({ token: 't', leaseUntilMs: expect.any(Number) });
    await directory.removeOptOut(PROJECT, c3.e164);
    await directory.setContactActive(PROJECT, 'd4', true);
  });

  test('held recipients: due ones are read in seq order, a held-again one drops out, the summary says how many and until when', async () => {
    const held = 'dispatch-held';
    await directory.createSending({ id: held, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(held, everyone);
    expect(await directory.heldSummary(held)).toEqual({ count: 0, nextMs: null, lastMs: null });
    expect(await directory.holdRecipient(held, 3, 3000)).toBe(true);
    expect(await directory.holdRecipient(held, 1, 1000)).toBe(true);
    expect(await directory.holdRecipient(held, 2, 9000)).toBe(true);
    expect(await directory.heldSummary(held)).toEqual({ count: 3, nextMs: 1000, lastMs: 9000 });
    expect((await directory.readDueHeld(held, 3000, 10)).map((r) => [r.seq, r.state])).toEqual([
      [1, 'held'],
      [3, 'held'],
    ]);
    expect((await directory.readDueHeld(held, 3000, 1)).map((r) => r.seq)).toEqual([1]);
    expect(await directory.holdRecipient(held, 1, 5000)).toBe(true);
    const [, , r3] = await directory.readSnapshot(held, 0, 10);
    expect(await directory.claimDispatch(refOf(held, r3), claimOf('t'))).toBe('claimed');
    expect(await directory.settleClaim(held, 3, 't', 'sent', 'SM3')).toBe(true);
    expect(await directory.readDueHeld(held, 3000, 10)).toEqual([]);
    expect(await directory.heldSummary(held)).toEqual({ count: 2, nextMs: 5000, lastMs: 9000 });
    expect(await directory.progress(held)).toMatchObject({ held: 2, sent: 1, pending: 0 });
  });

  test('skipRecipients marks only pending rows skipped, with the reason', async () => {
    const skip = 'dispatch-skip';
    await directory.createSending({ id: skip, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(skip, everyone);
    const [, r2] = await directory.readSnapshot(skip, 0, 10);
    expect(await directory.claimDispatch(refOf(skip, r2), claimOf('t'))).toBe('claimed');
    expect(await directory.settleClaim(skip, r2.seq, 't', 'sent', 'SM2')).toBe(true);
    await directory.skipRecipients(skip, [1, 2], 'numberType:FIXED_LINE');
    expect((await directory.readSnapshot(skip, 0, 10)).map((r) => r.state)).toEqual(['skipped', 'sent', 'pending']);
    expect(await directory.progress(skip)).toMatchObject({ skipped: 1, sent: 1, pending: 1 });
  });

  test('a contact whose number changed since the snapshot is not claimed: skipped as changedAfterApproval, never sent to either number', async () => {
    const [r1, r3] = await freshSending('cas-renumbered');
    await directory.upsertContacts(PROJECT, [{ externalId: 'd1', fields: { mobile: '514 555 0399' } }]);
    expect(await directory.checkDispatch(PROJECT, r1.contactId, r1.e164)).toBe('changedAfterApproval');
    expect(await directory.claimDispatch(refOf('cas-renumbered', r1), claimOf('t'))).toBe('changedAfterApproval');
    expect(await directory.claimDispatch(refOf('cas-renumbered', r3), claimOf('t'))).toBe('claimed');
    expect((await directory.readSnapshot('cas-renumbered', 0, 1))[0]).toMatchObject({ state: 'skipped' });
    await directory.upsertContacts(PROJECT, [{ externalId: 'd1', fields: { mobile: '514 555 0301' } }]);
  });

  test('holding or skipping a recipient that is not in the snapshot is an input error', async () => {
    await expect(directory.holdRecipient(SENDING, 99, 1000)).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(directory.skipRecipient(SENDING, 99, 'optedOut')).rejects.toThrow(
      'Sending "dispatch-1" has no recipient #99 in its snapshot.',
    );
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
