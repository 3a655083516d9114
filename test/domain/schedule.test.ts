import {
  PAST_TOLERANCE_MS,
  ScheduleError,
  checkHorizon,
  formatInstantInZone,
  horizonOf,
  resolveSendAt,
  type Schedule,
} from '../../domain/schedule';

const NOW = Date.parse('2026-01-15T12:00:00Z');
const later = (localDateTime: string, timeZone: string) => ({ mode: 'later' as const, localDateTime, timeZone });

function scheduleError(run: () => unknown): ScheduleError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ScheduleError);
    return err as ScheduleError;
  }
  throw new Error('expected a ScheduleError');
}

describe('resolveSendAt', () => {
  it('sends now without an instant', () => {
    expect(resolveSendAt({ mode: 'now' }, NOW)).toEqual({ mode: 'now', sendAtMs: null });
  });

  it.each([
    ['2026-12-01T09:00', 'America/Toronto', '2026-12-01T14:00:00.000Z', '2026-12-01 09:00 America/Toronto (UTC-05:00)'],
    ['2026-07-01T09:00', 'America/Toronto', '2026-07-01T13:00:00.000Z', '2026-07-01 09:00 America/Toronto (UTC-04:00)'],
    ['2026-12-01T09:00', 'Europe/Paris', '2026-12-01T08:00:00.000Z', '2026-12-01 09:00 Europe/Paris (UTC+01:00)'],
    ['2026-07-01T09:00', 'Europe/Paris', '2026-07-01T07:00:00.000Z', '2026-07-01 09:00 Europe/Paris (UTC+02:00)'],
    ['2026-06-15T18:30', 'Asia/Kolkata', '2026-06-15T13:00:00.000Z', '2026-06-15 18:30 Asia/Kolkata (UTC+05:30)'],
    ['2026-06-15T10:00', 'Australia/Sydney', '2026-06-15T00:00:00.000Z', '2026-06-15 10:00 Australia/Sydney (UTC+10:00)'],
    ['2026-12-01T09:00:30', 'UTC', '2026-12-01T09:00:30.000Z', '2026-12-01 09:00 UTC (UTC+00:00)'],
    // Just outside the US gap and overlap.
    ['2026-03-08T01:59', 'America/New_York', '2026-03-08T06:59:00.000Z', '2026-03-08 01:59 America/New_York (UTC-05:00)'],
    ['2026-03-08T03:00', 'America/New_York', '2026-03-08T07:00:00.000Z', '2026-03-08 03:00 America/New_York (UTC-04:00)'],
    ['2026-11-01T02:00', 'America/New_York', '2026-11-01T07:00:00.000Z', '2026-11-01 02:00 America/New_York (UTC-05:00)'],
  ])('%s in %s is %s', (localDateTime, timeZone, utc, display) => {
    const resolved = resolveSendAt(later(localDateTime, timeZone), NOW);
    expect(resolved).toEqual({ mode: 'later', sendAtMs: Date.parse(utc), timeZone, localDateTime, ambiguous: false, display });
  });

  it('normalizes the case of the zone name', () => {
    const resolved = resolveSendAt(later('2026-12-01T09:00', 'america/toronto'), NOW);
    expect(resolved).toMatchObject({ timeZone: 'America/Toronto', sendAtMs: Date.parse('2026-12-01T14:00:00Z') });
  });

  it.each([
    // [local time, zone, first occurrence (UTC), second occurrence (UTC)]
    ['2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'],
    ['2026-11-01T01:00', 'America/New_York', '2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z'],
    ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'],
    ['2026-04-05T01:45', 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z', '2026-04-04T15:15:00.000Z'],
  ])('takes the first occurrence of %s in %s (DST overlap): %s, not %s', (localDateTime, timeZone, first) => {
    const resolved = resolveSendAt(later(localDateTime, timeZone), NOW);
    expect(resolved.sendAtMs).toBe(Date.parse(first));
    expect(resolved).toMatchObject({ ambiguous: true, localDateTime, timeZone });
  });

  it.each([
    ['2026-03-08T02:30', 'America/New_York', 'on 2026-03-08 from 02:00 to 03:00', '2026-03-08T03:00'],
    ['2026-03-08T02:00', 'America/New_York', 'on 2026-03-08 from 02:00 to 03:00', '2026-03-08T03:00'],
    ['2026-03-08T02:59:59', 'America/New_York', 'on 2026-03-08 from 02:00 to 03:00', '2026-03-08T03:00'],
    ['2026-03-08T02:30', 'America/Toronto', 'on 2026-03-08 from 02:00 to 03:00', '2026-03-08T03:00'],
    ['2026-03-29T02:30', 'Europe/Paris', 'on 2026-03-29 from 02:00 to 03:00', '2026-03-29T03:00'],
    ['2026-03-29T01:30', 'Europe/London', 'on 2026-03-29 from 01:00 to 02:00', '2026-03-29T02:00'],
    ['2026-10-04T02:15', 'Australia/Lord_Howe', 'on 2026-10-04 from 02:00 to 02:30', '2026-10-04T02:30'],
  ])('refuses %s in %s (DST gap) and suggests the first valid time', (localDateTime, timeZone, jump, suggestion) => {
    const error = scheduleError(() => resolveSendAt(later(localDateTime, timeZone), NOW));
    expect(error.field).toBe('localDateTime');
    expect(error.message).toBe(
      `"localDateTime" ${localDateTime} does not exist in ${timeZone}: clocks jump forward ${jump}. ` +
        `Choose a time outside the gap, for example ${suggestion} (the first valid time after it).`,
    );
  });

  it('describes a gap of a whole day', () => {
    const error = scheduleError(() => resolveSendAt(later('2011-12-30T12:00', 'Pacific/Apia'), Date.parse('2011-01-01T00:00:00Z')));
    expect(error.message).toContain('clocks jump forward on 2011-12-30 from 00:00 to 2011-12-31 00:00');
    expect(error.message).toContain('for example 2011-12-31T00:00');
  });

  it.each(['Mars/Olympus', 'Toronto', 'UTC+25'])('refuses the unknown zone %s', (timeZone) => {
    const error = scheduleError(() => resolveSendAt(later('2026-12-01T09:00', timeZone), NOW));
    expect(error.field).toBe('timeZone');
    expect(error.message).toBe(
      `"timeZone" "${timeZone}" is not a known IANA time zone: use a name such as America/Toronto or Europe/Paris.`,
    );
  });

  it('requires a zone for a later send', () => {
    const error = scheduleError(() => resolveSendAt(later('2026-12-01T09:00', ' '), NOW));
    expect(error.field).toBe('timeZone');
    expect(error.message).toBe('"timeZone" is required for a later send: give an IANA time zone, for example America/Toronto.');
  });

  it.each(['2026-12-01 09:00', '2026-12-1T09:00', '01/12/2026 09:00', '2026-12-01T9:00', '2026-12-01T09:00Z', '2026-12-01'])(
    'refuses the badly formatted date-time %p',
    (localDateTime) => {
      const error = scheduleError(() => resolveSendAt(later(localDateTime, 'America/Toronto'), NOW));
      expect(error.field).toBe('localDateTime');
      expect(error.message).toBe(
        `"localDateTime" "${localDateTime}" is not in the expected format YYYY-MM-DDTHH:mm (seconds optional), for example 2026-12-01T09:00.`,
      );
    },
  );

  it.each(['2026-02-29T09:00', '2026-13-01T09:00', '2026-12-01T24:00', '2026-12-01T09:60'])(
    'refuses the impossible date-time %p',
    (localDateTime) => {
      const error = scheduleError(() => resolveSendAt(later(localDateTime, 'America/Toronto'), NOW));
      expect(error.field).toBe('localDateTime');
      expect(error.message).toBe(
        `"localDateTime" "${localDateTime}" is not a real date and time: expected YYYY-MM-DDTHH:mm (seconds optional), for example 2026-12-01T09:00.`,
      );
    },
  );

  it('requires a date-time for a later send', () => {
    const error = scheduleError(() => resolveSendAt(later('', 'America/Toronto'), NOW));
    expect(error.field).toBe('localDateTime');
    expect(error.message).toContain('is required for a later send');
  });

  it('refuses a time in the past and says what time it is there', () => {
    // NOW is 2026-01-15 07:00 in Toronto.
    const error = scheduleError(() => resolveSendAt(later('2026-01-15T06:58', 'America/Toronto'), NOW));
    expect(error.field).toBe('localDateTime');
    expect(error.message).toBe(
      '"localDateTime" 2026-01-15T06:58 in America/Toronto is in the past: it is now 2026-01-15 07:00 there. Choose a later time, or send now.',
    );
  });

  it(`accepts a time less than ${PAST_TOLERANCE_MS / 1000} s in the past`, () => {
    const resolved = resolveSendAt(later('2026-01-15T06:59:30', 'America/Toronto'), NOW);
    expect(resolved.sendAtMs).toBe(NOW - 30_000);
  });

  it('refuses an unknown mode', () => {
    const error = scheduleError(() => resolveSendAt({ mode: 'tomorrow' } as never, NOW));
    expect(error.field).toBe('mode');
    expect(error.message).toBe('Schedule "mode" must be "now" or "later", got "tomorrow".');
  });
});

describe('checkHorizon: at most one year ahead unless allowBeyondOneYear', () => {
  const check = (schedule: Schedule) => checkHorizon(schedule, resolveSendAt(schedule, NOW), NOW);

  it('puts the horizon one calendar year after now', () => {
    expect(new Date(horizonOf(NOW)).toISOString()).toBe('2027-01-15T12:00:00.000Z');
  });

  it.each([
    ['tomorrow', '2026-01-16T09:00'],
    ['one minute before the horizon', '2027-01-15T06:59'],
    ['the horizon itself', '2027-01-15T07:00'],
  ])('accepts %s (%s in Toronto)', (_what, localDateTime) => {
    expect(() => check(later(localDateTime, 'America/Toronto'))).not.toThrow();
  });

  it.each([
    ['one minute past the horizon', '2027-01-15T07:01'],
    ['the year 9999', '9999-12-31T23:59'],
    ['two years ahead', '2028-01-15T09:00'],
  ])('refuses %s (%s in Toronto), naming the field, the latest time and how to force it', (_what, localDateTime) => {
    const error = scheduleError(() => check(later(localDateTime, 'America/Toronto')));
    expect(error.field).toBe('localDateTime');
    expect(error.message).toBe(
      `"localDateTime" ${localDateTime} in America/Toronto is more than one year ahead (the latest is 2027-01-15 07:00 America/Toronto (UTC-05:00)): ` +
        'check the year, or confirm it with "allowBeyondOneYear": true (CLI: --allow-beyond-one-year).',
    );
  });

  it('accepts the year 9999 when forced', () => {
    expect(() => check({ ...later('9999-12-31T23:59', 'America/Toronto'), allowBeyondOneYear: true })).not.toThrow();
  });

  it('refuses an allowBeyondOneYear that is not true or false', () => {
    const error = scheduleError(() => check({ ...later('2026-02-01T09:00', 'UTC'), allowBeyondOneYear: 'yes' as never }));
    expect(error.field).toBe('allowBeyondOneYear');
    expect(error.message).toBe('"allowBeyondOneYear" must be true or false, got "yes".');
  });

  it('says nothing about a send now', () => {
    expect(() => check({ mode: 'now' })).not.toThrow();
  });
});

describe('formatInstantInZone', () => {
  it.each([
    ['2026-12-01T14:00:00Z', 'America/Toronto', '2026-12-01 09:00 America/Toronto (UTC-05:00)'],
    ['2026-06-15T13:00:00Z', 'Asia/Kolkata', '2026-06-15 18:30 Asia/Kolkata (UTC+05:30)'],
    ['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01 01:30 America/New_York (UTC-04:00)'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01 01:30 America/New_York (UTC-05:00)'],
  ])('%s in %s is %s', (utc, zone, expected) => {
    expect(formatInstantInZone(Date.parse(utc), zone)).toBe(expected);
  });
});
