/** Public holidays, computed (no table to keep up to date). Pure. */

export const HOLIDAY_COUNTRIES: readonly string[] = ['FR', 'US'];

const cache = new Map<string, ReadonlySet<string>>();

/** The public holidays of a country in a year, as sorted `YYYY-MM-DD` local dates. */
export function publicHolidays(country: string, year: number): string[] {
  return [...holidaySet(country, year)];
}

/** True when the local date `YYYY-MM-DD` is a public holiday of the country. */
export function isPublicHoliday(country: string, isoDate: string): boolean {
  return holidaySet(country, Number(isoDate.slice(0, 4))).has(isoDate);
}

function holidaySet(country: string, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let set = cache.get(key);
  if (!set) {
    if (!Number.isInteger(year)) throw new Error(`The year must be an integer, got ${year}.`);
    const compute = country === 'FR' ? frenchHolidays : country === 'US' ? usFederalHolidays : undefined;
    if (!compute) throw new Error(`Public holidays are known only for ${HOLIDAY_COUNTRIES.join(', ')}, not for "${country}".`);
    set = new Set(compute(year).map(isoDate).sort());
    cache.set(key, set);
  }
  return set;
}

/** Fixed days, plus Easter Monday, Ascension (Easter + 39) and Whit Monday (Easter + 50). */
function frenchHolidays(year: number): Date[] {
  const easter = easterSunday(year);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((monthDay) =>
    date(year, Number(monthDay.slice(0, 2)), Number(monthDay.slice(3))),
  );
  return [...fixed, addDays(easter, 1), addDays(easter, 39), addDays(easter, 50)];
}

/**
 * The 11 federal holidays (5 U.S.C. 6103), both the day itself and, when it falls on a weekend,
 * the observed Friday or Monday: both are kept, the stricter reading for "no sending on holidays".
 */
function usFederalHolidays(year: number): Date[] {
  const ofYear = (y: number): Date[] => {
    const fixed = [date(y, 1, 1), date(y, 7, 4), date(y, 11, 11), date(y, 12, 25), ...(y >= 2021 ? [date(y, 6, 19)] : [])];
    const observed = fixed.map((day) => addDays(day, day.getUTCDay() === 6 ? -1 : day.getUTCDay() === 0 ? 1 : 0));
    const floating = [
      nthWeekday(y, 1, 1, 3), // Martin Luther King Jr. Day: 3rd Monday of January
      nthWeekday(y, 2, 1, 3), // Washington's Birthday: 3rd Monday of February
      addDays(nthWeekday(y, 6, 1, 1), -7), // Memorial Day: last Monday of May
      nthWeekday(y, 9, 1, 1), // Labor Day
      nthWeekday(y, 10, 1, 2), // Columbus Day
      nthWeekday(y, 11, 4, 4), // Thanksgiving: 4th Thursday of November
    ];
    return [...fixed, ...observed, ...floating];
  };
  // New Year's Day on a Saturday is observed on 31 December of the year before.
  return [...ofYear(year), ...ofYear(year + 1)].filter((day) => day.getUTCFullYear() === year);
}

/** Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return date(year, month, day);
}

/** The n-th given weekday (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  const first = date(year, month, 1);
  return addDays(first, ((weekday - first.getUTCDay() + 7) % 7) + 7 * (n - 1));
}

function date(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day));
}

function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * 86_400_000);
}

function isoDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}
