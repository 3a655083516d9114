import {
  DEFAULT_QUIET_HOURS_RULES,
  easterSunday,
  mergeQuietHoursRules,
  parseQuietHoursRules,
  publicHolidays,
  ruleFor,
  type QuietHoursRule,
} from '../../domain/quiet-hours';

const window = { days: ['mon'], start: '08:00', end: '20:00' };
const rule = (overrides: Record<string, unknown> = {}) => ({ region: 'US', windows: [window], ...overrides });
const withWindow = (overrides: Record<string, unknown>) => [
  rule(),
  rule({ region: 'FR' }),
  rule({ region: 'DE', windows: [{ ...window, ...overrides }] }),
];

describe('parseQuietHoursRules', () => {
  it('accepts the defaults unchanged', () => {
    expect(parseQuietHoursRules(JSON.parse(JSON.stringify(DEFAULT_QUIET_HOURS_RULES)))).toEqual(DEFAULT_QUIET_HOURS_RULES);
  });

  it('normalizes regions and keeps seconds', () => {
    expect(parseQuietHoursRules([{ region: ' us-fl ', windows: [{ days: ['sat', 'sat'], start: '08:00:30', end: '24:00' }] }])).toEqual([
      { region: 'US-FL', windows: [{ days: ['sat'], start: '08:00:30', end: '24:00' }] },
    ]);
  });

  it.each([
    ['not a list', { rules: [] }, 'quietHours.rules must be a list of rules'],
    ['a rule that is not an object', [null], 'quietHours.rules[0] must be an object'],
    ['a bad region', [rule({ region: 'USA-FLORIDA' })], 'quietHours.rules[0].region must be "*", a country code'],
    ['a missing region', [rule({ region: undefined })], 'quietHours.rules[0].region must be'],
    [
      'an unknown field',
      [rule({ window: [] })],
      'quietHours.rules[0].window is not a known field: use region, windows, noPublicHolidays, note',
    ],
    ['windows not a list', [rule({ windows: { days: ['mon'] } })], 'quietHours.rules[0].windows must be a list'],
    ['a start without minutes', withWindow({ start: '8' }), 'quietHours.rules[2].windows[0].start must be a local time HH:MM or HH:MM:SS'],
    ['a start at 24:00', withWindow({ start: '24:00' }), 'quietHours.rules[2].windows[0].start must be a local time'],
    ['an end past midnight', withWindow({ end: '24:30' }), 'quietHours.rules[2].windows[0].end must be a local time'],
    ['minutes out of range', withWindow({ end: '20:60' }), 'quietHours.rules[2].windows[0].end must be a local time'],
    [
      'an end before the start',
      withWindow({ start: '20:00', end: '08:00' }),
      'quietHours.rules[2].windows[0].end 08:00 must be after start 20:00: a window cannot cross midnight',
    ],
    ['no days', withWindow({ days: [] }), 'quietHours.rules[2].windows[0].days must be a non-empty list'],
    [
      'an unknown day',
      withWindow({ days: ['mon', 'monday'] }),
      'quietHours.rules[2].windows[0].days[1] must be one of mon, tue, wed, thu, fri, sat, sun',
    ],
    ['an unknown window field', withWindow({ from: '08:00' }), 'quietHours.rules[2].windows[0].from is not a known field'],
    ['noPublicHolidays not a boolean', [rule({ noPublicHolidays: 'yes' })], 'quietHours.rules[0].noPublicHolidays must be true or false'],
    [
      'noPublicHolidays without holiday data',
      [rule({ region: 'DE', noPublicHolidays: true })],
      'quietHours.rules[0].noPublicHolidays: public holidays are known only for FR, US',
    ],
    ['noPublicHolidays on *', [rule({ region: '*', noPublicHolidays: true })], 'quietHours.rules[0].noPublicHolidays'],
    ['a note that is not text', [rule({ note: 5 })], 'quietHours.rules[0].note must be text'],
    ['a region twice', [rule(), rule({ region: 'us' })], 'quietHours.rules[1].region "US" is already used by quietHours.rules[0]'],
  ])('refuses %s, naming the field', (_case, data, message) => {
    expect(() => parseQuietHoursRules(data)).toThrow(message);
  });

  it('names the field under the path it is given', () => {
    expect(() => parseQuietHoursRules([rule({ region: 1 })], 'projects.acme.quietHours')).toThrow('projects.acme.quietHours[0].region');
  });
});

describe('ruleFor', () => {
  it.each([
    ['US-FL', 'US-FL'],
    ['US-TX', 'US-TX'],
    ['US-WY', 'US'],
    ['US-PR', 'US'],
    ['US', 'US'],
    ['FR', 'FR'],
    ['DE', '*'],
    ['CA-ON', '*'],
    ['*', '*'],
  ])('%s -> the %s rule', (region, expected) => {
    expect(ruleFor(region, DEFAULT_QUIET_HOURS_RULES).region).toBe(expected);
  });

  it('says what to add when no rule applies', () => {
    expect(() => ruleFor('DE', [{ region: 'FR', windows: [] }])).toThrow('add a rule with region "*"');
  });
});

describe('mergeQuietHoursRules', () => {
  it('replaces the defaults of the same region and adds the others', () => {
    const overrides: QuietHoursRule[] = [
      { region: 'US-FL', windows: [{ days: ['mon'], start: '10:00', end: '12:00' }] },
      { region: 'DE', windows: [] },
    ];
    const before = JSON.stringify(DEFAULT_QUIET_HOURS_RULES);
    const merged = mergeQuietHoursRules(DEFAULT_QUIET_HOURS_RULES, overrides);
    expect(merged.map((r) => r.region)).toEqual([...DEFAULT_QUIET_HOURS_RULES.map((r) => r.region), 'DE']);
    expect(ruleFor('US-FL', merged)).toBe(overrides[0]);
    expect(ruleFor('DE', merged)).toBe(overrides[1]);
    expect(ruleFor('US-TX', merged)).toEqual(DEFAULT_QUIET_HOURS_RULES.find((r) => r.region === 'US-TX'));
    expect(JSON.stringify(DEFAULT_QUIET_HOURS_RULES)).toBe(before);
  });
});

describe('the default rules', () => {
  it.each([
    ['US-FL', '08:00', '20:00'],
    ['US-OK', '08:00', '20:00'],
    ['US-MD', '08:00', '20:00'],
    ['US-NJ', '08:00', '20:00'],
    ['US-MS', '08:00', '20:00'],
    ['US-CT', '09:00', '20:00'],
    ['US-RI', '09:00', '18:00'],
    ['US-AL', '08:00', '20:00'],
    ['US-LA', '08:00', '20:00'],
    ['US', '08:00', '21:00'],
    ['FR', '08:00', '20:00'],
    ['*', '08:00', '21:00'],
  ])('%s allows %s-%s and says why', (region, start, end) => {
    const found = DEFAULT_QUIET_HOURS_RULES.find((r) => r.region === region);
    expect(found?.windows.map((w) => [w.start, w.end])).toEqual([[start, end]]);
    expect(found?.note).toEqual(expect.any(String));
  });
});

describe('easterSunday', () => {
  it.each([
    [2008, '2008-03-23'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%i: %s', (year, expected) => {
    expect(easterSunday(year).toISOString().slice(0, 10)).toBe(expected);
  });
});

describe('publicHolidays', () => {
  it.each([
    [
      'FR',
      2026,
      [
        '2026-01-01',
        '2026-04-06',
        '2026-05-01',
        '2026-05-08',
        '2026-05-14',
        '2026-05-25',
        '2026-07-14',
        '2026-08-15',
        '2026-11-01',
        '2026-11-11',
        '2026-12-25',
      ],
    ],
    [
      'FR',
      2027,
      [
        '2027-01-01',
        '2027-03-29',
        '2027-05-01',
        '2027-05-06',
        '2027-05-08',
        '2027-05-17',
        '2027-07-14',
        '2027-08-15',
        '2027-11-01',
        '2027-11-11',
        '2027-12-25',
      ],
    ],
    // Federal holidays and, for those on a weekend, the observed Friday or Monday (4 July 2026 is a Saturday).
    [
      'US',
      2026,
      [
        '2026-01-01',
        '2026-01-19',
        '2026-02-16',
        '2026-05-25',
        '2026-06-19',
        '2026-07-03',
        '2026-07-04',
        '2026-09-07',
        '2026-10-12',
        '2026-11-11',
        '2026-11-26',
        '2026-12-25',
      ],
    ],
    // 1 January 2028 is a Saturday, observed on Friday 31 December 2027; 4 July and 25 December 2027 fall on a weekend too.
    [
      'US',
      2027,
      [
        '2027-01-01',
        '2027-01-18',
        '2027-02-15',
        '2027-05-31',
        '2027-06-18',
        '2027-06-19',
        '2027-07-04',
        '2027-07-05',
        '2027-09-06',
        '2027-10-11',
        '2027-11-11',
        '2027-11-25',
        '2027-12-24',
        '2027-12-25',
        '2027-12-31',
      ],
    ],
  ])('%s %i', (country, year, expected) => {
    expect(publicHolidays(country, year)).toEqual(expected);
  });

  it('says which countries it knows', () => {
    expect(() => publicHolidays('DE', 2026)).toThrow('Public holidays are known only for FR, US, not for "DE"');
  });
});
