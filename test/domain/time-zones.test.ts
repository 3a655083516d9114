import { IANAZone } from 'luxon';
import { RENAMED_TIME_ZONES, pickerTimeZones } from '../../domain/time-zones';
import { resolveSendAt } from '../../domain/schedule';

describe('the time zones offered in pickers', () => {
  const zones = pickerTimeZones(Intl.supportedValuesOf('timeZone'));

  it('starts with UTC, then the zones in alphabetical order, each once', () => {
    expect(zones[0]).toBe('UTC');
    expect(zones.slice(1)).toEqual([...zones.slice(1)].sort());
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('offers the names IANA uses today, not the renamed ones', () => {
    expect(zones).toEqual(
      expect.arrayContaining(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'America/Nuuk', 'America/Argentina/Buenos_Aires']),
    );
    expect(zones.filter((zone) => zone in RENAMED_TIME_ZONES)).toEqual([]);
  });

  it('offers only zones a schedule accepts, and the renamed ones are still accepted when typed', () => {
    expect(zones.filter((zone) => !IANAZone.isValidZone(zone))).toEqual([]);
    for (const zone of [...Object.keys(RENAMED_TIME_ZONES), ...Object.values(RENAMED_TIME_ZONES)]) {
      expect(
        resolveSendAt({ mode: 'later', localDateTime: '2027-03-01T09:00', timeZone: zone }, Date.parse('2027-01-01T00:00:00Z')).mode,
      ).toBe('later');
    }
  });

  it('keeps every zone of the runtime under one name or the other', () => {
    const runtime = Intl.supportedValuesOf('timeZone');
    expect(zones.length).toBe(new Set(runtime.map((zone) => RENAMED_TIME_ZONES[zone] ?? zone).concat('UTC')).size);
  });
});
