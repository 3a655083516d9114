/** Streaming CSV import of contacts. */
import { Readable } from 'node:stream';
import type { AudienceSelection } from '../../domain/types';
import { importContactsCsv } from '../../worker/directory/csv-import';
import { DirectoryInputError, type Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory } from '../support/directories';

const PROJECT = 'csv';
const everyone: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perContact' };

const CSV = [
  'id,firstName,mobile,active,groups',
  'k1,Ann,(514) 555-0401,,vip;news',
  'k2,Bob,514.555.0402,no,vip',
  ',NoId,514 555 0499,,vip',
  'k3,Cat,not a number,yes,news | staff',
  'k4,Dan,514 555 0404,maybe,vip',
  'k5,"Eve ""E"", Jr",+1 438 555 0405,1,',
  '',
].join('\n');

describe.each(STORES)('CSV import (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
    await directory.upsertProject({ id: PROJECT, name: 'CSV', numberField: 'mobile', defaultCountry: 'CA' });
  });
  afterAll(() => close());

  test('imports the good rows in batches and reports each bad row with its line', async () => {
    const result = await importContactsCsv(directory, PROJECT, Readable.from([CSV]), { batchSize: 2 });
    expect(result).toEqual({
      imported: 4,
      groupsCreated: 3,
      errors: [
        { line: 4, message: 'The "id" column is empty; every contact needs an id. The row was skipped.' },
        { line: 6, message: 'Invalid "active" value "maybe": use true/false, 1/0 or yes/no. The row was skipped.' },
      ],
    });
    expect(await directory.listGroups(PROJECT)).toEqual([
      { name: 'news', memberCount: 2 },
      { name: 'staff', memberCount: 1 },
      { name: 'vip', memberCount: 2 },
    ]);
    expect(await directory.countAudience(everyone)).toEqual({
      targeted: 4,
      excluded: { inactive: 1, missingNumber: 0, invalidNumber: 1, optedOut: 0, duplicateNumber: 0 },
      distinctNumbers: 2,
      messages: 2,
    });
    await directory.createSending({ id: 'csv-1', projectId: PROJECT, selection: everyone, createdBy: 't', createdAt: 1 });
    await directory.prepareSnapshot('csv-1', everyone);
    expect((await directory.readSnapshot('csv-1', 0, 10)).map((row) => [row.externalId, row.e164, row.fields])).toEqual([
      ['k1', '+15145550401', { firstName: 'Ann', mobile: '(514) 555-0401' }],
      ['k5', '+14385550405', { firstName: 'Eve "E", Jr', mobile: '+1 438 555 0405' }],
    ]);
  });

  test('importing again updates instead of duplicating; a file without a groups column keeps memberships', async () => {
    const result = await importContactsCsv(directory, PROJECT, 'id,mobile,city\nk1,514 555 0411,Montréal\nk6,514 555 0406,Laval\n');
    expect(result).toEqual({ imported: 2, groupsCreated: 0, errors: [] });
    expect((await directory.listGroups(PROJECT)).find((group) => group.name === 'vip')?.memberCount).toBe(2);
    expect(await directory.countAudience(everyone)).toMatchObject({ targeted: 5, messages: 3 });
  });

  test('a malformed row is reported and the rows around it are kept', async () => {
    const result = await importContactsCsv(directory, PROJECT, 'id,mobile\nm1,514 555 0501\nm2,514 555 0502,extra\nm3,514 555 0503\n');
    expect(result.imported).toBe(2);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].line).toBe(3);
    expect(result.errors[0].message).toMatch(/Invalid Record Length/);
  });

  test('a file without an id column, or an unknown project, is refused', async () => {
    const noId = importContactsCsv(directory, PROJECT, 'name,mobile\nAnn,514 555 0401\n');
    await expect(noId).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(noId).rejects.toThrow('The CSV has no "id" column (its columns: name, mobile).');
    await expect(importContactsCsv(directory, 'nope', 'id\nx\n')).rejects.toThrow(/Unknown project "nope"/);
  });
});
