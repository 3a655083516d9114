/** Who is who: one person whatever the case, width, invisible characters or composed accents of the name. */
import { canonicalIdentity, samePerson } from '../../domain/identity';

test.each([
  ['paula', 'PAULA'],
  ['paula', 'paula\u200b'],
  ['paula', '\u200dpa\u200cula\ufeff'],
  ['paula', 'Ｐａｕｌａ'],
  ['paula', '  paula  '],
  ['Paula Durand', 'paula   durand'],
  ['José', 'Jose\u0301'],
  ['Straße', 'STRASSE'],
  ['alex@example.com', 'ALEX@EXAMPLE.COM\u2060'],
  ['paula', 'pa\u00adula'],
])('%j and %j are one person', (a, b) => {
  expect(samePerson(a, b)).toBe(true);
});

test.each([
  ['paula', 'paul'],
  ['paula', 'pauIa'],
  ['alex@example.com', 'alex@example.org'],
  ['José', 'Jose'],
])('%j and %j are two people', (a, b) => {
  expect(samePerson(a, b)).toBe(false);
});

test('the canonical form is what is compared, and it keeps the name readable', () => {
  expect(canonicalIdentity('  Ｐａｕｌａ\u200b  Durand ')).toBe('paula durand');
});
