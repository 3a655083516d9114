/**
 * Quiet-hours windows shifted to open seconds from now, for dispatch tests on the real dev server:
 * a project "world" whose New York and Los Angeles windows open at given instants, Paris open all day.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS } from '../../domain/quiet-hours';
import type { Directory } from '../../worker/directory/directory';

const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/Paris'];
const clockIn = (zone: string, ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('HH:mm:ss');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shifted windows must not cross a local midnight while the test runs. */
export async function awayFromMidnight(): Promise<void> {
  const untilMidnight = Math.min(...ZONES.map((zone) => DateTime.now().setZone(zone).endOf('day').toMillis() - Date.now()));
  if (untilMidnight < 90_000) await sleep(untilMidnight + 2000);
}

/** Project "world" (US numbers by default): New York opens at `newYorkOpens`, Los Angeles at `losAngelesOpens` (ms), Paris all day. */
export async function upsertShiftedWorld(directory: Directory, newYorkOpens: number, losAngelesOpens: number): Promise<void> {
  const allDay = { days: [...WEEKDAYS], start: '00:00', end: '24:00' };
  await directory.upsertProject({
    id: 'world',
    name: 'World',
    defaultCountry: 'US',
    timeZone: 'America/Chicago',
    compliance: {
      quietHours: {
        rules: [
          { region: 'US-NY', windows: [{ ...allDay, start: clockIn('America/New_York', newYorkOpens) }] },
          { region: 'US-CA', windows: [{ ...allDay, start: clockIn('America/Los_Angeles', losAngelesOpens) }] },
          { region: 'FR', windows: [allDay] },
        ],
      },
    },
  });
}
