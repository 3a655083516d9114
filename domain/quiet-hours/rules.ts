/**
 * Quiet hours as data: per region, the local windows in which sending is ALLOWED. Pure.
 * A region is `*`, a country (`FR`, ISO 3166-1) or a subdivision (`US-FL`, ISO 3166-2).
 */
import { HOLIDAY_COUNTRIES } from './holidays';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface QuietHoursWindow {
  days: Weekday[];
  /** Local time, `HH:MM` or `HH:MM:SS`, inclusive. */
  start: string;
  /** Local time, exclusive; `24:00` is the end of the day. A window cannot cross midnight. */
  end: string;
}

export interface QuietHoursRule {
  region: string;
  /** The allowed sending windows; a day with no window is a day without sending. */
  windows: QuietHoursWindow[];
  /** No sending on the public holidays of the region's country (see `publicHolidays`). */
  noPublicHolidays?: boolean;
  note?: string;
}

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MON_SAT: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const everyDay = (start: string, end: string): QuietHoursWindow[] => [{ days: [...WEEKDAYS], start, end }];
const monToSat = (start: string, end: string): QuietHoursWindow[] => [{ days: [...MON_SAT], start, end }];

const VERIFY = 'Verify with counsel; override per project when needed.';

export const DEFAULT_QUIET_HOURS_RULES: readonly QuietHoursRule[] = [
  { region: '*', windows: everyDay('08:00', '21:00'), note: 'Default everywhere else: 08:00-21:00 local time, every day.' },
  {
    region: 'US',
    windows: everyDay('08:00', '21:00'),
    note: "Federal TCPA (47 CFR 64.1200(c)(1)): no telephone solicitation before 8 a.m. or after 9 p.m. at the called party's location.",
  },
  {
    region: 'US-FL',
    windows: everyDay('08:00', '20:00'),
    note: `Florida Telephone Solicitation Act (Fla. Stat. 501.059): 8 a.m.-8 p.m. ${VERIFY}`,
  },
  { region: 'US-OK', windows: everyDay('08:00', '20:00'), note: `Oklahoma Telephone Solicitation Act (2022): 8 a.m.-8 p.m. ${VERIFY}` },
  { region: 'US-MD', windows: everyDay('08:00', '20:00'), note: `Maryland Stop the Spam Calls Act (2023): 8 a.m.-8 p.m. ${VERIFY}` },
  {
    region: 'US-NJ',
    windows: everyDay('08:00', '20:00'),
    note: `8 a.m.-8 p.m. every day, the product's choice (stricter than TCPA). ${VERIFY}`,
  },
  {
    region: 'US-MS',
    windows: monToSat('08:00', '20:00'),
    noPublicHolidays: true,
    note: `8 a.m.-8 p.m.; decision: no Sundays and no holidays either, as several compliance summaries report for Mississippi (the stricter reading). US federal holidays stand in for the state's. ${VERIFY}`,
  },
  { region: 'US-CT', windows: everyDay('09:00', '20:00'), note: `Connecticut (Conn. Gen. Stat. 42-288a, 2023): 9 a.m.-8 p.m. ${VERIFY}` },
  {
    region: 'US-TX',
    windows: [
      { days: [...MON_SAT], start: '09:00', end: '21:00' },
      { days: ['sun'], start: '12:00', end: '21:00' },
    ],
    note: `Texas (Bus. & Com. Code 301.051): 9 a.m.-9 p.m. Monday to Saturday, noon-9 p.m. on Sunday. ${VERIFY}`,
  },
  {
    region: 'US-RI',
    windows: monToSat('09:00', '18:00'),
    noPublicHolidays: true,
    note: `Rhode Island (R.I. Gen. Laws ch. 5-61): 9 a.m.-6 p.m. Monday to Saturday, never on Sundays or holidays. US federal holidays (and their observed days) stand in for the state's; Victory Day (second Monday of August) is not covered. ${VERIFY}`,
  },
  {
    region: 'US-AL',
    windows: monToSat('08:00', '20:00'),
    noPublicHolidays: true,
    note: `Alabama: decision 8 a.m.-8 p.m. Monday to Saturday, no Sundays, no holidays (the stricter reading; compliance summaries agree). US federal holidays stand in for the state's. ${VERIFY}`,
  },
  {
    region: 'US-LA',
    windows: monToSat('08:00', '20:00'),
    noPublicHolidays: true,
    note: `Louisiana: 8 a.m.-8 p.m. Monday to Saturday, no Sundays, no legal holidays. US federal holidays stand in for the state's. ${VERIFY}`,
  },
  {
    region: 'FR',
    windows: monToSat('08:00', '20:00'),
    noPublicHolidays: true,
    note: "French operators' code of practice for marketing SMS: none between 20:00 and 08:00, on Sundays or on public holidays (national list; Alsace-Moselle's extra days are not covered). Voice canvassing rules (decree 2022-1313) are stricter and not covered.",
  },
];

/** The most specific rule for a region: `US-FL`, else `US`, else `*`. */
export function ruleFor(region: string, rules: readonly QuietHoursRule[]): QuietHoursRule {
  const country = region.split('-')[0];
  const rule = rules.find((r) => r.region === region) ?? rules.find((r) => r.region === country) ?? rules.find((r) => r.region === '*');
  if (!rule)
    throw new Error(`No quiet hours rule applies to region "${region}": add a rule with region "*" (the default for every place).`);
  return rule;
}

/** The defaults with each override replacing the default of the same region; new regions are added. */
export function mergeQuietHoursRules(defaults: readonly QuietHoursRule[], overrides: readonly QuietHoursRule[]): QuietHoursRule[] {
  const byRegion = new Map(overrides.map((rule) => [rule.region, rule]));
  const merged = defaults.map((rule) => byRegion.get(rule.region) ?? rule);
  const known = new Set(defaults.map((rule) => rule.region));
  return [...merged, ...overrides.filter((rule) => !known.has(rule.region))];
}

const REGION = /^(\*|[A-Z]{2}|[A-Z]{2}-[A-Z0-9]{1,3})$/;
const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const RULE_KEYS = ['region', 'windows', 'noPublicHolidays', 'note'];
const WINDOW_KEYS = ['days', 'start', 'end'];

/**
 * Validates rule data from a project's settings and returns normalized copies (regions upper-cased).
 * Throws an Error naming the field, e.g. `quietHours.rules[2].windows[0].start`, and the fix.
 */
export function parseQuietHoursRules(data: unknown, path = 'quietHours.rules'): QuietHoursRule[] {
  if (!Array.isArray(data)) {
    throw new Error(
      `${path} must be a list of rules, for example [{"region": "US-FL", "windows": [{"days": ["mon"], "start": "08:00", "end": "20:00"}]}].`,
    );
  }
  const seen = new Map<string, number>();
  return data.map((item, index) => {
    const rule = parseRule(item, `${path}[${index}]`);
    const previous = seen.get(rule.region);
    if (previous !== undefined) {
      throw new Error(`${path}[${index}].region "${rule.region}" is already used by ${path}[${previous}]: keep one rule per region.`);
    }
    seen.set(rule.region, index);
    return rule;
  });
}

/** Seconds since local midnight of a valid clock string (`24:00` is 86400). */
export function secondsOfClock(clock: string): number {
  const [, hours, minutes, seconds] = CLOCK.exec(clock) ?? [];
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds ?? 0);
}

function parseRule(item: unknown, path: string): QuietHoursRule {
  const rule = requireObject(item, path, RULE_KEYS, '{"region": "US-FL", "windows": [...]}');
  if (typeof rule.region !== 'string' || !REGION.test(rule.region.trim().toUpperCase())) {
    throw new Error(
      `${path}.region must be "*", a country code such as "FR" or a subdivision code such as "US-FL", got ${JSON.stringify(rule.region ?? null)}.`,
    );
  }
  const region = rule.region.trim().toUpperCase();
  if (!Array.isArray(rule.windows)) {
    throw new Error(
      `${path}.windows must be a list of allowed windows such as {"days": ["mon", "tue"], "start": "08:00", "end": "20:00"} (an empty list forbids sending).`,
    );
  }
  const windows = rule.windows.map((window, index) => parseWindow(window, `${path}.windows[${index}]`));
  const parsed: QuietHoursRule = { region, windows };

  if (rule.noPublicHolidays !== undefined) {
    if (typeof rule.noPublicHolidays !== 'boolean')
      throw new Error(`${path}.noPublicHolidays must be true or false, got ${JSON.stringify(rule.noPublicHolidays)}.`);
    const country = region.split('-')[0];
    if (rule.noPublicHolidays && !HOLIDAY_COUNTRIES.includes(country)) {
      throw new Error(
        `${path}.noPublicHolidays: public holidays are known only for ${HOLIDAY_COUNTRIES.join(', ')}, not for region "${region}": remove it or leave those days out of the windows.`,
      );
    }
    parsed.noPublicHolidays = rule.noPublicHolidays;
  }
  if (rule.note !== undefined) {
    if (typeof rule.note !== 'string') throw new Error(`${path}.note must be text, got ${JSON.stringify(rule.note)}.`);
    parsed.note = rule.note;
  }
  return parsed;
}

function parseWindow(item: unknown, path: string): QuietHoursWindow {
  const window = requireObject(item, path, WINDOW_KEYS, '{"days": ["mon", "tue"], "start": "08:00", "end": "20:00"}');
  if (!Array.isArray(window.days) || window.days.length === 0) {
    throw new Error(`${path}.days must be a non-empty list of days among ${WEEKDAYS.join(', ')}.`);
  }
  window.days.forEach((day, index) => {
    if (!WEEKDAYS.includes(day as Weekday))
      throw new Error(`${path}.days[${index}] must be one of ${WEEKDAYS.join(', ')}, got ${JSON.stringify(day)}.`);
  });
  const start = parseClock(window.start, `${path}.start`, false);
  const end = parseClock(window.end, `${path}.end`, true);
  if (secondsOfClock(end) <= secondsOfClock(start)) {
    throw new Error(
      `${path}.end ${end} must be after start ${start}: a window cannot cross midnight, split it in two (e.g. 22:00-24:00 and 00:00-06:00).`,
    );
  }
  return { days: [...new Set(window.days as Weekday[])], start, end };
}

function parseClock(value: unknown, path: string, isEnd: boolean): string {
  const match = typeof value === 'string' ? CLOCK.exec(value.trim()) : null;
  const [hours, minutes, seconds] = (match?.slice(1) ?? []).map((part) => Number(part ?? 0));
  const endOfDay = isEnd && hours === 24 && minutes === 0 && seconds === 0;
  if (!match || ((hours > 23 || minutes > 59 || seconds > 59) && !endOfDay)) {
    throw new Error(
      `${path} must be a local time HH:MM or HH:MM:SS between 00:00 and ${isEnd ? '24:00' : '23:59:59'}, for example "08:00", got ${JSON.stringify(value ?? null)}.`,
    );
  }
  return match[0];
}

function requireObject(item: unknown, path: string, keys: string[], example: string): Record<string, unknown> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`${path} must be an object such as ${example}.`);
  const unknown = Object.keys(item).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw new Error(`${path}.${unknown} is not a known field: use ${keys.join(', ')}.`);
  return item as Record<string, unknown>;
}
