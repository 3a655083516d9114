/** Per-recipient facts about the personalized message, gathered while the snapshot is read page by page. */
import { SegmentedMessage } from 'sms-segments-calculator';

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
}

export function emptyStats(): MessageStats {
  return { recipients: 0, missingFields: {}, missingExamples: {}, ucs2Recipients: 0, nonGsmCharacters: [], segments: { min: 0, max: 0, total: 0 }, countries: {} };
}

export function addRecipient(stats: MessageStats, recipient: { contactId: string; body: string; missing: string[]; country: string }): void {
  const sms = new SegmentedMessage(recipient.body, 'auto');
  const count = sms.segmentsCount;
  stats.segments.min = stats.recipients === 0 ? count : Math.min(stats.segments.min, count);
  stats.segments.max = Math.max(stats.segments.max, count);
  stats.segments.total += count;
  stats.recipients += 1;
  if (sms.encodingName === 'UCS-2') {
    stats.ucs2Recipients += 1;
    for (const c of sms.getNonGsmCharacters()) if (!stats.nonGsmCharacters.includes(c) && stats.nonGsmCharacters.length < 20) stats.nonGsmCharacters.push(c);
  }
  for (const field of recipient.missing) {
    stats.missingFields[field] = (stats.missingFields[field] ?? 0) + 1;
    const examples = (stats.missingExamples[field] ??= []);
    if (examples.length < 3) examples.push(recipient.contactId);
  }
  stats.countries[recipient.country] = (stats.countries[recipient.country] ?? 0) + 1;
}
