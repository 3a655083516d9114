/**
 * The per-message rules at send time. Every message must fit the providers' cap; a recipient added after
 * the validation (refresh at send time) is also held to the project's blocking rules for fields, parts
 * and encoding — Prepare's report judged the others. The reason becomes the recipient's skip reason. Pure.
 */
import { policyOf, PROVIDER_MAX_SEGMENTS, type ComplianceSettings } from '../compliance/settings';
import { messageParts } from './message-parts';

export function sendTimeFinding(
  message: { body: string; missing: string[] },
  compliance: ComplianceSettings,
  validatedAtPrepare: boolean,
): string | null {
  const parts = messageParts(message.body);
  if (parts.segments > PROVIDER_MAX_SEGMENTS) return `partsCapExceeded:${parts.segments}`;
  if (validatedAtPrepare) return null;
  if (message.missing.length > 0 && policyOf(compliance, 'FIELDS_RESOLVE') === 'block') return `fieldsMissing:${message.missing.join(',')}`;
  if (parts.segments > compliance.maxSegments && policyOf(compliance, 'SEGMENTS') === 'block') return `partsCapExceeded:${parts.segments}`;
  if (parts.encoding === 'UCS-2' && policyOf(compliance, 'ENCODING') === 'block') return 'encodingNotAllowed:UCS-2';
  return null;
}
