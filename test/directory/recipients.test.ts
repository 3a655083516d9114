/** Recipient resolution and counting: the audience matrix, exclusions with reasons, duplicate policies. */
import type { AudienceSelection, DuplicatePolicy } from '../../domain/types';
import { DirectoryInputError, type ContactInput, type Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';

const PROJECT = 'acme';

/** Ids grow in this order, so the lowest id of a shared number is the first listed. */
const CONTACTS: ContactInput[] = [
  { externalId: 'a1', fields: { firstName: 'Ana', mobile: '(514) 555-0001' }, groups: ['vip', 'news'] },
  { externalId: 'a2', fields: { firstName: 'Ben', mobile: '514.555.0001' }, groups: ['vip'] },
  { externalId: 'a3', fields: { firstName: 'Cam', mobile: '+1 514 555 0001' }, groups: ['news'] },
  { externalId: 'a4', fields: { firstName: 'Dee', mobile: '1-514-555-0004' }, groups: ['news'] },
  { externalId: 'a5', active: false, fields: { firstName: 'Eve', mobile: '514 555 0005' }, groups: ['vip'] },
  { externalId: 'a6', fields: { firstName: 'Fay' }, groups: ['news'] },
  { externalId: 'a7', fields: { firstName: 'Gus', mobile: 'call me' }, groups: ['vip'] },
  { externalId: 'a8', fields: { firstName: 'Hal', mobile: '438 555 0008' }, groups: ['vip'] },
  { externalId: 'a9', fields: { firstName: 'Ivy', mobile: '514 555 0009' } },
  { externalId: 'a10', active: false, fields: { firstName: 'Jon', mobile: 'nope' }, groups: ['staff'] },
];

const all = (duplicatePolicy: DuplicatePolicy): AudienceSelection => ({ projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy });
const groups = (names: string[], duplicatePolicy: DuplicatePolicy): AudienceSelection => ({
  projectId: PROJECT,
  audience: 'groups',
  groups: names,
  duplicatePolicy,
});

describe.each(STORES)('recipients (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
    await directory.upsertProject({ id: PROJECT, name: 'Acme', numberField: 'mobile', defaultCountry: 'CA', timeZone: 'America/Toronto' });
    expect(await directory.upsertContacts(PROJECT, CONTACTS)).toEqual({ inserted: 10, updated: 0 });
    await directory.addOptOut(PROJECT, '438-555-0008', 'test');
  });
  afterAll(() => close());

  test('groups are created with their members', async () => {
    expect(await directory.listGroups(PROJECT)).toEqual([
      { name: 'news', memberCount: 4 },
      { name: 'staff', memberCount: 1 },
      { name: 'vip', memberCount: 5 },
    ]);
  });

  test('all contacts, one message per contact: 3 contacts sharing a number get 3 messages', async () => {
    expect(await directory.countAudience(all('perContact'))).toEqual({
      targeted: 10,
      excluded: { inactive: 2, missingNumber: 1, invalidNumber: 1, optedOut: 1, duplicateNumber: 0 },
      distinctNumbers: 3,
      messages: 5,
    });
  });

  test('all contacts, one message per number: numbers written in different local formats count once', async () => {
    expect(await directory.countAudience(all('perNumber'))).toEqual({
      targeted: 10,
      excluded: { inactive: 2, missingNumber: 1, invalidNumber: 1, optedOut: 1, duplicateNumber: 2 },
      distinctNumbers: 3,
      messages: 3,
    });
  });

  test('a contact in two selected groups is targeted once', async () => {
    expect(await directory.countAudience(groups(['vip', 'news'], 'perContact'))).toEqual({
      targeted: 8,
      excluded: { inactive: 1, missingNumber: 1, invalidNumber: 1, optedOut: 1, duplicateNumber: 0 },
      distinctNumbers: 2,
      messages: 4,
    });
    expect(await directory.countAudience(groups(['vip', 'news'], 'perNumber'))).toEqual({
      targeted: 8,
      excluded: { inactive: 1, missingNumber: 1, invalidNumber: 1, optedOut: 1, duplicateNumber: 2 },
      distinctNumbers: 2,
      messages: 2,
    });
  });

  test('one group', async () => {
    expect(await directory.countAudience(groups(['vip'], 'perNumber'))).toEqual({
      targeted: 5,
      excluded: { inactive: 1, missingNumber: 0, invalidNumber: 1, optedOut: 1, duplicateNumber: 1 },
      distinctNumbers: 1,
      messages: 1,
    });
  });

  test('an inactive contact with an invalid number is counted as inactive (the first reason)', async () => {
    expect(await directory.countAudience(groups(['staff'], 'perContact'))).toEqual({
      targeted: 1,
      excluded: { inactive: 1, missingNumber: 0, invalidNumber: 0, optedOut: 0, duplicateNumber: 0 },
      distinctNumbers: 0,
      messages: 0,
    });
  });

  test('under perNumber the contact with the lowest id keeps the number', async () => {
    await directory.createSending({ id: 'dedup', projectId: PROJECT, selection: all('perNumber'), createdBy: 'test', createdAt: 1 });
    const summary = await directory.prepareSnapshot('dedup', all('perNumber'));
    expect(summary.snapshotSize).toBe(3);
    const rows = await directory.readSnapshot('dedup', 0, 10);
    expect(rows.map((row) => [row.seq, row.externalId, row.e164])).toEqual([
      [1, 'a1', '+15145550001'],
      [2, 'a4', '+15145550004'],
      [3, 'a9', '+15145550009'],
    ]);
  });

  test('removing a number from the kill list makes its contact a recipient again', async () => {
    await directory.removeOptOut(PROJECT, '+14385550008');
    expect((await directory.countAudience(groups(['vip'], 'perContact'))).messages).toBe(3);
    await directory.addOptOut(PROJECT, '(438) 555-0008', 'test');
    expect((await directory.countAudience(groups(['vip'], 'perContact'))).messages).toBe(2);
  });

  test('an unknown group is an input error naming the project, the group and the known groups', async () => {
    const attempt = directory.countAudience(groups(['vip', 'VIP'], 'perContact'));
    await expect(attempt).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(attempt).rejects.toThrow('Unknown group "VIP" in project "acme". Known groups: news, staff, vip.');
  });

  test("the field names a message can use: every contact's keys once, sorted, without the number field", async () => {
    expect(await directory.contactFieldNames(PROJECT)).toEqual(['firstName']);
    await directory.upsertContacts(PROJECT, [{ externalId: 'a11', fields: { city: 'Laval', 'last name': 'Z', mobile: '514 555 0011' } }]);
    expect(await directory.contactFieldNames(PROJECT)).toEqual(['city', 'firstName', 'last name']);
    await expect(directory.contactFieldNames('acne')).rejects.toThrow('Unknown project "acne".');
    await directory.deleteContact!(PROJECT, 'a11');
  });

  test('an unknown project is an input error naming the known projects', async () => {
    const attempt = directory.countAudience({ ...all('perContact'), projectId: 'acne' });
    await expect(attempt).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(attempt).rejects.toThrow('Unknown project "acne". Known projects: acme.');
  });

  test('audience groups without a group name is an input error', async () => {
    await expect(directory.countAudience(groups([], 'perContact'))).rejects.toThrow(/names no group/);
  });

  test('a number the kill list cannot read is an input error', async () => {
    await expect(directory.addOptOut(PROJECT, 'twelve', 'test')).rejects.toThrow(/kill list of project "acme": Not a phone number/);
  });
});
