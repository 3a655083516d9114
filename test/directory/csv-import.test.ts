/** Streaming CSV import of contacts. */
import { Readable } from 'node:stream';
import type { AudienceSelection } from '../../domain/types';
import { CsvImportRefused, importContactsCsv } from '../../worker/directory/csv-import';
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

  test('a file with bad rows is refused whole, each bad row listed with its line, the column and the fix', async () => {
    const refused = await importContactsCsv(directory, PROJECT, Readable.from([CSV]), { batchSize: 2 }).then(
      () => null,
      (error: Error) => error,
    );
    expect(refused).toBeInstanceOf(CsvImportRefused);
    expect((refused as CsvImportRefused).problems).toEqual([
      { line: 4, message: 'column "id" is empty: every contact needs an id.' },
      { line: 6, message: 'column "active" is "maybe": use true/false, 1/0 or yes/no, or leave it empty to keep the contact\'s state.' },
    ]);
    expect(refused?.message).toBe(
      'Nothing was imported: 2 row(s) of the CSV cannot be imported. Fix them and import the file again.\n' +
        '  line 4: column "id" is empty: every contact needs an id.\n' +
        '  line 6: column "active" is "maybe": use true/false, 1/0 or yes/no, or leave it empty to keep the contact\'s state.',
    );
    // Batches written before the first bad row are rolled back with the rest.
    expect(await directory.countAudience(everyone)).toMatchObject({ targeted: 0 });
    expect(await directory.listGroups(PROJECT)).toEqual([]);
  });

  test('imports the rows in batches, in one transaction', async () => {
    const fixed = CSV.replace(',NoId,', 'k0,NoId,').replace(',maybe,', ',,');
    const result = await importContactsCsv(directory, PROJECT, Readable.from([fixed]), { batchSize: 2 });
    expect(result).toEqual({ imported: 6, groupsCreated: 3 });
    expect(await directory.listGroups(PROJECT)).toEqual([
      { name: 'news', memberCount: 2 },
      { name: 'staff', memberCount: 1 },
      { name: 'vip', memberCount: 4 },
    ]);
    expect(await directory.countAudience(everyone)).toEqual({
      targeted: 6,
      excluded: { inactive: 1, missingNumber: 0, invalidNumber: 1, optedOut: 0, duplicateNumber: 0 },
      distinctNumbers: 4,
      messages: 4,
    });
    await directory.createSending({ id: 'csv-1', projectId: PROJECT, selection: everyone, createdBy: 't', createdAt: 1 });
    await directory.prepareSnapshot('csv-1', everyone);
    expect((await directory.readSnapshot('csv-1', 0, 10)).map((row) => [row.externalId, row.e164, row.fields])).toEqual([
      ['k1', '+15145550401', { firstName: 'Ann', mobile: '(514) 555-0401' }],
      ['k0', '+15145550499', { firstName: 'NoId', mobile: '514 555 0499' }],
      ['k4', '+15145550404', { firstName: 'Dan', mobile: '514 555 0404' }],
      ['k5', '+14385550405', { firstName: 'Eve "E", Jr', mobile: '+1 438 555 0405' }],
    ]);
  });

  test('importing again updates instead of duplicating; a file without a groups column keeps memberships', async () => {
    const result = await importContactsCsv(directory, PROJECT, 'id,mobile,city\nk1,514 555 0411,Montréal\nk6,514 555 0406,Laval\n');
    expect(result).toEqual({ imported: 2, groupsCreated: 0 });
    expect((await directory.listGroups(PROJECT)).find((group) => group.name === 'vip')?.memberCount).toBe(4);
    expect(await directory.countAudience(everyone)).toMatchObject({ targeted: 7, messages: 5 });
  });

  test('a row with more values than columns refuses the file; the rows around it are not imported either', async () => {
    const before = await directory.countAudience(everyone);
    const refused = importContactsCsv(directory, PROJECT, 'id,mobile\nm1,514 555 0501\nm2,514 555 0502,extra\nm3,514 555 0503\n');
    await expect(refused).rejects.toThrow(
      'line 3: 3 values for the 2 columns of the header: quote a value that holds the delimiter ("Roy, Jr") and give every row one value per column.',
    );
    expect(await directory.countAudience(everyone)).toEqual(before);
  });

  test('a file without an id column, or an unknown project, is refused', async () => {
    const noId = importContactsCsv(directory, PROJECT, 'name,mobile\nAnn,514 555 0401\n');
    await expect(noId).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(noId).rejects.toThrow('The CSV has no "id" column (its columns: name, mobile).');
    await expect(importContactsCsv(directory, 'nope', 'id\nx\n')).rejects.toThrow(/Unknown project "nope"/);
  });
});
