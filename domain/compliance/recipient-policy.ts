/** Per-recipient rules of a project: allowed destination countries and excluded number types. Pure. */
import parsePhoneNumber from 'libphonenumber-js/max';
import type { ComplianceSettings } from './settings';

export interface NumberFacts {
  /** ISO 3166-1 alpha-2, or `unknown`. */
  country: string;
  /** libphonenumber's type; `FIXED_LINE_OR_MOBILE` for most US/CA numbers, which only a carrier lookup can tell apart. */
  type: string;
}

export function numberFacts(e164: string): NumberFacts {
  const parsed = parsePhoneNumber(e164);
  return { country: parsed?.country ?? 'unknown', type: parsed?.getType() ?? 'UNKNOWN' };
}

/** Why the recipient must not get the message under the project's rules (`countryNotAllowed:FR`, `numberType:TOLL_FREE`), or null. */
export function recipientExclusion(
  facts: NumberFacts,
  settings: Pick<ComplianceSettings, 'allowedCountries' | 'excludedNumberTypes'>,
): string | null {
  if (settings.allowedCountries && !settings.allowedCountries.includes(facts.country)) return `countryNotAllowed:${facts.country}`;
  if ((settings.excludedNumberTypes as string[]).includes(facts.type)) return `numberType:${facts.type}`;
  return null;
}
