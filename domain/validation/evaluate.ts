/** The validation points of a sending, from the message, the sender and the per-recipient facts. */
import type { MessageStats } from './message-stats';
import { reportOf, type ValidationPoint, type ValidationReport } from './report';

/** Above this many segments per message a warning is raised (cost, readability). */
export const WARN_SEGMENTS = 3;
/** Providers refuse longer concatenated messages (Twilio: 1,600 characters ≈ 10 segments). */
export const MAX_SEGMENTS = 10;

const OPT_OUT_WORDS = /\b(STOP|ARRET|ARRÊT|STOPP|BAJA|UNSUBSCRIBE|END|QUIT)\b/i;
const ALPHANUMERIC_SENDER = /^[A-Za-z0-9 ]{1,11}$/;
const NUMERIC_SENDER = /^\+?\d{3,15}$/;
const NO_ALPHANUMERIC_SENDER = ['US', 'CA'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function evaluateSending(input: { message: string; senderId: string | null; stats: MessageStats }): ValidationReport {
  const { message, senderId, stats } = input;
  const points: ValidationPoint[] = [];

  const missing = Object.entries(stats.missingFields);
  points.push(
    missing.length === 0
      ? { code: 'FIELDS_RESOLVE', level: 'pass', message: 'Every personalization field has a value for every recipient.' }
      : {
          code: 'FIELDS_RESOLVE',
          level: 'fail',
          message: missing.map(([field, n]) => `{{${field}}} is empty for ${plural(n, 'recipient')} (e.g. contacts ${stats.missingExamples[field].join(', ')})`).join('; ') + '. Fill the field for these contacts or remove it from the message.',
          data: { missing: stats.missingFields, examples: stats.missingExamples },
        },
  );

  points.push(
    stats.ucs2Recipients === 0
      ? { code: 'ENCODING', level: 'pass', message: 'Plain GSM-7 text: 160 characters per SMS (153 per part).' }
      : {
          code: 'ENCODING',
          level: 'warn',
          message: `The characters ${stats.nonGsmCharacters.join(' ')} switch ${plural(stats.ucs2Recipients, 'message')} to Unicode (UCS-2): 70 characters per SMS (67 per part) instead of 160. Replace them to send fewer parts.`,
          data: { ucs2Recipients: stats.ucs2Recipients, characters: stats.nonGsmCharacters },
        },
  );

  const { min, max, total } = stats.segments;
  const segmentsData = { min, max, total, average: stats.recipients ? Math.round((100 * total) / stats.recipients) / 100 : 0 };
  points.push(
    max > MAX_SEGMENTS
      ? { code: 'SEGMENTS', level: 'fail', message: `The longest message needs ${max} SMS parts; providers accept at most ${MAX_SEGMENTS}. Shorten the message.`, data: segmentsData }
      : max > WARN_SEGMENTS
        ? { code: 'SEGMENTS', level: 'warn', message: `Messages need ${min === max ? max : `${min} to ${max}`} SMS parts each (${total} in all); each part is billed.`, data: segmentsData }
        : { code: 'SEGMENTS', level: 'pass', message: `Messages need ${min === max ? max : `${min} to ${max}`} SMS part${max > 1 ? 's' : ''} each, ${total} in all.`, data: segmentsData },
  );

  points.push(
    OPT_OUT_WORDS.test(message)
      ? { code: 'OPT_OUT_WORDING', level: 'pass', message: 'The message tells how to opt out.' }
      : { code: 'OPT_OUT_WORDING', level: 'warn', message: 'The message does not tell how to opt out: add for example "Reply STOP to opt out" (ARRET in French).' },
  );

  const sender = (senderId ?? '').trim();
  const restricted = NO_ALPHANUMERIC_SENDER.filter((c) => stats.countries[c]);
  if (!sender) {
    points.push({ code: 'SENDER_ID', level: 'warn', message: 'No sender is set: the provider\'s default number is used. Set a sender in the project or the sending so recipients know who writes.' });
  } else if (NUMERIC_SENDER.test(sender.replace(/[\s-]/g, ''))) {
    points.push({ code: 'SENDER_ID', level: 'pass', message: `Sent from the number ${sender}.` });
  } else if (!ALPHANUMERIC_SENDER.test(sender) || !/[A-Za-z]/.test(sender)) {
    points.push({ code: 'SENDER_ID', level: 'fail', message: `The sender "${sender}" is not valid: an alphanumeric sender has 1 to 11 letters, digits or spaces, with at least one letter.` });
  } else if (restricted.length > 0) {
    const n = restricted.reduce((sum, c) => sum + stats.countries[c], 0);
    points.push({ code: 'SENDER_ID', level: 'fail', message: `The alphanumeric sender "${sender}" cannot send to ${restricted.join('/')} (${plural(n, 'recipient')}): use a registered number there.`, data: { countries: restricted, recipients: n } });
  } else {
    points.push({ code: 'SENDER_ID', level: 'pass', message: `Sent as "${sender}".` });
  }

  points.push({ code: 'RECIPIENTS', level: stats.recipients > 0 ? 'pass' : 'fail', message: `${plural(stats.recipients, 'message')} will be sent.`, data: { countries: stats.countries } });
  return reportOf(points);
}
