/**
 * The demo project's contacts: a few hundred people, generated the same way every time, written the way
 * real exports look — numbers in several local formats, some invalid or missing, some shared by two
 * contacts, some inactive — so Count and the validation report have real findings to show.
 */
import type { ContactInput, ProjectInput } from '../worker/directory/directory';

export const DEMO_PROJECT: ProjectInput = {
  id: 'demo',
  name: 'Demo shop (Montreal)',
  numberField: 'mobile',
  defaultCountry: 'CA',
  timeZone: 'America/Toronto',
  // A long code: an alphanumeric sender cannot send to Canada or the US (the SENDER_ID point refuses it).
  senderId: '+15145550199',
  smsEnabled: true,
  // Quiet hours are off so the demo sends at any hour; docs/compliance.md shows how to turn them on.
  compliance: { quietHours: { enabled: false }, pricePerSegment: 0.0079, currency: 'USD' },
};

export const DEMO_CONTACT_COUNT = 320;

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Émile',
  'Fatima',
  'Gabriel',
  'Hana',
  'Ivan',
  'Jade',
  'Karim',
  'Léa',
  'Marc',
  'Nora',
  'Olivier',
  'Priya',
  'Quentin',
  'Rosa',
  'Samuel',
  'Tina',
];
const LAST = [
  'Martin',
  'Roy',
  'Gagnon',
  'Patel',
  'Tremblay',
  'Côté',
  'Nguyen',
  'Bouchard',
  'Singh',
  'Lévesque',
  'Morin',
  'Chen',
  'Fortin',
  'Haddad',
  'Pelletier',
];
const AREA_CODES = ['514', '438', '450', '418', '613', '416', '647', '212'];

/** Every way the same number arrives from a form, a CRM export or a spreadsheet. */
const FORMATS: ((area: string, line: string) => string)[] = [
  (a, l) => `(${a}) 555-${l}`,
  (a, l) => `${a}.555.${l}`,
  (a, l) => `+1 ${a} 555 ${l}`,
  (a, l) => `1-${a}-555-${l}`,
  (a, l) => `${a}555${l}`,
  (a, l) => `+1 (${a}) 555-${l}`,
];

const INVALID = ['555-0101', '12345', 'call me', '+1 514 555 012', '000-000-0000'];

/** A small deterministic generator (mulberry32), so every machine seeds the same contacts. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];

export function demoContacts(count = DEMO_CONTACT_COUNT): ContactInput[] {
  const next = random(20261125);
  const numbers: string[] = [];
  const contacts: ContactInput[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    let mobile: string;
    if (roll < 0.05) mobile = pick(next, INVALID);
    else if (roll < 0.07) mobile = '';
    else if (roll < 0.1 && numbers.length > 0)
      mobile = pick(next, numbers).replace(/^\+1 /, '').replace(/ /g, '-'); // a household sharing a phone
    else {
      const area = AREA_CODES[i % AREA_CODES.length];
      mobile = pick(next, FORMATS)(
        area,
        String(100 + (Math.floor(i / AREA_CODES.length) % 100))
          .slice(1)
          .padStart(4, '01'),
      );
      numbers.push(mobile);
    }
    const groups = ['customers'];
    if (next() < 0.15) groups.push('vip');
    if (next() < 0.4) groups.push('newsletter');
    if (i % 40 === 0) groups.splice(0, groups.length, 'staff');
    contacts.push({
      externalId: String(1000 + i),
      active: next() >= 0.04,
      fields: { firstName: pick(next, FIRST), lastName: pick(next, LAST), mobile, language: next() < 0.55 ? 'fr' : 'en' },
      groups,
    });
  }
  return contacts;
}

/** Numbers that replied STOP to an earlier campaign: on the project's kill list. */
export function demoOptOuts(contacts: ContactInput[]): string[] {
  return contacts
    .map((contact) => contact.fields.mobile)
    .filter((mobile) => /^\+1 \(?4/.test(mobile))
    .filter((_, index) => index % 6 === 0)
    .slice(0, 12);
}
