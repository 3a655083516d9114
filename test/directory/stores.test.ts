/** The store layer: placeholders, opening and reopening, concurrent use. */
import { DirectoryInputError, type Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import { numberPlaceholders } from '../../worker/directory/sql-store';
import { STORES, openFreshDirectory, openFreshSqliteDirectory } from '../support/directories';

describe('numberPlaceholders', () => {
  test('numbers ? outside quotes and leaves quoted text alone', () => {
    expect(numberPlaceholders(`SELECT ? AS a, '?' AS "b?" WHERE x = ? AND y = 'it''s ?'`)).toBe(
      `SELECT $1 AS a, '?' AS "b?" WHERE x = $2 AND y = 'it''s ?'`,
    );
  });
});

describe('openDirectory', () => {
  test('a SQLite file keeps its data when reopened, and migrating again changes nothing', async () => {
    const fresh = await openFreshSqliteDirectory();
    await fresh.directory.upsertProject({ id: 'keep', name: 'Keep' });
    await fresh.directory.close();
    const reopened = await openDirectory({ sqlitePath: fresh.path });
    try {
      await reopened.migrate();
      expect(reopened.kind).toBe('sqlite');
      expect((await reopened.listProjects()).map((project) => project.id)).toEqual(['keep']);
    } finally {
      await reopened.close();
    }
  });

  test('an unsupported URL or schema name is refused without echoing credentials', async () => {
    const attempt = openDirectory({ url: 'mysql://user:secret@host/db' });
    await expect(attempt).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(attempt).rejects.toThrow(
      'Unsupported directory URL "mysql://...": use a postgres:// or postgresql:// URL, or none for the SQLite file.',
    );
    await expect(openDirectory({ url: 'postgres://127.0.0.1/test', schema: 'bad-name;' })).rejects.toThrow(
      /Invalid PostgreSQL schema name/,
    );
  });
});

describe.each(STORES)('concurrent use (%s)', (store) => {
  let directory: Directory;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, close } = await openFreshDirectory(store));
    await directory.upsertProject({ id: 'conc', name: 'Concurrent', defaultCountry: 'CA' });
  });
  afterAll(() => close());

  test('writes and reads issued together all complete and see a consistent directory', async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 250 }, (_, i) => ({
        externalId: `c${b}-${i}`,
        fields: { mobile: `+1514${String(3000000 + b * 1000 + i)}` },
        groups: [`g${b % 2}`],
      })),
    );
    const counts = await Promise.all([
      ...batches.map((batch) => directory.upsertContacts('conc', batch)),
      directory.countAudience({ projectId: 'conc', audience: 'all', groups: [], duplicatePolicy: 'perNumber' }),
    ]);
    expect(counts.slice(0, 8)).toEqual(Array(8).fill({ inserted: 250, updated: 0 }));
    expect(
      await directory.countAudience({ projectId: 'conc', audience: 'groups', groups: ['g0', 'g1'], duplicatePolicy: 'perNumber' }),
    ).toMatchObject({
      targeted: 2000,
      messages: 2000,
      distinctNumbers: 2000,
    });
    expect(await directory.listGroups('conc')).toEqual([
      { name: 'g0', memberCount: 1000 },
      { name: 'g1', memberCount: 1000 },
    ]);
  });
});
