/** Phone number normalization to E.164 with libphonenumber-js `max` metadata. Pure. */
import {
  isSupportedCountry,
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
  type ValidatePhoneNumberLengthResult,
} from 'libphonenumber-js/max';
import { asciiDigits } from './unicode-digits';

export type NumberStatus = 'valid' | 'missing' | 'invalid';

export type NormalizedNumber =
  | { status: 'valid'; e164: string; country?: string; type?: string }
  | { status: 'missing' }
  | { status: 'invalid'; reason: string };

/**
 * Reads a number written in E.164/international form, or in the local format of
 * `defaultCountry` (ISO 3166-1 alpha-2), and returns its E.164 form or why it cannot be used.
 * Digits of any script count as their ASCII values (`+١ ٥١٤ …` is `+1 514 …`).
 */
export function normalizeNumber(raw: string | undefined | null, defaultCountry: string): NormalizedNumber {
  const text = asciiDigits((raw ?? '').trim());
  if (text === '') return { status: 'missing' };
  if (!/[0-9]/.test(text)) return invalid('Not a phone number (it has no digits).');

  const country = toCountryCode(defaultCountry);
  let parsed: PhoneNumber;
  try {
    parsed = parsePhoneNumberWithError(text, { defaultCountry: country });
  } catch (error) {
    if (error instanceof ParseError) return invalid(lengthOrFormatReason(error.message, text, country));
    throw error;
  }
  if (!parsed.isValid()) {
    const lengthProblem = validatePhoneNumberLength(text, { defaultCountry: country });
    const where = parsed.country ?? country;
    return invalid(
      lengthProblem
        ? lengthOrFormatReason(lengthProblem, text, where)
        : `Not a valid number for ${where ?? `country calling code +${parsed.countryCallingCode}`}.`,
    );
  }
  const type = parsed.getType();
  return {
    status: 'valid',
    e164: parsed.number,
    ...(parsed.country ? { country: parsed.country } : {}),
    ...(type ? { type } : {}),
  };
}

/** True when `country` is an ISO 3166-1 alpha-2 code libphonenumber knows (case-insensitive). */
export function isKnownCountry(country: string): boolean {
  return isSupportedCountry(country.trim().toUpperCase());
}

function toCountryCode(country: string): CountryCode | undefined {
  const upper = (country ?? '').trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

function invalid(reason: string): NormalizedNumber {
  return { status: 'invalid', reason };
}

function lengthOrFormatReason(code: ValidatePhoneNumberLengthResult | string, text: string, country: string | undefined): string {
  const international = text.startsWith('+') || text.startsWith('00');
  const scope = country ? `a ${country} number` : 'a phone number';
  switch (code) {
    case 'NOT_A_NUMBER':
      return 'Not a phone number.';
    case 'INVALID_COUNTRY':
      return international || country
        ? 'Unknown country calling code.'
        : 'No country code, and no valid default country to read a local number.';
    case 'TOO_SHORT':
      return `Too short for ${scope}.`;
    case 'TOO_LONG':
      return `Too long for ${scope}.`;
    case 'INVALID_LENGTH':
      return `Wrong number of digits for ${scope}.`;
    default:
      return `Not a phone number (${code}).`;
  }
}
