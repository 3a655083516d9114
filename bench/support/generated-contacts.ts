/**
 * A generated contact directory, the same on every run: contacts in several countries written in
 * local or international formats, ~5% invalid numbers, ~3% duplicates by number (written in
 * another format), 1% inactive, 0.5% opted out, 1% French landlines (left out at prepare), each
 * contact in 1 to 3 of 20 groups. Contact `i` is computed from `i` alone, so any slice can be
 * generated without the others.
 */

export const GROUPS = Array.from({ length: 20 }, (_, g) => `g${String(g + 1).padStart(2, '0')}`);
export const DEFAULT_COUNTRY = 'CA';

export interface GeneratedContact {
  externalId: string;
  active: boolean;
  fields: Record<string, string>;
  /** Indexes into GROUPS, distinct. */
  groups: number[];
  /** The number is on the project's kill list (when it is valid). */
  optedOut: boolean;
  /** The E.164 form the number was generated from, its country and libphonenumber type; null for an invalid one. */
  e164: string | null;
  country: string | null;
  type: string | null;
}

const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Eve',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jade',
  'Karim',
  'Léa',
  'Marc',
  'Nora',
  'Omar',
  'Paul',
];
const LAST_NAMES = ['Martin', 'Smith', 'Tremblay', 'Roy', 'Müller', 'Dubois', 'Garcia', 'Nguyen', 'Brown', 'Lee'];
const CITIES = ['Montréal', 'Toronto', 'Vancouver', 'New York', 'Paris', 'London', 'Berlin', 'Brussels', 'Zurich'];
const INVALID = ['12345', 'not a number', '+1 514 55', '+33 1234', '555-01', '+999 123456789', '(514) 000-12', 'n/a'];

/** A 32-bit hash of (i, salt): the generator's only source of randomness. */
function hash(i: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for (i, salt). */
const uniform = (i: number, salt: number) => hash(i, salt) / 2 ** 32;
const pick = <T>(list: readonly T[], i: number, salt: number): T => list[hash(i, salt) % list.length];

const isInvalid = (i: number) => uniform(i, 1) < 0.05;
const isDuplicate = (i: number) => i > 0 && !isInvalid(i) && uniform(i, 2) < 0.03;

/** The contact whose number contact `i` shares: itself, or an earlier contact with a number of its own. */
function numberOwner(i: number): number {
  if (!isDuplicate(i)) return i;
  for (let owner = Math.floor(uniform(i, 3) * i); owner >= 0; owner--) {
    if (!isInvalid(owner) && !isDuplicate(owner)) return owner;
  }
  return i;
}

interface Country {
  iso: string;
  /** libphonenumber's type of the generated numbers. */
  type: string;
  share: number;
  /** National significant number for a 7-digit unique suffix. */
  national(suffix: string, i: number): string;
  /** The number as a person would type it; `variant` picks one of several formats. */
  written(national: string, variant: number): string;
}

const spaced = (digits: string, groups: number[]) => {
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  return parts.join(' ');
};

const NANP_WRITTEN = (national: string, variant: number) => {
  const [area, exchange, line] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  return [
    `(${area}) ${exchange}-${line}`,
    `${area}.${exchange}.${line}`,
    national,
    `${area}-${exchange}-${line}`,
    `+1 ${area} ${exchange} ${line}`,
    `1-${area}-${exchange}-${line}`,
  ][variant % 6];
};

const COUNTRIES: Country[] = [
  {
    iso: 'CA',
    type: 'FIXED_LINE_OR_MOBILE',
    share: 0.55,
    national: (s, i) => `${pick(['514', '438', '416', '647', '604', '778', '403', '613'], i, 4)}${s}`,
    written: NANP_WRITTEN,
  },
  {
    iso: 'US',
    type: 'FIXED_LINE_OR_MOBILE',
    share: 0.15,
    national: (s, i) => `${pick(['212', '312', '415', '617', '305', '713'], i, 4)}${s}`,
    written: (n, v) =>
      [`+1 ${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, `+1 (${n.slice(0, 3)}) ${n.slice(3, 6)} ${n.slice(6)}`][v % 2],
  },
  {
    iso: 'FR',
    type: 'MOBILE',
    share: 0.14,
    national: (s, i) => `6${pick(['1', '2', '4', '5', '6', '7'], i, 4)}${s}`,
    written: (n, v) => [`+33 ${spaced(n, [1, 2, 2, 2, 2])}`, `011 33 ${n}`, `+33${n}`][v % 3],
  },
  { iso: 'FR', type: 'FIXED_LINE', share: 0.01, national: (s) => `14${s}`, written: (n) => `+33 ${spaced(n, [1, 2, 2, 2, 2])}` },
  { iso: 'GB', type: 'MOBILE', share: 0.08, national: (s) => `791${s}`, written: (n, v) => [`+44 ${spaced(n, [4, 6])}`, `+44${n}`][v % 2] },
  { iso: 'DE', type: 'MOBILE', share: 0.04, national: (s) => `1512${s}`, written: (n) => `+49 ${spaced(n, [3, 4, 4])}` },
  { iso: 'BE', type: 'MOBILE', share: 0.02, national: (s) => `47${s}`, written: (n) => `+32 ${spaced(n, [3, 2, 2, 2])}` },
  { iso: 'CH', type: 'MOBILE', share: 0.01, national: (s) => `79${s}`, written: (n) => `+41 ${spaced(n, [2, 3, 2, 2])}` },
];
const CALLING_CODES = ['1', '1', '33', '33', '44', '49', '32', '41'];

function countryOf(owner: number): number {
  let u = uniform(owner, 5);
  for (let c = 0; c < COUNTRIES.length; c++) {
    u -= COUNTRIES[c].share;
    if (u < 0) return c;
  }
  return 0;
}

/** The number of contact `i`, as typed, and its E.164 form. Every owner has its own 7-digit suffix, so numbers are distinct unless shared. */
function contactNumber(i: number): { written: string; e164: string | null; country: string | null; type: string | null } {
  if (isInvalid(i)) return { written: pick(INVALID, i, 6), e164: null, country: null, type: null };
  const owner = numberOwner(i);
  const country = countryOf(owner);
  const national = COUNTRIES[country].national(String(2_000_000 + owner), owner);
  const e164 = `+${CALLING_CODES[country]}${national}`;
  const facts = { e164, country: COUNTRIES[country].iso, type: COUNTRIES[country].type };
  const variant = hash(i, 7) % 6;
  // A shared number is written the other way round: local one time, international the other.
  if (owner !== i && country === 0 && variant % 6 !== 4) return { written: `+${CALLING_CODES[country]} ${national}`, ...facts };
  return { written: COUNTRIES[country].written(national, variant), ...facts };
}

export function generatedContact(i: number): GeneratedContact {
  const groupCount = 1 + (hash(i, 8) % 3);
  const groups = new Set<number>();
  for (let k = 0; groups.size < groupCount; k++) groups.add(hash(i, 20 + k) % GROUPS.length);
  const number = contactNumber(i);
  return {
    externalId: `c${i}`,
    active: uniform(i, 9) >= 0.01,
    fields: { firstName: pick(FIRST_NAMES, i, 10), lastName: pick(LAST_NAMES, i, 11), mobile: number.written, city: pick(CITIES, i, 12) },
    groups: [...groups],
    optedOut: uniform(i, 13) < 0.005,
    e164: number.e164,
    country: number.country,
    type: number.type,
  };
}
