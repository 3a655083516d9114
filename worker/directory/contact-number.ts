/** The normalized SMS number columns stored with each contact, computed at write time. */
import { normalizeNumber, type NumberStatus } from '../../domain/phone';
import type { ProjectSettings } from './directory';

export interface ContactNumberColumns {
  sms_e164: string | null;
  sms_status: NumberStatus;
  sms_invalid_reason: string | null;
  /** What numberFacts(sms_e164) says, found by the same parse: country (or `unknown`) and type (or `UNKNOWN`). */
  sms_country: string | null;
  sms_type: string | null;
}

export function contactNumberColumns(
  fields: Record<string, unknown>,
  project: Pick<ProjectSettings, 'numberField' | 'defaultCountry'>,
): ContactNumberColumns {
  const raw = fields[project.numberField];
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : null;
  const normalized = normalizeNumber(text, project.defaultCountry);
  switch (normalized.status) {
    case 'valid':
      return {
        sms_e164: normalized.e164,
        sms_status: 'valid',
        sms_invalid_reason: null,
        sms_country: normalized.country ?? 'unknown',
        sms_type: normalized.type ?? 'UNKNOWN',
      };
    case 'missing':
      return { sms_e164: null, sms_status: 'missing', sms_invalid_reason: null, sms_country: null, sms_type: null };
    case 'invalid':
      return { sms_e164: null, sms_status: 'invalid', sms_invalid_reason: normalized.reason, sms_country: null, sms_type: null };
  }
}

/** Profile fields as stored: JSON text of string values. */
export function parseFields(json: string | null | undefined): Record<string, string> {
  if (!json) return {};
  const parsed: unknown = JSON.parse(json);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
}
