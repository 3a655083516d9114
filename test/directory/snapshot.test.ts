/** Preparing, refreshing and reading the recipients snapshot of a sending. */
import type { AudienceSelection, DuplicatePolicy } from '../../domain/types';
import { DirectoryInputError, type Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';
import { claimRow, sendRow } from '../support/ledger';

const PROJECT = 'snap';
const vip = (duplicatePolicy: DuplicatePolicy = 'perContact'): AudienceSelection => ({
  projectId: PROJECT,
  audience: 'groups',
  groups: ['vip'],
  duplicatePolicy,
});

describe.each(STORES)('snapshot (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;
  let sendingCount = 0;

  const newSending = async (selection: AudienceSelection): Promise<string> => {
    const id = `sending-${++sendingCount}`;
    await directory.createSending({ id, projectId: selection.projectId, selection, createdBy: 'paula', createdAt: 1_700_000_000_000 });
    return id;
  };
  const snapshot = async (id: string) =>
    (await directory.readSnapshot(id, 0, 1000)).map((row) => ({ seq: row.seq, contact: row.externalId, e164: row.e164, state: row.state }));

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
    await directory.upsertProject({ id: PROJECT, name: 'Snapshot', numberField: 'mobile', defaultCountry: 'CA' });
    await directory.upsertProject({ id: 'other', name: 'Other', defaultCountry: 'CA' });
  });
  afterAll(() => close());

  beforeEach(async () => {
    // Each test starts from the same four contacts: s1..s3 in vip, s4 in news.
    for (const [id, mobile, groups] of [
      ['s1', '514 555 0201', ['vip']],
      ['s2', '514 555 0202', ['vip']],
      ['s3', '514 555 0203', ['vip']],
      ['s4', '514 555 0204', ['news']],
    ] as const) {
      await directory.upsertContacts(PROJECT, [
        { externalId: id, active: true, fields: { firstName: id.toUpperCase(), mobile }, groups: [...groups] },
      ]);
    }
  });

  test('prepare writes the recipients in contact order, with their profile fields, and returns the counts', async () => {
    const id = await newSending(vip());
    expect(await directory.getSending(id)).toEqual({
      id,
      projectId: PROJECT,
      selection: vip(),
      createdBy: 'paula',
      createdAt: 1_700_000_000_000,
    });
    expect(await directory.prepareSnapshot(id, vip())).toEqual({
      targeted: 3,
      excluded: { inactive: 0, missingNumber: 0, invalidNumber: 0, optedOut: 0, duplicateNumber: 0 },
      distinctNumbers: 3,
      messages: 3,
      snapshotSize: 3,
    });
    const rows = await directory.readSnapshot(id, 0, 10);
    const canadian = { country: 'CA', type: 'FIXED_LINE_OR_MOBILE' };
    expect(rows.map(({ contactId, ...row }) => row)).toEqual([
      {
        seq: 1,
        externalId: 's1',
        e164: '+15145550201',
        fields: { firstName: 'S1', mobile: '514 555 0201' },
        state: 'pending',
        attempts: 0,
        facts: canadian,
      },
      {
        seq: 2,
        externalId: 's2',
        e164: '+15145550202',
        fields: { firstName: 'S2', mobile: '514 555 0202' },
        state: 'pending',
        attempts: 0,
        facts: canadian,
      },
      {
        seq: 3,
        externalId: 's3',
        e164: '+15145550203',
        fields: { firstName: 'S3', mobile: '514 555 0203' },
        state: 'pending',
        attempts: 0,
        facts: canadian,
      },
    ]);
    expect(Number(rows[0].contactId)).toBeLessThan(Number(rows[1].contactId));
    expect(await directory.progress(id)).toEqual({ pending: 3, held: 0, dispatching: 0, sent: 0, failed: 0, skipped: 0, unknown: 0 });
  });

  test('readSnapshot pages by seq', async () => {
    const id = await newSending(vip());
    await directory.prepareSnapshot(id, vip());
    expect((await directory.readSnapshot(id, 1, 1)).map((row) => row.seq)).toEqual([2]);
    expect((await directory.readSnapshot(id, 2, 100)).map((row) => row.seq)).toEqual([3]);
    expect(await directory.readSnapshot(id, 3, 100)).toEqual([]);
  });

  test("prepare freezes the message's fields per recipient: an edit after it changes the profile, not what is sent; refresh freezes the ones it adds", async () => {
    const id = await newSending(vip());
    await directory.prepareSnapshot(id, vip(), ['firstName', 'city']);
    await directory.upsertContacts(PROJECT, [
      { externalId: 's1', fields: { firstName: 'Changed', mobile: '514 555 0201', city: 'Laval' } },
    ]);
    const [s1] = await directory.readSnapshot(id, 0, 1);
    expect(s1.frozenFields).toEqual({ firstName: 'S1', city: null });
    expect(s1.fields).toMatchObject({ firstName: 'Changed', city: 'Laval' });

    await directory.upsertContacts(PROJECT, [
      { externalId: 's5', fields: { firstName: 'S5', mobile: '514 555 0205', city: 'Québec' }, groups: ['vip'] },
    ]);
    expect(await directory.refreshSnapshot(id, vip(), ['firstName', 'city'])).toMatchObject({ added: 1 });
    expect((await directory.readSnapshot(id, 3, 1))[0].frozenFields).toEqual({ firstName: 'S5', city: 'Québec' });
    // A message without fields freezes an empty set; a snapshot made without a field list freezes nothing.
    const bare = await newSending(vip());
    await directory.prepareSnapshot(bare, vip(), []);
    expect((await directory.readSnapshot(bare, 0, 1))[0].frozenFields).toEqual({});
    await directory.prepareSnapshot(bare, vip());
    expect((await directory.readSnapshot(bare, 0, 1))[0]).not.toHaveProperty('frozenFields');
    await expect(directory.prepareSnapshot(bare, vip(), ["first'Name"])).rejects.toThrow('"first\'Name" is not a field name');
    expect(await directory.deleteContact?.(PROJECT, 's5')).toBe(true);
  });

  test('preparing again replaces the snapshot', async () => {
    const id = await newSending(vip());
    await directory.prepareSnapshot(id, vip());
    await claimRow(directory, id, 1);
    await directory.setContactActive(PROJECT, 's1', false);
    expect((await directory.prepareSnapshot(id, vip())).snapshotSize).toBe(2);
    expect(await snapshot(id)).toEqual([
      { seq: 1, contact: 's2', e164: '+15145550202', state: 'pending' },
      { seq: 2, contact: 's3', e164: '+15145550203', state: 'pending' },
    ]);
  });

  test('refresh adds a contact created after preparation, drops one removed from its group, follows a changed number', async () => {
    const id = await newSending(vip());
    await directory.prepareSnapshot(id, vip());
    await sendRow(directory, id, 1, 'provider-id-1');

    await directory.upsertContacts(PROJECT, [{ externalId: 's5', fields: { firstName: 'S5', mobile: '514 555 0205' }, groups: ['vip'] }]);
    await directory.setMemberships(PROJECT, 's2', ['news']);
    await directory.upsertContacts(PROJECT, [{ externalId: 's3', fields: { firstName: 'S3', mobile: '514 555 0299' } }]);
    await directory.setContactActive(PROJECT, 's1', false);

    expect(await directory.refreshSnapshot(id, vip())).toEqual({ added: 1, removed: 1, renumbered: 1, total: 3 });
    expect(await snapshot(id)).toEqual([
      { seq: 1, contact: 's1', e164: '+15145550201', state: 'sent' },
      { seq: 2, contact: 's2', e164: '+15145550202', state: 'skipped' },
      { seq: 3, contact: 's3', e164: '+15145550299', state: 'pending' },
      { seq: 4, contact: 's5', e164: '+15145550205', state: 'pending' },
    ]);
    expect(await directory.progress(id)).toEqual({ pending: 2, held: 0, dispatching: 0, sent: 1, failed: 0, skipped: 1, unknown: 0 });

    expect(await directory.refreshSnapshot(id, vip())).toEqual({ added: 0, removed: 0, renumbered: 0, total: 3 });

    await directory.setMemberships(PROJECT, 's2', ['vip']);
    expect(await directory.refreshSnapshot(id, vip())).toEqual({ added: 1, removed: 0, renumbered: 0, total: 4 });
    expect((await snapshot(id)).at(-1)).toEqual({ seq: 5, contact: 's2', e164: '+15145550202', state: 'pending' });

    expect(await directory.deleteContact?.(PROJECT, 's5')).toBe(true);
  });

  test('under perNumber, refresh never adds a second message for a number already in the snapshot', async () => {
    const id = await newSending(vip('perNumber'));
    expect((await directory.prepareSnapshot(id, vip('perNumber'))).snapshotSize).toBe(3);
    await sendRow(directory, id, 2, 'provider-id-2');
    await directory.upsertContacts(PROJECT, [{ externalId: 's6', fields: { mobile: '(514) 555-0202' }, groups: ['vip'] }]);
    expect(await directory.countAudience(vip('perNumber'))).toMatchObject({ messages: 3, excluded: { duplicateNumber: 1 } });
    expect(await directory.refreshSnapshot(id, vip('perNumber'))).toEqual({ added: 0, removed: 0, renumbered: 0, total: 3 });
    expect(await directory.deleteContact?.(PROJECT, 's6')).toBe(true);
  });

  test('a sending that was never recorded, or of another project, cannot be prepared', async () => {
    await expect(directory.prepareSnapshot('ghost', vip())).rejects.toThrow('Unknown sending "ghost"');
    const other = await newSending({ ...vip(), projectId: 'other', audience: 'all' });
    await expect(directory.prepareSnapshot(other, vip())).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(directory.refreshSnapshot(other, vip())).rejects.toThrow(`Sending "${other}" belongs to project "other", not "snap".`);
  });

  test('recording a sending again keeps its creator and takes the new selection', async () => {
    const id = await newSending(vip());
    await directory.createSending({ id, projectId: PROJECT, selection: vip('perNumber'), createdBy: 'someone else', createdAt: 5 });
    expect(await directory.getSending(id)).toMatchObject({ createdBy: 'paula', createdAt: 1_700_000_000_000, selection: vip('perNumber') });
    expect(await directory.getSending('never')).toBeUndefined();
  });
});
