/** The validation points of a sending, from the message, the sender, the per-recipient facts and the project's settings. */
import { policyOf, PROVIDER_MAX_SEGMENTS, type ComplianceSettings, type PolicyPoint } from '../compliance/settings';
import type { MessageStats } from './message-stats';
import { reportOf, type ValidationPoint, type ValidationReport } from './report';

/** Above this many segments per message a warning is raised (cost, readability). */
export const WARN_SEGMENTS = 3;

const OPT_OUT_WORDS = /\b(STOP|ARRET|ARRÊT|STOPP|BAJA|UNSUBSCRIBE|END|QUIT)\b/i;
const ALPHANUMERIC_SENDER = /^[A-Za-z0-9 ]{1,11}$/;
const NUMERIC_SENDER = /^\+?\d{3,15}$/;
const NO_ALPHANUMERIC_SENDER = ['US', 'CA'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const byCount = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

export interface EvaluateInput {
  message: string;
  senderId: string | null;
  stats: MessageStats;
  compliance: ComplianceSettings;
  /** The send instant the quiet hours were judged at. */
  atMs: number;
}

export function evaluateSending(input: EvaluateInput): ValidationReport {
  const { message, senderId, stats, compliance } = input;
  const points: ValidationPoint[] = [];
  /** A finding the project's policy turns into a failure (`block`) or a warning (`warn`). */
  const finding = (code: PolicyPoint, text: string, data?: Record<string, unknown>): ValidationPoint => {
    const blocks = policyOf(compliance, code) === 'block';
    return { code, level: blocks ? 'fail' : 'warn', message: text, ...(data ? { data } : {}) };
  };

  const missing = Object.entries(stats.missingFields);
  points.push(
    missing.length === 0
      ? { code: 'FIELDS_RESOLVE', level: 'pass', message: 'Every personalization field has a value for every recipient.' }
      : finding(
          'FIELDS_RESOLVE',
          missing
            .map(
              ([field, n]) =>
                `{{${field}}} is empty for ${plural(n, 'recipient')} (e.g. contacts ${stats.missingExamples[field].join(', ')})`,
            )
            .join('; ') + '. Fill the field for these contacts or remove it from the message.',
          { missing: stats.missingFields, examples: stats.missingExamples },
        ),
  );

  points.push(
    stats.ucs2Recipients === 0
      ? { code: 'ENCODING', level: 'pass', message: 'Plain GSM-7 text: 160 characters per SMS (153 per part).' }
      : finding(
          'ENCODING',
          `The characters ${stats.nonGsmCharacters.join(' ')} switch ${plural(stats.ucs2Recipients, 'message')} to Unicode (UCS-2): 70 characters per SMS (67 per part) instead of 160. Replace them to send fewer parts.`,
          { ucs2Recipients: stats.ucs2Recipients, characters: stats.nonGsmCharacters },
        ),
  );

  const { min, max, total } = stats.segments;
  const parts = min === max ? `${max}` : `${min} to ${max}`;
  const segmentsData = {
    min,
    max,
    total,
    average: stats.recipients ? Math.round((100 * total) / stats.recipients) / 100 : 0,
    maxAllowed: compliance.maxSegments,
  };
  if (max > PROVIDER_MAX_SEGMENTS) {
    points.push({
      code: 'SEGMENTS',
      level: 'fail',
      message: `The longest message needs ${max} SMS parts; providers accept at most ${PROVIDER_MAX_SEGMENTS}. Shorten the message.`,
      data: segmentsData,
    });
  } else if (max > compliance.maxSegments) {
    points.push(
      finding(
        'SEGMENTS',
        `The longest message needs ${max} SMS parts; the project allows ${compliance.maxSegments}. Shorten the message.`,
        segmentsData,
      ),
    );
  } else if (max > WARN_SEGMENTS) {
    points.push({
      code: 'SEGMENTS',
      level: 'warn',
      message: `Messages need ${parts} SMS parts each (${total} in all); each part is billed.`,
      data: segmentsData,
    });
  } else {
    points.push({
      code: 'SEGMENTS',
      level: 'pass',
      message: `Messages need ${parts} SMS part${max > 1 ? 's' : ''} each, ${total} in all.`,
      data: segmentsData,
    });
  }

  const price = compliance.pricePerSegment;
  points.push(
    price === null
      ? {
          code: 'COST',
          level: 'pass',
          message: `${total} SMS parts in all; set the project's price per part (pricePerSegment) to see the cost.`,
          data: { segments: total },
        }
      : {
          code: 'COST',
          level: 'pass',
          message: `Estimated cost: ${(total * price).toFixed(2)} ${compliance.currency} (${total} parts × ${price} ${compliance.currency}).`,
          data: { segments: total, pricePerSegment: price, currency: compliance.currency, estimate: Math.round(total * price * 100) / 100 },
        },
  );

  points.push(
    OPT_OUT_WORDS.test(message)
      ? { code: 'OPT_OUT_WORDING', level: 'pass', message: 'The message tells how to opt out.' }
      : finding('OPT_OUT_WORDING', 'The message does not tell how to opt out: add for example "Reply STOP to opt out" (ARRET in French).'),
  );

  const sender = (senderId ?? '').trim();
  const restricted = NO_ALPHANUMERIC_SENDER.filter((c) => stats.countries[c]);
  if (!sender) {
    points.push({
      code: 'SENDER_ID',
      level: 'warn',
      message:
        "No sender is set: the provider's default number is used. Set a sender in the project or the sending so recipients know who writes.",
    });
  } else if (NUMERIC_SENDER.test(sender.replace(/[\s-]/g, ''))) {
    points.push({ code: 'SENDER_ID', level: 'pass', message: `Sent from the number ${sender}.` });
  } else if (!ALPHANUMERIC_SENDER.test(sender) || !/[A-Za-z]/.test(sender)) {
    points.push({
      code: 'SENDER_ID',
      level: 'fail',
      message: `The sender "${sender}" is not valid: an alphanumeric sender has 1 to 11 letters, digits or spaces, with at least one letter.`,
    });
  } else if (restricted.length > 0) {
    const n = restricted.reduce((sum, c) => sum + stats.countries[c], 0);
    points.push(
      finding(
        'SENDER_ID',
        `The alphanumeric sender "${sender}" cannot send to ${restricted.join('/')} (${plural(n, 'recipient')}): use a registered number there.`,
        {
          countries: restricted,
          recipients: n,
        },
      ),
    );
  } else {
    points.push({ code: 'SENDER_ID', level: 'pass', message: `Sent as "${sender}".` });
  }

  const excludedBy = (prefix: string) =>
    Object.fromEntries(
      Object.entries(stats.excluded)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, n]) => [key.slice(prefix.length), n]),
    );
  const outsideCountries = excludedBy('countryNotAllowed:');
  const outside = Object.values(outsideCountries).reduce((a, b) => a + b, 0);
  const allowed = compliance.allowedCountries;
  points.push(
    outside > 0
      ? finding(
          'COUNTRIES',
          `${plural(outside, 'recipient')} in countries the project does not allow (${byCount(outsideCountries)}) ${outside === 1 ? 'is' : 'are'} left out. Allowed: ${allowed!.join(', ')}.`,
          {
            excluded: outsideCountries,
            allowed,
          },
        )
      : {
          code: 'COUNTRIES',
          level: 'pass',
          message: `Destinations: ${byCount(stats.countries) || 'none'}${allowed ? ` (allowed: ${allowed.join(', ')})` : ''}.`,
          data: { countries: stats.countries },
        },
  );

  const types = excludedBy('numberType:');
  const wrongType = Object.values(types).reduce((a, b) => a + b, 0);
  const unknownNote = stats.typeUnknown
    ? ` ${plural(stats.typeUnknown, 'number')} (US/CA) cannot be told mobile or landline without a carrier lookup; a landline among them fails at the provider.`
    : '';
  points.push(
    wrongType > 0
      ? finding(
          'NUMBER_TYPE',
          `${plural(wrongType, 'recipient')} with numbers that cannot receive SMS (${byCount(types)}) ${wrongType === 1 ? 'is' : 'are'} left out.${unknownNote}`,
          {
            excluded: types,
            typeUnknown: stats.typeUnknown,
          },
        )
      : {
          code: 'NUMBER_TYPE',
          level: 'pass',
          message: `No landline, toll-free or premium number among the recipients.${unknownNote}`,
          data: { typeUnknown: stats.typeUnknown },
        },
  );

  const quiet = stats.quietHours;
  if (!compliance.quietHours.enabled) {
    points.push({
      code: 'QUIET_HOURS',
      level: 'pass',
      message: 'Quiet hours are off for this project: every message goes out as soon as it can.',
    });
  } else if (quiet.noWindow > 0) {
    points.push({
      code: 'QUIET_HOURS',
      level: 'fail',
      message: `The quiet-hours rules leave no sending window in the next 14 days for ${plural(quiet.noWindow, 'recipient')}: fix the project's quiet-hours rules.`,
      data: { ...quiet },
    });
  } else if (quiet.held > 0) {
    points.push(
      finding(
        'QUIET_HOURS',
        `${plural(quiet.held, 'recipient')} ${quiet.held === 1 ? 'is' : 'are'} inside quiet hours at the send time (${utc(input.atMs)}): held and sent when their window opens, from ${utc(quiet.firstOpenMs!)} to ${utc(quiet.lastOpenMs!)}.`,
        { held: quiet.held, firstOpenMs: quiet.firstOpenMs, lastOpenMs: quiet.lastOpenMs },
      ),
    );
  } else {
    points.push({
      code: 'QUIET_HOURS',
      level: 'pass',
      message: `Every recipient is inside their sending hours at the send time (${utc(input.atMs)}).`,
    });
  }

  points.push({
    code: 'RECIPIENTS',
    level: stats.recipients > 0 ? 'pass' : 'fail',
    message: `${plural(stats.recipients, 'message')} will be sent.`,
    data: { countries: stats.countries },
  });
  return reportOf(points);
}
