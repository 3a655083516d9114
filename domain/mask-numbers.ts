/** What a preview may show of phone numbers: enough to recognise a test phone, not enough to read the number. Pure. */

/** `+1514•••••01`. */
export const maskE164 = (e164: string): string => `${e164.slice(0, 5)}${'•'.repeat(Math.max(0, e164.length - 7))}${e164.slice(-2)}`;

/** A run of 7 or more digits (of any script: ٥١٤… is a number too), with the separators numbers are written with. */
const NUMBER_LIKE = /[+＋]?\p{Nd}[\p{Nd}\s().\u00a0-]{5,}\p{Nd}/gu;

/** Masks every number-like run of 7 or more digits in a text (e.g. a `{{mobile}}` rendered into a message). */
export function maskPhoneNumbers(text: string): string {
  return text.replace(NUMBER_LIKE, (run) => {
    const digits = run.replace(/\P{Nd}/gu, '').length;
    if (digits < 7) return run;
    let seen = 0;
    return run.replace(/\p{Nd}/gu, (digit) => {
      seen += 1;
      return seen <= 2 || seen > digits - 2 ? digit : '•';
    });
  });
}
