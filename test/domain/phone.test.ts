import { normalizeNumber } from '../../domain/phone';

describe('normalizeNumber', () => {
  test.each(['(514) 555-1234', '514.555.1234', '+1 514 555 1234', '1-514-555-1234', '5145551234', '+15145551234', ' 514 555 1234 '])(
    'reads %p (default country CA) as +15145551234',
    (raw) => {
      expect(normalizeNumber(raw, 'CA')).toMatchObject({ status: 'valid', e164: '+15145551234', country: 'CA' });
    },
  );

  test('reads a French local number with default country FR, and gives its type', () => {
    expect(normalizeNumber('06 12 34 56 78', 'FR')).toEqual({ status: 'valid', e164: '+33612345678', country: 'FR', type: 'MOBILE' });
  });

  test('an international number keeps its own country whatever the default country', () => {
    expect(normalizeNumber('+33 6 12 34 56 78', 'CA')).toMatchObject({ status: 'valid', e164: '+33612345678', country: 'FR' });
  });

  test('the default country is case-insensitive', () => {
    expect(normalizeNumber('514 555 1234', 'ca')).toMatchObject({ status: 'valid', e164: '+15145551234' });
  });

  test.each([undefined, null, '', '   '])('%p is missing', (raw) => {
    expect(normalizeNumber(raw, 'CA')).toEqual({ status: 'missing' });
  });

  test.each([
    ['not a number', /not a phone number/i],
    ['12', /too short for a CA number/i],
    ['514555123456789', /too long for a CA number/i],
    ['+1 555 555 5555', /not a valid number/i],
    ['555-1234', /not a valid number for CA/i],
    ['+999 123 4567', /unknown country calling code/i],
  ])('%p is invalid with a reason', (raw, reason) => {
    const result = normalizeNumber(raw, 'CA');
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' && result.reason).toMatch(reason);
  });

  test('a local number cannot be read without a valid default country; an E.164 one can', () => {
    const local = normalizeNumber('514 555 1234', 'XX');
    expect(local.status).toBe('invalid');
    expect(local.status === 'invalid' && local.reason).toMatch(/no country code/i);
    expect(normalizeNumber('+15145551234', 'XX')).toMatchObject({ status: 'valid', e164: '+15145551234' });
  });

  // Written as people write them in their script; libphonenumber alone reads only some of these.
  test.each([
    ['+١ ٥١٤ ٥٥٥ ١٢٣٤', 'CA', '+15145551234'], // Arabic-Indic
    ['(٥١٤) ٥٥٥-١٢٣٤', 'CA', '+15145551234'], // Arabic-Indic, local format
    ['+۱ ۵۱۴ ۵۵۵ ۱۲۳۴', 'CA', '+15145551234'], // Persian
    ['۰۹۱۲ ۳۴۵ ۶۷۸۹', 'IR', '+989123456789'], // Persian, Iranian local format
    ['٠٥٠ ١٢٣ ٤٥٦٧', 'AE', '+971501234567'], // Arabic-Indic, Emirati local format
    ['＋１ ５１４ ５５５ １２３４', 'CA', '+15145551234'], // fullwidth digits and plus
    ['０６ １２ ３４ ５６ ７８', 'FR', '+33612345678'], // fullwidth, French local format
    ['+१ ५१४ ५५५ १२३४', 'CA', '+15145551234'], // Devanagari
    ['০৬ ১২ ৩৪ ৫৬ ৭৮', 'FR', '+33612345678'], // Bengali
    ['+๑ ๕๑๔ ๕๕๕ ๑๒๓๔', 'CA', '+15145551234'], // Thai
    ['+𝟏 𝟓𝟏𝟒 𝟓𝟓𝟓 𝟏𝟐𝟑𝟒', 'CA', '+15145551234'], // mathematical bold
    ['+1 ٥١٤ 555 ۱۲۳۴', 'CA', '+15145551234'], // scripts mixed
  ])('%p (default country %s) is %s', (raw, country, e164) => {
    expect(normalizeNumber(raw, country)).toMatchObject({ status: 'valid', e164 });
  });

  test.each([
    ['Ⅴ①¹〇 ٫', /no digits/], // numerals that are not decimal digits
    ['٥١٤', /too short for a CA number/i],
    ['+١ ٥٥٥ ٥٥٥ ٥٥٥٥', /not a valid number/i],
  ])('%p is still refused with a reason', (raw, reason) => {
    const result = normalizeNumber(raw, 'CA');
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' && result.reason).toMatch(reason);
  });
});
