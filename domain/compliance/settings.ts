/** A project's compliance settings: which validation points block, limits, price, countries, quiet hours, approvals. Pure. */
import { canonicalIdentity } from '../identity';
import { findPrototypeKey } from '../prototype-keys';
import { parseQuietHoursRules, type QuietHoursRule } from '../quiet-hours';
import { asciiDigits } from '../unicode-digits';

/** Validation points whose finding a project may make blocking (`block`) or a warning only (`warn`). */
export const POLICY_POINTS = [
  'FIELDS_RESOLVE',
  'ENCODING',
  'SEGMENTS',
  'OPT_OUT_WORDING',
  'SENDER_ID',
  'COUNTRIES',
  'NUMBER_TYPE',
  'QUIET_HOURS',
] as const;
export type PolicyPoint = (typeof POLICY_POINTS)[number];
export type PointPolicy = 'block' | 'warn';

/** libphonenumber types a project can exclude (US/CA numbers are FIXED_LINE_OR_MOBILE: their type is unknown). */
export const NUMBER_TYPES = [
  'FIXED_LINE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;
export type ExcludableNumberType = (typeof NUMBER_TYPES)[number];

/** Someone who may approve the project's sendings; `phone` (E.164) receives proof sends and never leaves the directory. */
export interface NamedApprover {
  email: string;
  name: string;
  phone?: string;
  /** Set instead of `phone` where the settings leave the directory (the workflow's copy): whether proof sends can reach them. */
  hasPhone?: boolean;
}

export interface ApprovalSettings {
  /** The person who prepared a sending may approve it (off by default: four eyes). */
  allowSelfApproval: boolean;
  /** Who may approve; each gets a link signed for them (Request Approval). Empty: anyone with the link, by a typed name. */
  approvers: NamedApprover[];
  /** Only the named approvers, each through their own signed link, can approve. */
  requireNamedApprovers: boolean;
  /** Distinct approvers needed. */
  approvalsRequired: number;
  /** A pending approval request expires after this many hours (and at the latest at the scheduled time). */
  expiresAfterHours: number;
}

export interface QuietHoursSettings {
  enabled: boolean;
  /** Profile field holding the contact's IANA time zone, when the directory knows it. */
  timeZoneField: string;
  /** Rules replacing the defaults of the same region (see domain/quiet-hours). */
  rules: QuietHoursRule[];
}

/** What delivery receipts do to a number (docs/receipts.md): provider error codes, as strings (Twilio's: 21610, 30003…). */
export interface ReceiptActionSettings {
  /** A receipt with one of these codes puts the number on the kill list at once (source `receipt:<code>`). */
  optOutCodes: string[];
  /** Receipts with these codes count as failures of the number; `quarantineAfter` of them quarantine it (`quarantine:<code>`). */
  quarantineCodes: string[];
  quarantineAfter: number;
}

export interface ComplianceSettings {
  points: Partial<Record<PolicyPoint, PointPolicy>>;
  /** Most SMS parts a message may need (providers accept at most 10). */
  maxSegments: number;
  /** Price of one SMS part, for the cost estimate; null = no estimate. */
  pricePerSegment: number | null;
  currency: string;
  /** ISO 3166-1 alpha-2 codes; null = every country. Recipients elsewhere are excluded. */
  allowedCountries: string[] | null;
  excludedNumberTypes: ExcludableNumberType[];
  quietHours: QuietHoursSettings;
  approval: ApprovalSettings;
  receipts: ReceiptActionSettings;
}

export const DEFAULT_POINT_POLICY: Record<PolicyPoint, PointPolicy> = {
  FIELDS_RESOLVE: 'block',
  ENCODING: 'warn',
  SEGMENTS: 'block',
  OPT_OUT_WORDING: 'warn',
  SENDER_ID: 'block',
  COUNTRIES: 'warn',
  NUMBER_TYPE: 'warn',
  QUIET_HOURS: 'warn',
};

export const PROVIDER_MAX_SEGMENTS = 10;

export const DEFAULT_COMPLIANCE: ComplianceSettings = {
  points: {},
  maxSegments: PROVIDER_MAX_SEGMENTS,
  pricePerSegment: null,
  currency: 'USD',
  allowedCountries: null,
  excludedNumberTypes: ['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST'],
  quietHours: { enabled: true, timeZoneField: 'timeZone', rules: [] },
  approval: { allowSelfApproval: false, approvers: [], requireNamedApprovers: false, approvalsRequired: 1, expiresAfterHours: 72 },
  // Twilio: 30003 unreachable handset, 30005 unknown or inactive number, 30006 landline or unreachable carrier, 30007 carrier filtering.
  receipts: { optOutCodes: ['21610'], quarantineCodes: ['30003', '30005', '30006', '30007'], quarantineAfter: 3 },
};

export const policyOf = (settings: ComplianceSettings, point: PolicyPoint): PointPolicy =>
  settings.points[point] ?? DEFAULT_POINT_POLICY[point];

export class ComplianceSettingsError extends Error {}

const fail = (field: string, fix: string): never => {
  throw new ComplianceSettingsError(`compliance.${field}: ${fix}`);
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses keys the object does not have (own keys of `allowed`: `constructor` is not a setting). */
function onlyKeys(field: string, value: Record<string, unknown>, allowed: object): void {
  const names = Object.keys(allowed);
  const unknownKey = Object.keys(value).find((key) => !Object.hasOwn(allowed, key));
  if (unknownKey !== undefined)
    fail(
      `${field ? `${field}.` : ''}${unknownKey}`,
      `unknown setting; the settings${field ? ` of ${field}` : ''} are ${names.join(', ')}.`,
    );
}

function known<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(field, `"${String(value)}" is not one of ${allowed.join(', ')}.`);
  return value as T;
}

function number(field: string, value: unknown, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(field, `must be ${integer ? 'a whole number' : 'a number'} from ${+min.toPrecision(3)} to ${max} (got ${JSON.stringify(value)}).`);
  }
  return value as number;
}

/**
 * Merges `input` (a partial settings object, e.g. parsed from JSON) over `base`, and validates the
 * result; every error names the field and the fix.
 */
export function parseCompliance(input: unknown, base: ComplianceSettings = DEFAULT_COMPLIANCE): ComplianceSettings {
  if (input === undefined || input === null) return base;
  if (!isObject(input)) return fail('', 'must be an object, e.g. {"pricePerSegment": 0.0079}.');
  const prototypeKey = findPrototypeKey(input);
  if (prototypeKey) fail(prototypeKey, 'a key named __proto__, constructor or prototype is not a setting and is refused: remove it.');
  onlyKeys('', input, DEFAULT_COMPLIANCE);
  const out: ComplianceSettings = {
    ...base,
    points: { ...base.points },
    quietHours: { ...base.quietHours },
    approval: { ...DEFAULT_COMPLIANCE.approval, ...base.approval },
    receipts: { ...DEFAULT_COMPLIANCE.receipts, ...base.receipts },
  };

  if (input.points !== undefined) {
    if (!isObject(input.points)) fail('points', 'must map point codes to "block" or "warn", e.g. {"OPT_OUT_WORDING": "block"}.');
    for (const [code, policy] of Object.entries(input.points as Record<string, unknown>)) {
      known(`points`, code, POLICY_POINTS);
      out.points[code as PolicyPoint] = known(`points.${code}`, policy, ['block', 'warn'] as const);
    }
  }
  if (input.maxSegments !== undefined) out.maxSegments = number('maxSegments', input.maxSegments, 1, PROVIDER_MAX_SEGMENTS, true);
  if (input.pricePerSegment !== undefined) {
    out.pricePerSegment = input.pricePerSegment === null ? null : number('pricePerSegment', input.pricePerSegment, 0, 100);
  }
  if (input.currency !== undefined) {
    if (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency))
      fail('currency', 'must be an ISO 4217 code such as USD, EUR or CAD.');
    out.currency = input.currency as string;
  }
  if (input.allowedCountries !== undefined) {
    if (input.allowedCountries === null) out.allowedCountries = null;
    else {
      if (!Array.isArray(input.allowedCountries) || input.allowedCountries.length === 0) {
        fail('allowedCountries', 'must be a non-empty list of ISO 3166-1 alpha-2 codes such as ["CA", "US"], or null for every country.');
      }
      out.allowedCountries = (input.allowedCountries as unknown[]).map((code, i) => {
        if (typeof code !== 'string' || !/^[A-Za-z]{2}$/.test(code))
          fail(`allowedCountries[${i}]`, `"${String(code)}" is not a two-letter country code such as CA.`);
        return (code as string).toUpperCase();
      });
    }
  }
  if (input.excludedNumberTypes !== undefined) {
    if (!Array.isArray(input.excludedNumberTypes))
      fail('excludedNumberTypes', `must be a list drawn from ${NUMBER_TYPES.join(', ')} (may be empty).`);
    out.excludedNumberTypes = (input.excludedNumberTypes as unknown[]).map((type, i) =>
      known(`excludedNumberTypes[${i}]`, type, NUMBER_TYPES),
    );
  }
  if (input.quietHours !== undefined) {
    if (!isObject(input.quietHours)) fail('quietHours', 'must be an object such as {"enabled": true, "rules": []}.');
    const quiet = input.quietHours as Record<string, unknown>;
    onlyKeys('quietHours', quiet, DEFAULT_COMPLIANCE.quietHours);
    if (quiet.enabled !== undefined) {
      if (typeof quiet.enabled !== 'boolean') fail('quietHours.enabled', 'must be true or false.');
      out.quietHours.enabled = quiet.enabled as boolean;
    }
    if (quiet.timeZoneField !== undefined) {
      if (typeof quiet.timeZoneField !== 'string' || quiet.timeZoneField.trim() === '')
        fail('quietHours.timeZoneField', 'must name a profile field, e.g. "timeZone".');
      out.quietHours.timeZoneField = (quiet.timeZoneField as string).trim();
    }
    if (quiet.rules !== undefined) {
      try {
        out.quietHours.rules = parseQuietHoursRules(quiet.rules, 'compliance.quietHours.rules');
      } catch (err) {
        throw new ComplianceSettingsError((err as Error).message);
      }
    }
  }
  if (input.approval !== undefined) {
    if (!isObject(input.approval)) fail('approval', 'must be an object such as {"approvalsRequired": 2}.');
    const approval = input.approval as Record<string, unknown>;
    onlyKeys('approval', approval, DEFAULT_COMPLIANCE.approval);
    if (approval.allowSelfApproval !== undefined) {
      if (typeof approval.allowSelfApproval !== 'boolean') fail('approval.allowSelfApproval', 'must be true or false.');
      out.approval.allowSelfApproval = approval.allowSelfApproval as boolean;
    }
    if (approval.approvalsRequired !== undefined)
      out.approval.approvalsRequired = number('approval.approvalsRequired', approval.approvalsRequired, 1, 10, true);
    if (approval.expiresAfterHours !== undefined)
      out.approval.expiresAfterHours = number('approval.expiresAfterHours', approval.expiresAfterHours, 1 / 3600, 24 * 90);
    if (approval.approvers !== undefined) out.approval.approvers = parseApprovers(approval.approvers);
    if (approval.requireNamedApprovers !== undefined) {
      if (typeof approval.requireNamedApprovers !== 'boolean') fail('approval.requireNamedApprovers', 'must be true or false.');
      out.approval.requireNamedApprovers = approval.requireNamedApprovers as boolean;
    }
  }
  if (input.receipts !== undefined) out.receipts = parseReceiptActions(input.receipts, out.receipts);
  const { approvers, requireNamedApprovers, approvalsRequired } = out.approval;
  if (requireNamedApprovers && approvers.length < approvalsRequired) {
    fail(
      'approval.approvers',
      `lists ${approvers.length} approver(s) but ${approvalsRequired} approval(s) are required and only named approvers may approve: add approvers or lower approval.approvalsRequired.`,
    );
  }
  return out;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function parseApprovers(value: unknown): NamedApprover[] {
  const example = '[{"email": "alex@example.com", "name": "Alex Martin"}]';
  if (!Array.isArray(value)) return fail('approval.approvers', `must be a list such as ${example}.`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const field = `approval.approvers[${i}]`;
    if (!isObject(entry)) fail(field, `must be an object such as ${example.slice(1, -1)}.`);
    const { email, name, phone, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) fail(`${field}.${extra}`, 'unknown setting; an approver has email, name and phone.');
    if (typeof email !== 'string' || !EMAIL.test(email.trim()))
      fail(`${field}.email`, `"${String(email)}" is not an e-mail address: each approver is identified by one.`);
    const canonical = canonicalIdentity(email as string);
    if (seen.has(canonical)) fail(`${field}.email`, `${String(email)} is listed twice.`);
    seen.add(canonical);
    if (typeof name !== 'string' || name.trim() === '')
      fail(`${field}.name`, 'must be the name the approval page shows, e.g. "Alex Martin".');
    const e164 = typeof phone === 'string' ? asciiDigits(phone) : phone;
    if (e164 !== undefined && (typeof e164 !== 'string' || !/^\+[1-9]\d{6,14}$/.test(e164)))
      fail(`${field}.phone`, 'must be an E.164 number such as +15145550100 (it receives proof sends).');
    return { email: (email as string).trim(), name: (name as string).trim(), ...(e164 === undefined ? {} : { phone: e164 as string }) };
  });
}

function parseReceiptActions(value: unknown, base: ReceiptActionSettings): ReceiptActionSettings {
  if (!isObject(value)) return fail('receipts', 'must be an object such as {"quarantineAfter": 2, "quarantineCodes": ["30003"]}.');
  onlyKeys('receipts', value, DEFAULT_COMPLIANCE.receipts);
  const out = { ...base };
  for (const field of ['optOutCodes', 'quarantineCodes'] as const) {
    const codes = value[field];
    if (codes === undefined) continue;
    if (!Array.isArray(codes))
      fail(`receipts.${field}`, 'must be a list of provider error codes such as ["30003", "30005"] (may be empty).');
    out[field] = (codes as unknown[]).map((code, i) => {
      const text = typeof code === 'number' && Number.isInteger(code) ? String(code) : code;
      if (typeof text !== 'string' || !/^[A-Za-z0-9_.-]{1,20}$/.test(text))
        fail(`receipts.${field}[${i}]`, `${JSON.stringify(code)} is not a provider error code such as "30003".`);
      return text as string;
    });
  }
  if (value.quarantineAfter !== undefined) out.quarantineAfter = number('receipts.quarantineAfter', value.quarantineAfter, 1, 100, true);
  return out;
}
