/**
 * The quiet hours check: is sending allowed at an instant, and if not, when next. Pure (luxon only).
 * Sending must be allowed in EVERY candidate zone of the recipient at once (the strictest wins).
 * Windows: start inclusive, end exclusive, in local time; DST gaps and overlaps as in local-time.ts.
 */
import { IANAZone } from 'luxon';
import { isPublicHoliday } from './holidays';
import { instantOfWallClock, wallClockAt } from './local-time';
import type { RecipientPlace } from './place';
import { parseQuietHoursRules, ruleFor, secondsOfClock, WEEKDAYS, type QuietHoursRule } from './rules';

/** How far ahead an allowed instant is looked for; past it the answer is null. */
export const QUIET_HOURS_HORIZON_DAYS = 14;

export interface QuietHoursChecker {
  /** `atMs` when sending is allowed then, else the earliest allowed instant after it; null when none within the horizon. */
  nextAllowedMs(place: RecipientPlace, atMs: number): number | null;
  isAllowedAt(place: RecipientPlace, atMs: number): boolean;
}

type Interval = [startMs: number, endMs: number];

interface CompiledRule {
  /** Allowed windows per local weekday (0 = Sunday, as `Date#getUTCDay`), in seconds since local midnight. */
  windowsByDay: Array<Array<[number, number]>>;
  /** The country whose public holidays are days without sending. */
  holidaysOf?: string;
  /** Memo: the allowed intervals of a local day in a zone, by `zone|day`. */
  days: Map<string, Interval[]>;
}

const DAY_MS = 86_400_000;
const HORIZON_MS = QUIET_HOURS_HORIZON_DAYS * DAY_MS;
/** Answers are cached for this many distinct `atMs` values (callers use one `atMs` for many recipients). */
const CACHED_INSTANTS = 8;
/** Allowed intervals are cached per rule for this many (zone, local day) pairs. */
const CACHED_DAYS = 100_000;

/** A checker for one rule set (validated here), memoizing per rule region, zones and `atMs`. */
export function createQuietHoursChecker(rules: readonly QuietHoursRule[]): QuietHoursChecker {
  const valid = parseQuietHoursRules(rules);
  const compiled = new Map(valid.map((rule) => [rule, compile(rule)]));
  const rulesByRegion = new Map<string, CompiledRule>();
  const answers = new Map<number, Map<string, number | null>>();

  function nextAllowedMs(place: RecipientPlace, atMs: number): number | null {
    if (!Number.isFinite(atMs)) throw new Error(`atMs must be an instant in epoch milliseconds, got ${atMs}.`);
    let atInstant = answers.get(atMs);
    if (!atInstant) {
      if (answers.size >= CACHED_INSTANTS) answers.clear();
      atInstant = new Map();
      answers.set(atMs, atInstant);
    }
    const key = `${place.region}|${place.zones.join(',')}`;
    let answer = atInstant.get(key);
    if (answer === undefined) {
      let rule = rulesByRegion.get(place.region);
      if (!rule) {
        rule = compiled.get(ruleFor(place.region, valid))!;
        rulesByRegion.set(place.region, rule);
      }
      answer = firstAllowed(rule, place.zones, atMs);
      atInstant.set(key, answer);
    }
    return answer;
  }

  return { nextAllowedMs, isAllowedAt: (place, atMs) => nextAllowedMs(place, atMs) === atMs };
}

export function nextAllowedMs(place: RecipientPlace, rules: readonly QuietHoursRule[], atMs: number): number | null {
  return createQuietHoursChecker(rules).nextAllowedMs(place, atMs);
}

export function isAllowedAt(place: RecipientPlace, rules: readonly QuietHoursRule[], atMs: number): boolean {
  return nextAllowedMs(place, rules, atMs) === atMs;
}

function compile(rule: QuietHoursRule): CompiledRule {
  const windowsByDay: Array<Array<[number, number]>> = Array.from({ length: 7 }, () => []);
  for (const window of rule.windows) {
    for (const day of window.days)
      windowsByDay[(WEEKDAYS.indexOf(day) + 1) % 7].push([secondsOfClock(window.start), secondsOfClock(window.end)]);
  }
  for (const windows of windowsByDay) windows.sort((a, b) => a[0] - b[0]);
  return { windowsByDay, days: new Map(), ...(rule.noPublicHolidays ? { holidaysOf: rule.region.split('-')[0] } : {}) };
}

function firstAllowed(rule: CompiledRule, zones: readonly string[], atMs: number): number | null {
  if (zones.length === 0) throw new Error('place.zones is empty: give at least one IANA time zone (placeOfRecipient always does).');
  const untilMs = atMs + HORIZON_MS;
  let allowed: Interval[] | undefined;
  for (const name of zones) {
    if (!IANAZone.isValidZone(name)) throw new Error(`place.zones: ${JSON.stringify(name)} is not a known IANA time zone.`);
    const intervals = allowedIntervals(rule, IANAZone.create(name), atMs, untilMs);
    allowed = allowed ? intersect(allowed, intervals) : intervals;
  }
  const next = allowed!.find(([, endMs]) => endMs > atMs);
  if (!next) return null;
  const result = Math.max(next[0], atMs);
  return result <= untilMs ? result : null;
}

/** The allowed intervals in one zone, merged and sorted, over the local days from `fromMs` to `untilMs`. */
function allowedIntervals(rule: CompiledRule, zone: IANAZone, fromMs: number, untilMs: number): Interval[] {
  const intervals: Interval[] = [];
  const lastDay = wallClockAt(untilMs, zone);
  for (let day = Math.floor(wallClockAt(fromMs, zone) / DAY_MS) * DAY_MS; day <= lastDay; day += DAY_MS) {
    intervals.push(...dayIntervals(rule, zone, day));
  }
  return merge(intervals);
}

/** The allowed intervals of one local day (`day`: its midnight as a wall clock). */
function dayIntervals(rule: CompiledRule, zone: IANAZone, day: number): Interval[] {
  const key = `${zone.name}|${day}`;
  let intervals = rule.days.get(key);
  if (!intervals) {
    intervals = [];
    const date = new Date(day);
    if (!rule.holidaysOf || !isPublicHoliday(rule.holidaysOf, date.toISOString().slice(0, 10))) {
      for (const [start, end] of rule.windowsByDay[date.getUTCDay()]) {
        const startMs = instantOfWallClock(day + start * 1000, zone);
        const endMs = instantOfWallClock(day + end * 1000, zone);
        if (endMs > startMs) intervals.push([startMs, endMs]);
      }
    }
    if (rule.days.size >= CACHED_DAYS) rule.days.clear();
    rule.days.set(key, intervals);
  }
  return intervals;
}

function merge(intervals: Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const [start, end] of intervals.sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const both: Interval[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const start = Math.max(a[i][0], b[j][0]);
    const end = Math.min(a[i][1], b[j][1]);
    if (start < end) both.push([start, end]);
    if (a[i][1] < b[j][1]) i += 1;
    else j += 1;
  }
  return both;
}
