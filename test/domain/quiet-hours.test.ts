import { parsePhoneNumber } from 'libphonenumber-js/max';
import {
  DEFAULT_QUIET_HOURS_RULES,
  createQuietHoursChecker,
  isAllowedAt,
  nextAllowedMs,
  placeOfRecipient,
  type QuietHoursRule,
  type RecipientPlace,
} from '../../domain/quiet-hours';

const PROJECT_ZONE = 'UTC';
const ALLOWED = 'allowed';
const ALL_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** `allowed`, the next allowed instant as a UTC ISO string, or null. */
function verdict(place: RecipientPlace, atIso: string, rules: readonly QuietHoursRule[] = DEFAULT_QUIET_HOURS_RULES): string | null {
  const atMs = Date.parse(atIso);
  const next = nextAllowedMs(place, rules, atMs);
  expect(isAllowedAt(place, rules, atMs)).toBe(next === atMs);
  if (next === null) return null;
  return next === atMs ? ALLOWED : new Date(next).toISOString();
}

const byNumber = (e164: string, profileZone?: string | null): RecipientPlace =>
  placeOfRecipient(e164, { profileZone, projectZone: PROJECT_ZONE });
const inZone = (zone: string, region = '*'): RecipientPlace => ({ zones: [zone], region });

// Fictional but valid numbers (libphonenumber-js `max` says so: checked below).
const N = {
  losAngeles: '+12132345678',
  losAngeles310: '+13102345678',
  newYork: '+12122345678',
  paris: '+33612345678',
  florida: '+13052345678', // Miami, Eastern
  floridaPanhandle: '+18502345678', // 850: Central and Eastern
  oklahoma: '+14052345678', // Central
  maryland: '+14102345678',
  newJersey: '+12012345678',
  mississippi: '+16012345678', // Central
  connecticut: '+12032345678',
  texas: '+17132345678', // Houston, Central
  rhodeIsland: '+14012345678',
  alabama: '+12052345678', // Central
  louisiana: '+15042345678', // Central
  germany: '+4915123456789',
  japan: '+819012345678',
};

describe('the test numbers', () => {
  it.each(Object.entries(N))('%s %s is a valid number', (_name, e164) => {
    expect(parsePhoneNumber(e164).isValid()).toBe(true);
  });
});

describe("nextAllowedMs with the default rules, in the recipient's local time", () => {
  // [case, number, instant (UTC), verdict]. 2026-12-01 is a Tuesday, 12-05 a Saturday, 12-06 a Sunday (winter time).
  it.each([
    ['US default: 08:00 PST opens (start inclusive)', N.losAngeles, '2026-12-01T16:00:00Z', ALLOWED],
    ['US default: 07:59:59 PST waits for 08:00', N.losAngeles, '2026-12-01T15:59:59Z', '2026-12-01T16:00:00.000Z'],
    ['US default: 20:59:59 PST is still allowed', N.losAngeles, '2026-12-02T04:59:59Z', ALLOWED],
    ['US default: 21:00 PST closes (end exclusive)', N.losAngeles, '2026-12-02T05:00:00Z', '2026-12-02T16:00:00.000Z'],
    ['US default: Sunday is allowed', N.newYork, '2026-12-06T15:00:00Z', ALLOWED],
    ['US default: 20:30 EST is allowed in New York', N.newYork, '2026-12-02T01:30:00Z', ALLOWED],

    ['FL: 19:59 EST allowed', N.florida, '2026-12-02T00:59:00Z', ALLOWED],
    ['FL: 20:00 EST closes', N.florida, '2026-12-02T01:00:00Z', '2026-12-02T13:00:00.000Z'],
    ['OK: 19:30 CST allowed', N.oklahoma, '2026-12-02T01:30:00Z', ALLOWED],
    ['OK: 20:00 CST closes', N.oklahoma, '2026-12-02T02:00:00Z', '2026-12-02T14:00:00.000Z'],
    ['MD: 20:30 EST held', N.maryland, '2026-12-02T01:30:00Z', '2026-12-02T13:00:00.000Z'],
    ['NJ: 20:30 EST held', N.newJersey, '2026-12-02T01:30:00Z', '2026-12-02T13:00:00.000Z'],
    ['NJ: 07:30 EST held', N.newJersey, '2026-12-01T12:30:00Z', '2026-12-01T13:00:00.000Z'],
    ['MS: 20:00 CST closes', N.mississippi, '2026-12-02T02:00:00Z', '2026-12-02T14:00:00.000Z'],
    ['MS: Sunday waits for Monday 08:00 CST', N.mississippi, '2026-12-06T16:00:00Z', '2026-12-07T14:00:00.000Z'],
    ['CT: 08:30 EST waits for 09:00', N.connecticut, '2026-12-01T13:30:00Z', '2026-12-01T14:00:00.000Z'],
    ['CT: 20:00 EST closes', N.connecticut, '2026-12-02T01:00:00Z', '2026-12-02T14:00:00.000Z'],
    ['TX weekday: 08:30 CST waits for 09:00', N.texas, '2026-12-01T14:30:00Z', '2026-12-01T15:00:00.000Z'],
    ['TX Saturday: 09:00 CST allowed', N.texas, '2026-12-05T15:00:00Z', ALLOWED],
    ['TX Sunday: 09:00 CST waits for noon', N.texas, '2026-12-06T15:00:00Z', '2026-12-06T18:00:00.000Z'],
    ['TX Sunday: 20:59 CST allowed', N.texas, '2026-12-07T02:59:00Z', ALLOWED],
    ['TX Saturday: 21:00 CST waits for Sunday noon', N.texas, '2026-12-06T03:00:00Z', '2026-12-06T18:00:00.000Z'],
    ['RI: 17:59 EST allowed', N.rhodeIsland, '2026-12-01T22:59:00Z', ALLOWED],
    ['RI: 18:00 EST closes until 09:00', N.rhodeIsland, '2026-12-01T23:00:00Z', '2026-12-02T14:00:00.000Z'],
    ['RI: Saturday 18:00 EST waits for Monday (no Sundays)', N.rhodeIsland, '2026-12-05T23:00:00Z', '2026-12-07T14:00:00.000Z'],
    ['RI: Thanksgiving waits for Friday', N.rhodeIsland, '2026-11-26T15:00:00Z', '2026-11-27T14:00:00.000Z'],
    ['RI: 3 July 2026 (4 July observed), then Sat holiday, Sunday', N.rhodeIsland, '2026-07-03T14:00:00Z', '2026-07-06T13:00:00.000Z'],
    ['AL: Saturday 10:00 CST allowed', N.alabama, '2026-12-05T16:00:00Z', ALLOWED],
    ['AL: Sunday waits for Monday 08:00 CST', N.alabama, '2026-12-06T16:00:00Z', '2026-12-07T14:00:00.000Z'],
    ['AL: 20:00 CST closes', N.alabama, '2026-12-02T02:00:00Z', '2026-12-02T14:00:00.000Z'],
    ['LA: Sunday waits for Monday 08:00 CST', N.louisiana, '2026-12-06T16:00:00Z', '2026-12-07T14:00:00.000Z'],
    ['LA: Saturday 20:00 CST waits for Monday', N.louisiana, '2026-12-06T02:00:00Z', '2026-12-07T14:00:00.000Z'],

    ['FR weekday: 08:30 CET allowed', N.paris, '2026-12-01T07:30:00Z', ALLOWED],
    ['FR weekday: 07:59 CET waits for 08:00', N.paris, '2026-12-01T06:59:00Z', '2026-12-01T07:00:00.000Z'],
    ['FR weekday: 20:00 CET closes', N.paris, '2026-12-01T19:00:00Z', '2026-12-02T07:00:00.000Z'],
    ['FR Saturday: 11:00 CET allowed', N.paris, '2026-12-05T10:00:00Z', ALLOWED],
    ['FR Saturday: 20:00 CET waits for Monday', N.paris, '2026-12-05T19:00:00Z', '2026-12-07T07:00:00.000Z'],
    ['FR Sunday: waits for Monday', N.paris, '2026-12-06T10:00:00Z', '2026-12-07T07:00:00.000Z'],
    ['FR 14 July 2026 (Tuesday): waits for the 15th', N.paris, '2026-07-14T10:00:00Z', '2026-07-15T06:00:00.000Z'],
    ['FR Easter Monday 2027 (29 March): waits for Tuesday', N.paris, '2027-03-29T09:00:00Z', '2027-03-30T06:00:00.000Z'],
    [
      'FR Saturday 27 March 2027 20:00 CET: Sunday, Easter Monday, then Tuesday (summer time)',
      N.paris,
      '2027-03-27T19:00:00Z',
      '2027-03-30T06:00:00.000Z',
    ],
    ['FR Ascension 2026 (14 May): waits for Friday', N.paris, '2026-05-14T10:00:00Z', '2026-05-15T06:00:00.000Z'],
    ['FR Whit Monday 2026 (25 May): waits for Tuesday', N.paris, '2026-05-25T10:00:00Z', '2026-05-26T06:00:00.000Z'],

    ['* (Germany): Sunday 11:00 CET allowed', N.germany, '2026-12-06T10:00:00Z', ALLOWED],
    ['* (Germany): 07:59 CET waits', N.germany, '2026-12-01T06:59:00Z', '2026-12-01T07:00:00.000Z'],
    ['* (Germany): 21:00 CET closes', N.germany, '2026-12-01T20:00:00Z', '2026-12-02T07:00:00.000Z'],
    ['* (Japan): 07:59 JST waits', N.japan, '2026-12-01T22:59:00Z', '2026-12-01T23:00:00.000Z'],
    ['* (Japan): 21:00 JST closes', N.japan, '2026-12-01T12:00:00Z', '2026-12-01T23:00:00.000Z'],
    ['* (Japan): 20:00 JST allowed', N.japan, '2026-12-01T11:00:00Z', ALLOWED],
  ])('%s', (_case, e164, at, expected) => {
    expect(verdict(byNumber(e164), at)).toBe(expected);
  });
});

describe('DST days open the window at 08:00 local', () => {
  it.each([
    // US spring forward: Sunday 8 March 2026, 02:00 EST -> 03:00 EDT.
    ['New York, the day before (EST)', byNumber(N.newYork), '2026-03-07T12:30:00Z', '2026-03-07T13:00:00.000Z'],
    ['New York, spring-forward day (EDT)', byNumber(N.newYork), '2026-03-08T06:00:00Z', '2026-03-08T12:00:00.000Z'],
    ['New York, spring-forward day, 08:00 EDT', byNumber(N.newYork), '2026-03-08T12:00:00Z', ALLOWED],
    ['New York, spring-forward day, closes at 21:00 EDT', byNumber(N.newYork), '2026-03-09T01:00:00Z', '2026-03-09T12:00:00.000Z'],
    ['Los Angeles, spring-forward day (PDT)', byNumber(N.losAngeles), '2026-03-08T10:00:00Z', '2026-03-08T15:00:00.000Z'],
    // US fall back: Sunday 1 November 2026, 02:00 EDT -> 01:00 EST.
    ['New York, the day before (EDT)', byNumber(N.newYork), '2026-10-31T11:00:00Z', '2026-10-31T12:00:00.000Z'],
    ['New York, fall-back day, from 01:30 EDT', byNumber(N.newYork), '2026-11-01T05:30:00Z', '2026-11-01T13:00:00.000Z'],
    ['New York, fall-back day, 07:59 EST', byNumber(N.newYork), '2026-11-01T12:59:00Z', '2026-11-01T13:00:00.000Z'],
    // Paris: 29 March and 25 October 2026 are Sundays, so a non-French number in Paris (the '*' rule) and a French one.
    ['Paris (* rule), spring-forward day (CEST)', byNumber(N.germany, 'Europe/Paris'), '2026-03-29T00:00:00Z', '2026-03-29T06:00:00.000Z'],
    ['Paris (* rule), closes at 21:00 CEST', byNumber(N.germany, 'Europe/Paris'), '2026-03-29T19:00:00Z', '2026-03-30T06:00:00.000Z'],
    [
      'Paris (FR rule), Saturday 28 March 20:00 CET waits for Monday 08:00 CEST',
      byNumber(N.paris),
      '2026-03-28T19:00:00Z',
      '2026-03-30T06:00:00.000Z',
    ],
    ['Paris (* rule), fall-back day (CET)', byNumber(N.germany, 'Europe/Paris'), '2026-10-25T00:30:00Z', '2026-10-25T07:00:00.000Z'],
    [
      'Paris (FR rule), Sunday 25 October waits for Monday 08:00 CET',
      byNumber(N.paris),
      '2026-10-25T06:00:00Z',
      '2026-10-26T07:00:00.000Z',
    ],
  ])('%s', (_case, place, at, expected) => {
    expect(verdict(place, at)).toBe(expected);
  });

  const earlyWindow = (start: string, end: string): QuietHoursRule[] => [{ region: '*', windows: [{ days: [...ALL_WEEK], start, end }] }];

  it.each([
    // 02:30 does not exist on 8 March 2026 in New York: the window opens at the first valid instant after it, 03:00 EDT.
    [
      'a start in the New York gap opens at 03:00 EDT',
      'America/New_York',
      earlyWindow('02:30', '05:00'),
      '2026-03-08T06:00:00Z',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'the same start the day before is 02:30 EST',
      'America/New_York',
      earlyWindow('02:30', '05:00'),
      '2026-03-07T06:00:00Z',
      '2026-03-07T07:30:00.000Z',
    ],
    [
      'a start in the Paris gap opens at 03:00 CEST',
      'Europe/Paris',
      earlyWindow('02:30', '05:00'),
      '2026-03-29T00:00:00Z',
      '2026-03-29T01:00:00.000Z',
    ],
    // 01:30 happens twice on 1 November 2026 in New York: the first occurrence (EDT) opens the window.
    [
      'a start in the New York overlap opens at its first occurrence',
      'America/New_York',
      earlyWindow('01:30', '05:00'),
      '2026-11-01T05:00:00Z',
      '2026-11-01T05:30:00.000Z',
    ],
    // A window 02:00-02:45 lies wholly in the gap: nothing that day, the next day at 02:00 EDT.
    [
      'a window wholly in the gap is skipped that day',
      'America/New_York',
      earlyWindow('02:00', '02:45'),
      '2026-03-08T06:00:00Z',
      '2026-03-09T06:00:00.000Z',
    ],
  ])('%s', (_case, zone, rules, at, expected) => {
    expect(verdict(inZone(zone), at, rules)).toBe(expected);
  });
});

describe('the scenario: one sending at 07:30 UTC on Tuesday 1 December 2026', () => {
  const at = '2026-12-01T07:30:00Z';
  it.each([
    ['Paris is allowed at once (08:30 CET)', N.paris, ALLOWED],
    ['New York is held until 08:00 EST', N.newYork, '2026-12-01T13:00:00.000Z'],
    ['Los Angeles (213) is held until 08:00 PST', N.losAngeles, '2026-12-01T16:00:00.000Z'],
    ['Los Angeles (310) is held until 08:00 PST', N.losAngeles310, '2026-12-01T16:00:00.000Z'],
  ])('%s', (_case, e164, expected) => {
    expect(verdict(byNumber(e164), at)).toBe(expected);
  });
});

describe('where the recipient is', () => {
  it.each([
    [
      'the profile zone wins over the number',
      byNumber(N.newYork, 'America/Los_Angeles'),
      '2026-12-01T07:30:00Z',
      '2026-12-01T16:00:00.000Z',
    ],
    [
      'an invalid profile zone falls back to the number',
      byNumber(N.newYork, 'Mars/Olympus_Mons'),
      '2026-12-01T07:30:00Z',
      '2026-12-01T13:00:00.000Z',
    ],
    ['a null profile zone falls back to the number', byNumber(N.newYork, null), '2026-12-01T07:30:00Z', '2026-12-01T13:00:00.000Z'],
    [
      'an unknown country falls back to the project zone',
      placeOfRecipient('+999123456', { projectZone: 'Asia/Tokyo' }),
      '2026-12-01T12:00:00Z',
      '2026-12-01T23:00:00.000Z',
    ],
    // Area code 850 (Florida panhandle) spans Central and Eastern time: 08:00 CST opens, 20:00 EST closes.
    ['two zones: 08:00 EST is still 07:00 CST', byNumber(N.floridaPanhandle), '2026-12-01T13:30:00Z', '2026-12-01T14:00:00.000Z'],
    ['two zones: 19:30 CST is already 20:30 EST', byNumber(N.floridaPanhandle), '2026-12-02T01:30:00Z', '2026-12-02T14:00:00.000Z'],
    ['two zones: 19:30 EST / 18:30 CST is allowed', byNumber(N.floridaPanhandle), '2026-12-02T00:30:00Z', ALLOWED],
  ])('%s', (_case, place, at, expected) => {
    expect(verdict(place, at)).toBe(expected);
  });
});

describe('rules without an allowed instant, and whole days', () => {
  it('returns null when no instant is allowed within 14 days', () => {
    const never: QuietHoursRule[] = [{ region: '*', windows: [] }];
    expect(verdict(inZone('Europe/Paris'), '2026-12-01T12:00:00Z', never)).toBeNull();
  });

  it('looks 14 days ahead, no further', () => {
    // Fridays 10:00-11:00 in France, no holidays: 25 December 2026 and 1 January 2027 are holidays, so after
    // Christmas Eve the next window is Friday 8 January 2027, 10:00 CET (09:00 UTC).
    const fridays: QuietHoursRule[] = [
      { region: 'FR', windows: [{ days: ['fri'], start: '10:00', end: '11:00' }], noPublicHolidays: true },
      { region: '*', windows: [] },
    ];
    const paris = inZone('Europe/Paris', 'FR');
    expect(verdict(paris, '2026-12-18T09:30:00Z', fridays)).toBe(ALLOWED);
    expect(verdict(paris, '2026-12-25T09:00:00Z', fridays)).toBe('2027-01-08T09:00:00.000Z'); // exactly 14 days
    expect(verdict(paris, '2026-12-25T08:59:59Z', fridays)).toBeNull();
    expect(verdict(paris, '2026-12-24T12:00:00Z', fridays)).toBeNull();
  });

  it('joins a 00:00-24:00 window across midnight', () => {
    const always: QuietHoursRule[] = [{ region: '*', windows: [{ days: [...ALL_WEEK], start: '00:00', end: '24:00' }] }];
    expect(verdict(inZone('America/New_York'), '2026-12-02T04:59:59.999Z', always)).toBe(ALLOWED);
    expect(verdict(inZone('America/New_York'), '2026-12-02T05:00:00Z', always)).toBe(ALLOWED);
  });
});

describe('createQuietHoursChecker', () => {
  it('gives the answers of nextAllowedMs, cached per region and zones at one instant', () => {
    const checker = createQuietHoursChecker(DEFAULT_QUIET_HOURS_RULES);
    const at = Date.parse('2026-12-02T01:30:00Z'); // 20:30 EST: Florida closed, New York open, same zone
    const florida = byNumber(N.florida);
    const newYork = byNumber(N.newYork);
    expect(florida.zones).toEqual(newYork.zones);
    for (let round = 0; round < 3; round += 1) {
      expect(checker.nextAllowedMs(florida, at)).toBe(Date.parse('2026-12-02T13:00:00Z'));
      expect(checker.nextAllowedMs(newYork, at)).toBe(at);
      expect(checker.isAllowedAt(newYork, at)).toBe(true);
      expect(checker.isAllowedAt(florida, at)).toBe(false);
    }
    for (const e164 of Object.values(N)) {
      for (const iso of ['2026-03-08T06:00:00Z', '2026-07-14T10:00:00Z', '2026-12-06T16:00:00Z']) {
        const place = byNumber(e164);
        expect(checker.nextAllowedMs(place, Date.parse(iso))).toBe(nextAllowedMs(place, DEFAULT_QUIET_HOURS_RULES, Date.parse(iso)));
      }
    }
  });

  it('validates the rules it is given, naming the field', () => {
    const bad = [{ region: '*', windows: [{ days: ['mon'], start: '8', end: '20:00' }] }] as unknown as QuietHoursRule[];
    expect(() => createQuietHoursChecker(bad)).toThrow('quietHours.rules[0].windows[0].start');
  });

  it('refuses a place without a valid zone', () => {
    const checker = createQuietHoursChecker(DEFAULT_QUIET_HOURS_RULES);
    expect(() => checker.nextAllowedMs({ zones: [], region: '*' }, 0)).toThrow('place.zones is empty');
    expect(() => checker.nextAllowedMs({ zones: ['Nowhere/Land'], region: '*' }, 0)).toThrow(
      '"Nowhere/Land" is not a known IANA time zone',
    );
  });
});
