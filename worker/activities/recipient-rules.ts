/** A project's per-recipient rules, built once per activity: exclusions (countries, number types) and quiet hours. */
import { numberFacts, recipientExclusion, type NumberFacts } from '../../domain/compliance/recipient-policy';
import { createQuietHoursChecker, DEFAULT_QUIET_HOURS_RULES, mergeQuietHoursRules, placeOfRecipient } from '../../domain/quiet-hours';
import { sendTimeFinding } from '../../domain/validation/send-time-check';
import type { Project, SnapshotRow } from '../directory/directory';

export interface RecipientRules {
  /** The country and type stored with the row's contact when the row has them; otherwise found by parsing its number. */
  facts(row: Pick<SnapshotRow, 'e164' | 'facts'>): NumberFacts;
  /** Why the project's rules exclude this number (`countryNotAllowed:FR`, `numberType:TOLL_FREE`), or null. */
  exclusion(facts: NumberFacts): string | null;
  /** null when the recipient may get a message at `atMs`; otherwise when their quiet hours end (Infinity: no window within 14 days). */
  heldUntil(row: Pick<SnapshotRow, 'e164' | 'fields'>, atMs: number): number | null;
  /** Why this personalized message may not go (see sendTimeFinding), or null. */
  messageFinding(message: { body: string; missing: string[] }, validatedAtPrepare: boolean): string | null;
}

export function createRecipientRules(project: Project): RecipientRules {
  const { compliance } = project;
  const quiet = compliance.quietHours.enabled
    ? createQuietHoursChecker(mergeQuietHoursRules(DEFAULT_QUIET_HOURS_RULES, compliance.quietHours.rules))
    : null;
  const zoneField = compliance.quietHours.timeZoneField;
  return {
    facts: (row) => row.facts ?? numberFacts(row.e164),
    exclusion: (facts) => recipientExclusion(facts, compliance),
    messageFinding: (message, validatedAtPrepare) => sendTimeFinding(message, compliance, validatedAtPrepare),
    heldUntil(row, atMs) {
      if (!quiet) return null;
      const place = placeOfRecipient(row.e164, { profileZone: row.fields[zoneField] ?? null, projectZone: project.timeZone });
      const next = quiet.nextAllowedMs(place, atMs);
      if (next === null) return Infinity;
      return next <= atMs ? null : next;
    },
  };
}
