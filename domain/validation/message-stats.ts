/** Per-recipient facts about the personalized message, gathered while the snapshot is read page by page. */
import type { NumberFacts } from '../compliance/recipient-policy';
import { messageParts } from './message-parts';

export interface MessageStats {
  recipients: number;
  /** Placeholder → recipients for whom it rendered empty. */
  missingFields: Record<string, number>;
  /** A few contact ids per missing placeholder, to look them up. */
  missingExamples: Record<string, string[]>;
  ucs2Recipients: number;
  nonGsmCharacters: string[];
  segments: { min: number; max: number; total: number };
  /** ISO country → recipients. */
  countries: Record<string, number>;
  /** Recipients whose number type libphonenumber cannot tell (US/CA: mobile or landline). */
  typeUnknown: number;
  /** Exclusion (`countryNotAllowed:FR`, `numberType:FIXED_LINE`) → recipients taken out by the project's rules. */
  excluded: Record<string, number>;
  /** Recipients inside their quiet hours at the send time, and when the first and last windows open. */
  quietHours: { held: number; firstOpenMs: number | null; lastOpenMs: number | null; noWindow: number };
}

export function emptyStats(): MessageStats {
  return {
    recipients: 0,
    missingFields: {},
    missingExamples: {},
    ucs2Recipients: 0,
    nonGsmCharacters: [],
    segments: { min: 0, max: 0, total: 0 },
    countries: {},
    typeUnknown: 0,
    excluded: {},
    quietHours: { held: 0, firstOpenMs: null, lastOpenMs: null, noWindow: 0 },
  };
}

export function addRecipient(
  stats: MessageStats,
  recipient: { contactId: string; body: string; missing: string[]; facts: NumberFacts; heldUntilMs: number | null },
): void {
  const sms = messageParts(recipient.body);
  const count = sms.segments;
  stats.segments.min = stats.recipients === 0 ? count : Math.min(stats.segments.min, count);
  stats.segments.max = Math.max(stats.segments.max, count);
  stats.segments.total += count;
  stats.recipients += 1;
  if (sms.encoding === 'UCS-2') {
    stats.ucs2Recipients += 1;
    for (const c of sms.nonGsmCharacters)
      if (!stats.nonGsmCharacters.includes(c) && stats.nonGsmCharacters.length < 20) stats.nonGsmCharacters.push(c);
  }
  for (const field of recipient.missing) {
    stats.missingFields[field] = (stats.missingFields[field] ?? 0) + 1;
    const examples = (stats.missingExamples[field] ??= []);
    if (examples.length < 3) examples.push(recipient.contactId);
  }
  const { country, type } = recipient.facts;
  stats.countries[country] = (stats.countries[country] ?? 0) + 1;
  if (type === 'FIXED_LINE_OR_MOBILE' || type === 'UNKNOWN') stats.typeUnknown += 1;
  const until = recipient.heldUntilMs;
  if (until === Infinity) stats.quietHours.noWindow += 1;
  else if (until !== null) {
    const quiet = stats.quietHours;
    quiet.held += 1;
    quiet.firstOpenMs = quiet.firstOpenMs === null ? until : Math.min(quiet.firstOpenMs, until);
    quiet.lastOpenMs = quiet.lastOpenMs === null ? until : Math.max(quiet.lastOpenMs, until);
  }
}
