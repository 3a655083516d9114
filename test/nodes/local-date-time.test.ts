import { DateTime } from 'luxon';
import { localDateTimeOf } from '../../nodes/shared/parameters';

describe('Local Date and Time from the date-time picker or an expression', () => {
  it.each([
    ["the picker's wall time, kept as it is", '2026-12-01T09:00:00', 'America/Toronto', '2026-12-01T09:00:00'],
    ['typed wall time', ' 2026-12-01T09:00 ', 'America/Toronto', '2026-12-01T09:00'],
    ['ISO text with an offset: the time it shows in the zone', '2026-12-01T14:00:00.000Z', 'America/Toronto', '2026-12-01T09:00'],
    ['ISO text with another offset', '2026-12-01T09:00:00+01:00', 'Asia/Tokyo', '2026-12-01T17:00'],
    ['seconds kept when not zero', '2026-12-01T14:00:30Z', 'UTC', '2026-12-01T14:00:30'],
    ['not a date: left for the schedule check to name', 'tomorrow 9am', 'UTC', 'tomorrow 9am'],
  ])('%s', (_why, value, zone, expected) => {
    expect(localDateTimeOf(value, zone)).toBe(expected);
  });

  it('reads a Date or a luxon DateTime ($now.plus(…)) as an instant', () => {
    expect(localDateTimeOf(new Date('2026-07-01T12:00:00Z'), 'Europe/Paris')).toBe('2026-07-01T14:00');
    expect(localDateTimeOf(DateTime.fromISO('2026-07-01T12:00:00Z'), 'America/Toronto')).toBe('2026-07-01T08:00');
  });
});
