/**
 * A valid number's country and type are stored when it is written, so Prepare does not parse it
 * again: they must be exactly what numberFacts finds from the E.164 form, and a snapshot row
 * carries them only while the contact still has that number.
 */
import Database from 'better-sqlite3';
import { getCountries, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { numberFacts } from '../../domain/compliance/recipient-policy';
import { normalizeNumber } from '../../domain/phone';
import { validateSending } from '../../worker/activities/validate-sending';
import { contactNumberColumns } from '../../worker/directory/contact-number';
import type { Directory } from '../../worker/directory/directory';
import { STORES, openFreshDirectory, openFreshSqliteDirectory } from '../support/directories';
import { ANY_HOUR } from '../support/seed';

const PROJECT = 'facts';
const ALL = { projectId: PROJECT, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
const CONTACTS = [
  { externalId: 'local', fields: { firstName: 'Ana', mobile: '(514) 555-0101' } },
  { externalId: 'paris', fields: { firstName: 'Zoé', mobile: '+33 6 12 34 56 78' } },
  { externalId: 'tollfree', fields: { firstName: 'Desk', mobile: '1-800-555-0134' } },
  { externalId: 'landline', fields: { firstName: 'Luc', mobile: '011 44 20 7183 8750' } },
  { externalId: 'london', fields: { firstName: 'Sam', mobile: '+44 7400 123456' } },
];

async function seed(directory: Directory): Promise<void> {
  await directory.upsertProject({
    id: PROJECT,
    name: 'Facts',
    defaultCountry: 'CA',
    timeZone: 'America/Toronto',
    senderId: '+15145550000',
    compliance: { ...ANY_HOUR, allowedCountries: ['CA', 'US', 'GB'] },
  });
  await directory.upsertContacts(PROJECT, CONTACTS);
}

async function prepared(directory: Directory, id: string) {
  await directory.createSending({ id, projectId: PROJECT, selection: ALL, createdBy: 'paula', createdAt: 1_700_000_000_000 });
  await directory.prepareSnapshot(id, ALL);
  return validateSending(directory, {
    sendingId: id,
    projectId: PROJECT,
    message: 'Hi {{firstName}}. STOP to opt out',
    senderId: null,
    sendAtMs: null,
  });
}

describe('stored number facts', () => {
  test('are what numberFacts finds from the E.164 form, for every country in national and international writing', () => {
    let compared = 0;
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (!example) continue;
      const national = example.nationalNumber;
      for (let k = 0; k < 40; k++) {
        const variant = `${national.slice(0, -2)}${String((k * 37) % 100).padStart(2, '0')}`;
        for (const [text, defaultCountry] of [
          [variant, country],
          [example.formatNational(), country],
          [`+${example.countryCallingCode}${variant}`, 'CA'],
        ] as [string, CountryCode][]) {
          const columns = contactNumberColumns({ mobile: text }, { numberField: 'mobile', defaultCountry });
          if (columns.sms_status !== 'valid') continue;
          expect({ text, defaultCountry, country: columns.sms_country, type: columns.sms_type }).toEqual({
            text,
            defaultCountry,
            ...numberFacts(columns.sms_e164!),
          });
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(normalizeNumber('', 'CA')).toEqual({ status: 'missing' });
    expect(contactNumberColumns({ mobile: 'n/a' }, { numberField: 'mobile', defaultCountry: 'CA' })).toMatchObject({
      sms_country: null,
      sms_type: null,
    });
  });

  describe.each(STORES)('%s', (store) => {
    let directory: Directory;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ directory, close } = await openFreshDirectory(store));
      await seed(directory);
    });
    afterAll(() => close());

    test("a snapshot row carries its number's facts while the contact keeps that number", async () => {
      await prepared(directory, 'carried');
      const rows = await directory.readSnapshot('carried', 0, 10);
      for (const row of rows) expect(row.facts).toEqual(numberFacts(row.e164));
      await directory.upsertContacts(PROJECT, [{ externalId: 'london', fields: { firstName: 'Sam', mobile: '+44 7400 654321' } }]);
      const after = await directory.readSnapshot('carried', 0, 10);
      expect(after.find((row) => row.externalId === 'london')).not.toHaveProperty('facts');
      expect(after.filter((row) => row.facts).length).toBe(rows.length - 1);
      await directory.upsertContacts(PROJECT, [CONTACTS[4]]);
    });

    test('prepare judges countries and number types from them', async () => {
      const { policyExcluded, report } = await prepared(directory, 'judged');
      expect(policyExcluded).toEqual({ countryNotAllowed: 1, numberType: 2 });
      expect(report.points.find((p) => p.code === 'COUNTRIES')?.data).toMatchObject({ excluded: { FR: 1 } });
      expect(report.points.find((p) => p.code === 'NUMBER_TYPE')?.data).toMatchObject({ excluded: { TOLL_FREE: 1, FIXED_LINE: 1 } });
    });
  });

  test('contacts stored before the facts were (NULL columns) are judged the same, from their numbers', async () => {
    const fresh = await openFreshSqliteDirectory();
    try {
      await seed(fresh.directory);
      const judged = await prepared(fresh.directory, 'stored');
      const raw = new Database(fresh.path);
      raw.exec('UPDATE contacts SET sms_country = NULL, sms_type = NULL');
      raw.close();
      const legacy = await prepared(fresh.directory, 'legacy');
      expect((await fresh.directory.readSnapshot('legacy', 0, 10)).some((row) => row.facts)).toBe(false);
      expect(legacy).toEqual(judged);
    } finally {
      await fresh.close();
    }
  });
});
