/**
 * When a sending goes out: "now", or a local date-time in an IANA zone turned into one UTC instant.
 * Pure (luxon only), so the workflow sandbox can import it; the caller passes the current time.
 *
 * DST rules:
 * - a local time inside a gap (clocks jump forward) does not exist: refused, with the first valid time after the gap;
 * - a local time inside an overlap (clocks fall back) happens twice: the FIRST occurrence (earlier UTC instant) is used.
 */
import { DateTime, IANAZone } from 'luxon';

export type Schedule =
  | { mode: 'now' }
  | {
      mode: 'later';
      localDateTime: string;
      timeZone: string;
      /** A send time more than a year ahead is refused as a likely typo unless this is true. */
      allowBeyondOneYear?: boolean;
    };

export type ResolvedSchedule =
  | { mode: 'now'; sendAtMs: null }
  | {
      mode: 'later';
      /** The UTC instant, in epoch milliseconds. */
      sendAtMs: number;
      timeZone: string;
      /** The input, normalized to `YYYY-MM-DDTHH:mm` (`:ss` kept when not zero). */
      localDateTime: string;
      /** True when the local time happens twice (DST overlap) and the first occurrence was taken. */
      ambiguous: boolean;
      /** For humans, e.g. `2026-12-01 09:00 America/Toronto (UTC-05:00)`. */
      display: string;
    };

export type ScheduleField = 'mode' | 'localDateTime' | 'timeZone' | 'allowBeyondOneYear';

export class ScheduleError extends Error {
  readonly field: ScheduleField;

  constructor(field: ScheduleField, message: string) {
    super(message);
    this.name = 'ScheduleError';
    this.field = field;
  }
}

/** A later send this close to "now" (or already this far in the past) is still accepted. */
export const PAST_TOLERANCE_MS = 60_000;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const EXPECTED_FORMAT = 'YYYY-MM-DDTHH:mm (seconds optional), for example 2026-12-01T09:00';
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function resolveSendAt(schedule: Schedule, nowMs: number): ResolvedSchedule {
  if (schedule?.mode === 'now') return { mode: 'now', sendAtMs: null };
  if (schedule?.mode !== 'later') {
    throw new ScheduleError(
      'mode',
      `Schedule "mode" must be "now" or "later", got ${JSON.stringify((schedule as { mode?: unknown } | undefined)?.mode ?? null)}.`,
    );
  }

  const wall = parseLocalDateTime(schedule.localDateTime);
  const zone = requireZone(schedule.timeZone);
  const { instants, offsetsMinutes } = instantsOf(wall, zone);
  const localDateTime = formatWallClock(wall);

  if (instants.length === 0) {
    const gap = gapAround(wall, zone, offsetsMinutes);
    throw new ScheduleError(
      'localDateTime',
      `"localDateTime" ${localDateTime} does not exist in ${zone.name}: clocks jump forward on ${gap.date} from ${gap.start} to ${gap.end}. ` +
        `Choose a time outside the gap, for example ${gap.firstValid} (the first valid time after it).`,
    );
  }

  const sendAtMs = instants[0];
  if (sendAtMs < nowMs - PAST_TOLERANCE_MS) {
    throw new ScheduleError(
      'localDateTime',
      `"localDateTime" ${localDateTime} in ${zone.name} is in the past: it is now ${formatLocal(nowMs, zone.name)} there. ` +
        `Choose a later time, or send now.`,
    );
  }

  return {
    mode: 'later',
    sendAtMs,
    timeZone: zone.name,
    localDateTime,
    ambiguous: instants.length > 1,
    display: formatInstantInZone(sendAtMs, zone.name),
  };
}

/** The latest send time accepted without `allowBeyondOneYear`: the same instant one calendar year after `nowMs`. */
export function horizonOf(nowMs: number): number {
  return DateTime.fromMillis(nowMs, { zone: 'UTC' }).plus({ years: 1 }).toMillis();
}

/**
 * Refuses a later send more than one year after `nowMs` (year 9999 is a typo, not a plan) unless the
 * schedule says `allowBeyondOneYear: true`. Separate from resolveSendAt: the workflow checks it in its
 * update validators only, so sendings accepted before the horizon existed replay unchanged.
 */
export function checkHorizon(schedule: Schedule, resolved: ResolvedSchedule, nowMs: number): void {
  if (resolved.mode !== 'later' || schedule.mode !== 'later') return;
  const allow = schedule.allowBeyondOneYear;
  if (allow !== undefined && typeof allow !== 'boolean') {
    throw new ScheduleError('allowBeyondOneYear', `"allowBeyondOneYear" must be true or false, got ${JSON.stringify(allow)}.`);
  }
  if (allow === true || resolved.sendAtMs <= horizonOf(nowMs)) return;
  throw new ScheduleError(
    'localDateTime',
    `"localDateTime" ${resolved.localDateTime} in ${resolved.timeZone} is more than one year ahead (the latest is ${formatInstantInZone(horizonOf(nowMs), resolved.timeZone)}): ` +
      `check the year, or confirm it with "allowBeyondOneYear": true (CLI: --allow-beyond-one-year).`,
  );
}

/** `2026-12-01 09:00 America/Toronto (UTC-05:00)`. */
export function formatInstantInZone(instantMs: number, timeZone: string): string {
  const local = DateTime.fromMillis(instantMs, { zone: timeZone });
  return `${local.toFormat('yyyy-MM-dd HH:mm')} ${timeZone} (UTC${local.toFormat('ZZ')})`;
}

export function isValidTimeZone(timeZone: string): boolean {
  return typeof timeZone === 'string' && timeZone.trim() !== '' && IANAZone.isValidZone(timeZone);
}

function parseLocalDateTime(value: unknown): WallClock {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ScheduleError('localDateTime', `"localDateTime" is required for a later send: expected ${EXPECTED_FORMAT}.`);
  }
  const match = LOCAL_DATE_TIME.exec(value.trim());
  if (!match) {
    throw new ScheduleError('localDateTime', `"localDateTime" ${JSON.stringify(value)} is not in the expected format ${EXPECTED_FORMAT}.`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const wall = { year, month, day, hour, minute, second };
  if (hour > 23 || minute > 59 || second > 59 || !DateTime.fromObject(wall, { zone: 'UTC' }).isValid) {
    throw new ScheduleError(
      'localDateTime',
      `"localDateTime" ${JSON.stringify(value)} is not a real date and time: expected ${EXPECTED_FORMAT}.`,
    );
  }
  return wall;
}

function requireZone(timeZone: unknown): IANAZone {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new ScheduleError('timeZone', '"timeZone" is required for a later send: give an IANA time zone, for example America/Toronto.');
  }
  if (!IANAZone.isValidZone(timeZone)) {
    throw new ScheduleError(
      'timeZone',
      `"timeZone" ${JSON.stringify(timeZone)} is not a known IANA time zone: use a name such as America/Toronto or Europe/Paris.`,
    );
  }
  return IANAZone.create(canonicalCase(timeZone));
}

/** `america/toronto` → `America/Toronto`; aliases (e.g. `Asia/Calcutta`) are kept as given. */
function canonicalCase(timeZone: string): string {
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

/**
 * Every UTC instant whose wall clock in `zone` equals `wall`, earliest first: none in a DST gap,
 * two in an overlap. Candidates come from the offsets in force around that date.
 */
function instantsOf(wall: WallClock, zone: IANAZone): { instants: number[]; offsetsMinutes: number[] } {
  const wallAsUtc = utcMillisOf(wall);
  const offsetsMinutes = [...new Set([-48, -24, -14, 0, 14, 24, 48].map((hours) => zone.offset(wallAsUtc + hours * HOUR_MS)))];
  const instants = offsetsMinutes
    .map((offset) => wallAsUtc - offset * MINUTE_MS)
    .filter((instant) => sameWallClock(DateTime.fromMillis(instant, { zone }), wall));
  return { instants: [...new Set(instants)].sort((a, b) => a - b), offsetsMinutes };
}

/** The DST gap containing `wall`, found by bisecting between the instants it maps to under the old and the new offset. */
function gapAround(
  wall: WallClock,
  zone: IANAZone,
  offsetsMinutes: number[],
): { date: string; start: string; end: string; firstValid: string } {
  const wallAsUtc = utcMillisOf(wall);
  // Clocks jump forward: the offset grows. Read with the new (larger) offset the wall clock gives an
  // instant before the transition; read with the old one, an instant after it. Bisect in whole seconds.
  let before = (wallAsUtc - Math.max(...offsetsMinutes) * MINUTE_MS) / 1000;
  let after = (wallAsUtc - Math.min(...offsetsMinutes) * MINUTE_MS) / 1000;
  const offsetBefore = zone.offset(before * 1000);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (zone.offset(middle * 1000) === offsetBefore) before = middle;
    else after = middle;
  }
  const transition = after * 1000;
  const endLocal = DateTime.fromMillis(transition, { zone });
  const startLocal = DateTime.fromMillis(transition + offsetBefore * MINUTE_MS, { zone: 'UTC' });
  const clock = (local: DateTime): string => local.toFormat(local.second === 0 ? 'HH:mm' : 'HH:mm:ss');
  const date = startLocal.toFormat('yyyy-MM-dd');
  const endDate = endLocal.toFormat('yyyy-MM-dd');
  return {
    date,
    start: clock(startLocal),
    end: endDate === date ? clock(endLocal) : `${endDate} ${clock(endLocal)}`,
    firstValid: formatWallClock(endLocal),
  };
}

/** The instant whose UTC wall clock is `wall` (Date.UTC would read years below 100 as 19xx). */
function utcMillisOf(wall: WallClock): number {
  return DateTime.fromObject(wall, { zone: 'UTC' }).toMillis();
}

function sameWallClock(local: DateTime, wall: WallClock): boolean {
  return (
    local.year === wall.year &&
    local.month === wall.month &&
    local.day === wall.day &&
    local.hour === wall.hour &&
    local.minute === wall.minute &&
    local.second === wall.second
  );
}

function formatWallClock(wall: WallClock): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const base = `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}`;
  return wall.second === 0 ? base : `${base}:${two(wall.second)}`;
}

function formatLocal(instantMs: number, timeZone: string): string {
  return DateTime.fromMillis(instantMs, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}
