/**
 * Decimal digits of any script (Unicode category Nd: Arabic-Indic ٥, Persian ۵, Devanagari ५, fullwidth ５,
 * mathematical 𝟓 …) read as the ASCII digits they stand for. Pure.
 */
const DECIMAL_DIGIT = /\p{Nd}/u;

/** `"+١ ٥١٤"` → `"+1 514"`; every other character is kept as it is. */
export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, digitValue);
}

function digitValue(digit: string): string {
  const code = digit.codePointAt(0)!;
  if (code <= 0x7f) return digit;
  // Unicode encodes every decimal digit in a run of ten from its zero, and runs that touch (the five
  // mathematical styles) each start at a zero: the value is the distance from the block's start, mod 10.
  let start = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return String((code - start) % 10);
}
