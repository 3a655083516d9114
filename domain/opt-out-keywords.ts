/**
 * What an inbound SMS reply asks for: opt out (STOP …), opt back in (START …), or nothing. Pure.
 *
 * Keyword lists, taken as the reference:
 * - Twilio's default opt-out handling ("Twilio support for opt-out keywords (SMS STOP filtering)",
 *   help.twilio.com/articles/223134027): opt-out STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, and
 *   REVOKE, OPTOUT since 14 May 2025 (Twilio blog "Update to FCC's SMS Opt-Out Keywords"); opt-in
 *   START, UNSTOP, YES. Twilio acts only when the keyword is the whole message ("STOP PLEASE" does
 *   nothing), case-insensitive.
 * - CTIA Messaging Principles and Best Practices (opt-out by STOP, END, CANCEL, UNSUBSCRIBE, QUIT) and
 *   the FCC 2024 TCPA revocation order ("stop, quit, end, revoke, opt out, cancel, unsubscribe").
 * - Local languages of the project's audiences: ARRET (French, Canadian carriers), STOPP (German,
 *   Scandinavian), BAJA (Spanish). SUBSCRIBE opts back in too (the
 *   counterpart of UNSUBSCRIBE).
 *
 * Matching follows Twilio: the whole message must be one keyword (the two-word "OPT OUT" of the FCC
 * order and "STOP ALL" are accepted too, where Twilio takes no spaces). Before comparing, the text is
 * trimmed, upper-cased, accents are folded (ARRÊT = ARRET), invisible format characters are
 * dropped, runs of spaces count as one, and punctuation around the word is ignored ("stop.",
 * "¡Baja!", "\"STOP\""). Anything else — "STOP please", "stop sending me this" — is not a keyword.
 */

export type InboundIntent = 'optOut' | 'optIn';

export type KeywordMatch = { intent: InboundIntent; keyword: string } | { intent: null };

/** Canonical keyword → the spellings that mean it (after folding). */
const OPT_OUT: Readonly<Record<string, readonly string[]>> = {
  STOP: ['STOP'],
  STOPALL: ['STOPALL', 'STOP ALL'],
  UNSUBSCRIBE: ['UNSUBSCRIBE'],
  CANCEL: ['CANCEL'],
  END: ['END'],
  QUIT: ['QUIT'],
  OPTOUT: ['OPTOUT', 'OPT-OUT', 'OPT OUT'],
  REVOKE: ['REVOKE'],
  ARRET: ['ARRET'],
  STOPP: ['STOPP'],
  BAJA: ['BAJA'],
};

const OPT_IN: Readonly<Record<string, readonly string[]>> = {
  START: ['START'],
  UNSTOP: ['UNSTOP'],
  YES: ['YES'],
  SUBSCRIBE: ['SUBSCRIBE'],
};

/** The canonical opt-out keywords, e.g. for documentation or a reply text. */
export const OPT_OUT_KEYWORDS: readonly string[] = Object.keys(OPT_OUT);
/** The canonical opt-in keywords. */
export const OPT_IN_KEYWORDS: readonly string[] = Object.keys(OPT_IN);

const LOOKUP = new Map<string, { intent: InboundIntent; keyword: string }>([
  ...spellings(OPT_OUT, 'optOut'),
  ...spellings(OPT_IN, 'optIn'),
]);

function spellings(
  table: Readonly<Record<string, readonly string[]>>,
  intent: InboundIntent,
): [string, { intent: InboundIntent; keyword: string }][] {
  return Object.entries(table).flatMap(([keyword, forms]) =>
    forms.map((form): [string, { intent: InboundIntent; keyword: string }] => [form, { intent, keyword }]),
  );
}

/** The message as compared with the keyword table: " Arrêt ! " → "ARRET". */
export function foldKeywordText(body: string): string {
  return body
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '') // accents (combining marks) and zero-width/format characters
    .toUpperCase()
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '') // surrounding spaces and punctuation
    .replace(/\s+/gu, ' ');
}

/** Whether an inbound message is an opt-out or opt-in keyword (the whole message), and which one. */
export function classifyInboundMessage(body: string | null | undefined): KeywordMatch {
  const match = LOOKUP.get(foldKeywordText(body ?? ''));
  return match ? { ...match } : { intent: null };
}
