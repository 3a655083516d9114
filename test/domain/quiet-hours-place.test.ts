import { parsePhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import { NANP_AREA_CODES } from '../../domain/quiet-hours/data/nanp-area-codes';
import { placeOfNumber, placeOfRecipient } from '../../domain/quiet-hours';

const project = { projectZone: 'Europe/Paris' };
const US_STATES_AND_DC =
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'.split(
    ' ',
  );

describe('placeOfRecipient', () => {
  // [number, region, zones]: fictional numbers that libphonenumber-js `max` finds valid (checked).
  it.each([
    ['+13052345678', 'US-FL', ['America/New_York']],
    ['+14052345678', 'US-OK', ['America/Chicago']],
    ['+14102345678', 'US-MD', ['America/New_York']],
    ['+12012345678', 'US-NJ', ['America/New_York']],
    ['+16012345678', 'US-MS', ['America/Chicago']],
    ['+12032345678', 'US-CT', ['America/New_York']],
    ['+17132345678', 'US-TX', ['America/Chicago']],
    ['+14012345678', 'US-RI', ['America/New_York']],
    ['+12052345678', 'US-AL', ['America/Chicago']],
    ['+15042345678', 'US-LA', ['America/Chicago']],
    ['+12132345678', 'US-CA', ['America/Los_Angeles']],
    ['+12122345678', 'US-NY', ['America/New_York']],
    ['+12022345678', 'US-DC', ['America/New_York']],
    ['+18082345678', 'US-HI', ['Pacific/Honolulu']],
    ['+17872345678', 'US-PR', ['America/Puerto_Rico']],
    ['+18502345678', 'US-FL', ['America/Chicago', 'America/New_York']],
    ['+16022345678', 'US-AZ', ['America/Phoenix']],
    ['+14162345678', 'CA-ON', ['America/Toronto']],
    ['+15142345678', 'CA-QC', ['America/Toronto']],
    ['+16042345678', 'CA-BC', ['America/Vancouver']],
    ['+18762345678', 'JM', ['America/Jamaica']],
    ['+33612345678', 'FR', ['Europe/Paris']],
    ['+819012345678', 'JP', ['Asia/Tokyo']],
  ])('%s is in %s, %j', (e164, region, zones) => {
    expect(parsePhoneNumber(e164).isValid()).toBe(true);
    expect(placeOfRecipient(e164, project)).toEqual({ region, zones });
  });

  it('gives every zone of a country with several', () => {
    const place = placeOfRecipient('+61412345678', project);
    expect(place.region).toBe('AU');
    expect(place.zones).toEqual(expect.arrayContaining(['Australia/Perth', 'Australia/Sydney', 'Australia/Adelaide']));
  });

  it('tells countries sharing a calling code apart', () => {
    expect(placeOfRecipient('+79123456789', project).region).toBe('RU');
    expect(placeOfRecipient('+77012345678', project)).toMatchObject({ region: 'KZ', zones: expect.arrayContaining(['Asia/Almaty']) });
    expect(placeOfRecipient('+447400123456', project)).toEqual({ region: 'GB', zones: ['Europe/London'] });
  });

  it.each([
    [
      "a valid profile zone wins, the region stays the number's",
      '+12122345678',
      'America/Denver',
      { region: 'US-NY', zones: ['America/Denver'] },
    ],
    ['an invalid profile zone falls back to the number', '+12122345678', 'Not/AZone', { region: 'US-NY', zones: ['America/New_York'] }],
    ['an empty profile zone falls back to the number', '+12122345678', '', { region: 'US-NY', zones: ['America/New_York'] }],
    ['an unknown calling code: the project zone, region *', '+999123456', null, { region: '*', zones: ['Europe/Paris'] }],
    ['not E.164: the project zone, region *', '0612345678', undefined, { region: '*', zones: ['Europe/Paris'] }],
    ['an unknown calling code with a profile zone', '+999123456', 'Asia/Tokyo', { region: '*', zones: ['Asia/Tokyo'] }],
  ])('%s', (_case, e164, profileZone, expected) => {
    expect(placeOfRecipient(e164, { ...project, profileZone })).toEqual(expected);
  });

  it('refuses an invalid project zone', () => {
    expect(() => placeOfRecipient('+33612345678', { projectZone: 'Paris' })).toThrow('projectZone "Paris" is not a known IANA time zone');
  });

  it('gives a toll-free US number every US zone', () => {
    const place = placeOfRecipient('+18002345678', project);
    expect(place.region).toBe('US');
    expect(place.zones).toEqual(expect.arrayContaining(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu']));
  });
});

describe('the NANP area code table', () => {
  const rows = NANP_AREA_CODES.trim()
    .split('\n')
    .map((line) => line.split(' '));

  it('has only known IANA zones', () => {
    const zones = new Set(rows.flatMap(([, , list]) => list.split(',')));
    expect([...zones].filter((zone) => !IANAZone.isValidZone(zone))).toEqual([]);
  });

  it('gives every US area code a US-XX region and every Canadian one CA or CA-XX', () => {
    const wrong: string[] = [];
    for (const [areaCode, region] of rows) {
      const country = parsePhoneNumberFromString(`+1${areaCode}2345678`)?.country;
      const expected = country === 'US' ? /^US-[A-Z]{2}$/ : country === 'CA' ? /^CA(-[A-Z]{2})?$/ : /./;
      if (!expected.test(region)) wrong.push(`${areaCode} ${country} ${region}`);
    }
    expect(wrong).toEqual([]);
    const regions = new Set(rows.map(([, region]) => region));
    expect(US_STATES_AND_DC.filter((state) => !regions.has(`US-${state}`))).toEqual([]);
  });

  it('is what placeOfNumber reads', () => {
    for (const [areaCode, region, zones] of rows) {
      expect(placeOfNumber(`+1${areaCode}2345678`)).toEqual({ region, zones: zones.split(',') });
    }
  });
});
