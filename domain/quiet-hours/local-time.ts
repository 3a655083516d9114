/**
 * Local wall clock ↔ UTC instant in an IANA zone, with the DST rules of quiet hours. Pure (luxon only).
 * Wall clocks are written as the epoch milliseconds of the same date and time in UTC (`wallMs`).
 *
 * - A local time in a gap (clocks jump forward, e.g. 02:30 on a spring-forward night) does not exist:
 *   it maps to the first valid instant after it, the end of the gap (03:00 local).
 * - A local time in an overlap (clocks fall back) happens twice: the first occurrence is used,
 *   as for a scheduled sending (domain/schedule.ts).
 */
import { IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The wall clock in `zone` at `instantMs`. */
export function wallClockAt(instantMs: number, zone: IANAZone): number {
  return instantMs + zone.offset(instantMs) * MINUTE_MS;
}

/** The instant at which `zone` shows `wallMs` (see the DST rules above). */
export function instantOfWallClock(wallMs: number, zone: IANAZone): number {
  const offsets = [...new Set([-DAY_MS, 0, DAY_MS].map((shift) => zone.offset(wallMs + shift)))];
  const matches = offsets.map((offset) => wallMs - offset * MINUTE_MS).filter((instant) => wallClockAt(instant, zone) === wallMs);
  if (matches.length > 0) return Math.min(...matches);

  // In a gap: under the new (larger) offset the wall clock reads as an instant before the jump, under
  // the old one as an instant after it. Bisect to the jump, in whole seconds.
  let before = wallMs - Math.max(...offsets) * MINUTE_MS;
  let after = wallMs - Math.min(...offsets) * MINUTE_MS;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (wallClockAt(middle, zone) < wallMs) before = middle;
    else after = middle;
  }
  return after;
}
