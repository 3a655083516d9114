/**
 * Where a recipient is, for quiet hours: the candidate IANA zones of their local time and the region
 * whose rule applies. Pure; memoized per area code and per country, as it runs for every recipient.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import { NANP_AREA_CODES } from './data/nanp-area-codes';

/** Places derived from the number are shared between recipients (frozen): do not modify them. */
export interface RecipientPlace {
  /** Every zone the recipient may be in: sending must be allowed in all of them. */
  zones: string[];
  /** `US-FL`, `CA-ON`, `FR`, or `*` when unknown. */
  region: string;
}

export interface PlaceOptions {
  /** The recipient's own zone (from their profile), used when it is a valid IANA zone. */
  profileZone?: string | null;
  /** The project's zone, used when neither the profile nor the number gives one. */
  projectZone: string;
}

/** US territories with their own country code in libphonenumber are ISO 3166-2:US subdivisions: `US-PR` falls back to the `US` rule. */
const US_TERRITORIES = new Set(['PR', 'VI', 'GU', 'AS', 'MP']);
const UNKNOWN: RecipientPlace = Object.freeze({ zones: Object.freeze([]) as unknown as string[], region: '*' });

export function placeOfRecipient(e164: string, opts: PlaceOptions): RecipientPlace {
  if (!isZone(opts.projectZone)) {
    throw new Error(
      `projectZone ${JSON.stringify(opts.projectZone ?? null)} is not a known IANA time zone: set the project's zone to a name such as America/New_York or Europe/Paris.`,
    );
  }
  const fromNumber = placeOfNumber(e164);
  if (opts.profileZone && isZone(opts.profileZone)) return { zones: [opts.profileZone], region: fromNumber.region };
  return fromNumber.zones.length > 0 ? fromNumber : { zones: [opts.projectZone], region: fromNumber.region };
}

/** The place the number alone tells (no zones when it tells none). */
export function placeOfNumber(e164: string): RecipientPlace {
  const digits = /^\+(\d{4,15})$/.exec(e164)?.[1];
  if (!digits) return UNKNOWN;
  if (digits.startsWith('1')) {
    const areaCode = digits.slice(1, 4);
    const byAreaCode = nanpAreaCodes().get(areaCode);
    if (byAreaCode) return byAreaCode;
    // Not geographic (toll-free, ...) or too new for the table: the whole country, remembered per area code.
    const country = countryOf(digits);
    if (!country) return UNKNOWN;
    const place = placeOfCountry(country);
    nanpAreaCodes().set(areaCode, place);
    return place;
  }
  const country = countryOf(digits);
  return country ? placeOfCountry(country) : UNKNOWN;
}

let areaCodes: Map<string, RecipientPlace> | undefined;

function nanpAreaCodes(): Map<string, RecipientPlace> {
  if (!areaCodes) {
    areaCodes = new Map();
    for (const line of NANP_AREA_CODES.trim().split('\n')) {
      const [areaCode, region, zones] = line.split(' ');
      areaCodes.set(areaCode, Object.freeze({ region, zones: Object.freeze(zones.split(',')) as string[] }));
    }
  }
  return areaCodes;
}

let callingCodes: Map<string, string[]> | undefined;

/** The number's country: from its calling code when only one country has it, else from libphonenumber (slower). */
function countryOf(digits: string): string | undefined {
  if (!callingCodes) {
    callingCodes = new Map();
    for (const country of getCountries()) {
      const code = getCountryCallingCode(country);
      callingCodes.set(code, [...(callingCodes.get(code) ?? []), country]);
    }
  }
  for (const length of [1, 2, 3]) {
    const countries = callingCodes.get(digits.slice(0, length));
    if (!countries) continue;
    if (countries.length === 1) return countries[0];
    return parsePhoneNumberFromString(`+${digits}`)?.country ?? undefined;
  }
  return undefined;
}

const countryPlaces = new Map<string, RecipientPlace>();

/** All the zones of a country, from the JavaScript engine's time zone data (ICU/CLDR, the IANA tz database). */
function placeOfCountry(country: string): RecipientPlace {
  let place = countryPlaces.get(country);
  if (!place) {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { getTimeZones?(): string[] | undefined };
    const zones = (locale.getTimeZones?.() ?? []).filter(isZone);
    place = Object.freeze({ zones: Object.freeze(zones) as string[], region: US_TERRITORIES.has(country) ? `US-${country}` : country });
    countryPlaces.set(country, place);
  }
  return place;
}

const validZones = new Map<string, boolean>();

export function isZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  let valid = validZones.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    validZones.set(zone, valid);
  }
  return valid;
}
