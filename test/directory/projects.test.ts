/** Project settings, contact upserts and renormalization when the number settings change. */
import { DEFAULT_COMPLIANCE } from '../../domain/compliance/settings';
import type { AudienceSelection } from '../../domain/types';
import { DirectoryInputError, type ContactInput, type Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';

const everyone = (projectId: string): AudienceSelection => ({ projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' });

describe.each(STORES)('projects and contacts (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
  });
  afterAll(() => close());

  test('a new project takes the defaults for unset settings; an update keeps the unset ones', async () => {
    expect(await directory.upsertProject({ id: 'p1', name: 'First' })).toEqual({
      id: 'p1',
      name: 'First',
      smsEnabled: true,
      numberField: 'mobile',
      defaultCountry: 'US',
      timeZone: 'UTC',
      senderId: null,
      compliance: DEFAULT_COMPLIANCE,
    });
    await directory.upsertProject({
      id: 'p1',
      name: 'First',
      defaultCountry: 'fr',
      timeZone: 'Europe/Paris',
      senderId: 'ACME',
      smsEnabled: false,
      compliance: { pricePerSegment: 0.07, currency: 'EUR' },
    });
    await directory.upsertProject({ id: 'p1', name: 'Renamed', compliance: { approval: { approvalsRequired: 2 } } });
    expect(await directory.getProject('p1')).toEqual({
      id: 'p1',
      name: 'Renamed',
      smsEnabled: false,
      numberField: 'mobile',
      defaultCountry: 'FR',
      timeZone: 'Europe/Paris',
      senderId: 'ACME',
      compliance: {
        ...DEFAULT_COMPLIANCE,
        pricePerSegment: 0.07,
        currency: 'EUR',
        approval: { ...DEFAULT_COMPLIANCE.approval, approvalsRequired: 2 },
      },
    });
    expect(await directory.getProject('nope')).toBeUndefined();
    expect((await directory.listProjects()).map((project) => project.id)).toContain('p1');
  });

  test('an unknown country or time zone is an input error', async () => {
    await expect(directory.upsertProject({ id: 'p2', name: 'P2', defaultCountry: 'XX' })).rejects.toThrow(
      'Project "p2": unknown default country "XX". Use an ISO 3166-1 alpha-2 code such as CA, US or FR.',
    );
    await expect(directory.upsertProject({ id: 'p2', name: 'P2', timeZone: 'Mars/Olympus' })).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(directory.upsertProject({ id: 'p2', name: 'P2', compliance: { approval: { approvalsRequired: 'two' } } })).rejects.toThrow(
      'Project "p2": compliance.approval.approvalsRequired: must be a whole number from 1 to 10 (got "two").',
    );
    expect(await directory.getProject('p2')).toBeUndefined();
  });

  test('named approvers: each an e-mail and a name (a phone for proof sends), listed once; enough of them for the approvals required', async () => {
    const approvers = [
      { email: 'alex@example.com', name: 'Alex Martin', phone: '+15145550190' },
      { email: 'bea@example.com', name: 'Béa Roy' },
    ];
    const project = await directory.upsertProject({
      id: 'named',
      name: 'Named',
      compliance: { approval: { approvers, requireNamedApprovers: true, approvalsRequired: 2 } },
    });
    expect(project.compliance.approval).toMatchObject({ approvers, requireNamedApprovers: true, approvalsRequired: 2 });
    const refused = async (approval: unknown) =>
      directory.upsertProject({ id: 'bad', name: 'Bad', compliance: { approval } }).catch((err: Error) => err.message);
    expect(await refused({ approvers: [{ email: 'alex', name: 'Alex' }] })).toBe(
      'Project "bad": compliance.approval.approvers[0].email: "alex" is not an e-mail address: each approver is identified by one.',
    );
    expect(await refused({ approvers: [approvers[1], { email: 'BEA@example.com\u200b', name: 'Again' }] })).toBe(
      'Project "bad": compliance.approval.approvers[1].email: BEA@example.com\u200b is listed twice.',
    );
    expect(await refused({ approvers: [{ email: 'c@example.com', name: ' ' }] })).toBe(
      'Project "bad": compliance.approval.approvers[0].name: must be the name the approval page shows, e.g. "Alex Martin".',
    );
    expect(await refused({ approvers: [{ email: 'c@example.com', name: 'C', phone: '514 555 0100' }] })).toBe(
      'Project "bad": compliance.approval.approvers[0].phone: must be an E.164 number such as +15145550100 (it receives proof sends).',
    );
    expect(await refused({ approvers: [{ email: 'c@example.com', name: 'C', role: 'boss' }] })).toBe(
      'Project "bad": compliance.approval.approvers[0].role: unknown setting; an approver has email, name and phone.',
    );
    expect(await refused({ approvers: [approvers[1]], requireNamedApprovers: true, approvalsRequired: 2 })).toBe(
      'Project "bad": compliance.approval.approvers: lists 1 approver(s) but 2 approval(s) are required and only named approvers may approve: add approvers or lower approval.approvalsRequired.',
    );
    expect(await directory.getProject('bad')).toBeUndefined();
  });

  test("an approver's phone written with another script's digits is stored with ASCII digits", async () => {
    const approvers = [{ email: 'alex@example.com', name: 'Alex Martin', phone: '+١٥١٤٥٥٥٠١٩٠' }];
    const project = await directory.upsertProject({ id: 'digits', name: 'Digits', compliance: { approval: { approvers } } });
    expect(project.compliance.approval.approvers).toEqual([{ email: 'alex@example.com', name: 'Alex Martin', phone: '+15145550190' }]);
  });

  test('upsert counts inserts and updates; the last of two inputs with one id wins; unset active keeps the stored one', async () => {
    await directory.upsertProject({ id: 'up', name: 'Up', defaultCountry: 'CA' });
    expect(
      await directory.upsertContacts('up', [
        { externalId: 'u1', active: false, fields: { mobile: '514 555 0001' } },
        { externalId: 'u2', fields: { mobile: '514 555 0002' } },
      ]),
    ).toEqual({ inserted: 2, updated: 0 });
    expect(
      await directory.upsertContacts('up', [
        { externalId: 'u1', fields: { mobile: '514 555 0011' } },
        { externalId: 'u3', fields: { mobile: '514 555 0003' } },
        { externalId: 'u3', fields: { mobile: '514 555 0033' } },
      ]),
    ).toEqual({ inserted: 1, updated: 1 });
    expect(await directory.countAudience(everyone('up'))).toMatchObject({ targeted: 3, messages: 2, excluded: { inactive: 1 } });
    await directory.setContactActive('up', 'u1', true);
    await directory.createSending({ id: 'up-1', projectId: 'up', selection: everyone('up'), createdBy: 't', createdAt: 1 });
    await directory.prepareSnapshot('up-1', everyone('up'));
    expect((await directory.readSnapshot('up-1', 0, 10)).map((row) => row.e164)).toEqual(['+15145550011', '+15145550002', '+15145550033']);
  });

  test('contacts of an unknown project, or without an id, are refused', async () => {
    await expect(directory.upsertContacts('ghost', [{ externalId: 'x', fields: {} }])).rejects.toThrow(/Unknown project "ghost"/);
    await expect(directory.upsertContacts('up', [{ externalId: ' ', fields: {} }])).rejects.toThrow('Contact #1 has no externalId');
    await expect(directory.setContactActive('up', 'nobody', false)).rejects.toThrow('Unknown contact "nobody" in project "up"');
  });

  test('setMemberships replaces the groups of a contact and creates missing ones', async () => {
    await directory.upsertContacts('up', [{ externalId: 'u2', fields: { mobile: '514 555 0002' }, groups: ['a', 'b'] }]);
    await directory.setMemberships('up', 'u2', ['b', 'c', 'c']);
    expect(await directory.listGroups('up')).toEqual([
      { name: 'a', memberCount: 0 },
      { name: 'b', memberCount: 1 },
      { name: 'c', memberCount: 1 },
    ]);
  });

  test('changing the number field renormalizes the stored numbers', async () => {
    await directory.upsertProject({ id: 'rn', name: 'Renormalize', numberField: 'mobile', defaultCountry: 'CA' });
    await directory.upsertContacts('rn', [
      { externalId: 'r1', fields: { mobile: '514 555 0101', home: '06 12 34 56 78' } },
      { externalId: 'r2', fields: { mobile: '', home: '+33 6 12 34 56 79' } },
      { externalId: 'r3', fields: { mobile: '514 555 0103' } },
    ]);
    expect(await directory.countAudience(everyone('rn'))).toMatchObject({
      messages: 2,
      excluded: { missingNumber: 1, invalidNumber: 0 },
    });

    await directory.upsertProject({ id: 'rn', name: 'Renormalize', numberField: 'home' });
    expect(await directory.countAudience(everyone('rn'))).toMatchObject({
      messages: 1,
      distinctNumbers: 1,
      excluded: { missingNumber: 1, invalidNumber: 1 },
    });

    await directory.upsertProject({ id: 'rn', name: 'Renormalize', defaultCountry: 'FR' });
    expect(await directory.countAudience(everyone('rn'))).toMatchObject({
      messages: 2,
      distinctNumbers: 2,
      excluded: { missingNumber: 1, invalidNumber: 0 },
    });
  });

  test('renormalization walks every batch of a large project', async () => {
    await directory.upsertProject({ id: 'big', name: 'Big', numberField: 'mobile', defaultCountry: 'CA' });
    const contacts: ContactInput[] = Array.from({ length: 2500 }, (_, i) => ({
      externalId: `b${i}`,
      fields: { mobile: `+1514${String(2000000 + i)}`, other: i % 2 === 0 ? `+1438${String(2000000 + i)}` : '' },
    }));
    expect(await directory.upsertContacts('big', contacts)).toEqual({ inserted: 2500, updated: 0 });
    expect(await directory.countAudience(everyone('big'))).toMatchObject({ messages: 2500, distinctNumbers: 2500 });

    await directory.upsertProject({ id: 'big', name: 'Big', numberField: 'other' });
    expect(await directory.countAudience(everyone('big'))).toMatchObject({
      targeted: 2500,
      messages: 1250,
      distinctNumbers: 1250,
      excluded: { missingNumber: 1250 },
    });
  });

  test('a deleted contact is gone from the audience and from its groups', async () => {
    await directory.upsertContacts('up', [{ externalId: 'gone', fields: { mobile: '514 555 0099' }, groups: ['c'] }]);
    expect(await directory.deleteContact?.('up', 'gone')).toBe(true);
    expect(await directory.deleteContact?.('up', 'gone')).toBe(false);
    expect((await directory.listGroups('up')).find((group) => group.name === 'c')?.memberCount).toBe(1);
  });
});
