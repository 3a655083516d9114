import { asciiDigits } from '../../domain/unicode-digits';

/** Every numbering system Intl knows whose digits are Unicode decimal digits (Nd), with its digits 0 to 9. */
function decimalNumberingSystems(): [string, string][] {
  return Intl.supportedValuesOf('numberingSystem').flatMap((system): [string, string][] => {
    const format = new Intl.NumberFormat('en', { numberingSystem: system, useGrouping: false });
    const digits = Array.from({ length: 10 }, (_, d) => format.format(d));
    return digits.every((digit) => /^\p{Nd}$/u.test(digit)) ? [[system, digits.join('')]] : [];
  });
}

/** Every Nd code point of the running Node's Unicode tables. */
function allDecimalDigits(): number[] {
  const found: number[] = [];
  for (let code = 0; code <= 0x10ffff; code++) if (/\p{Nd}/u.test(String.fromCodePoint(code))) found.push(code);
  return found;
}

describe('asciiDigits', () => {
  const systems = decimalNumberingSystems();

  test('Intl knows dozens of decimal numbering systems (the table below is not empty)', () => {
    expect(systems.length).toBeGreaterThan(50);
    expect(systems.map(([system]) => system)).toEqual(
      expect.arrayContaining(['arab', 'arabext', 'fullwide', 'deva', 'beng', 'thai', 'mathbold']),
    );
  });

  test.each(systems)('%s digits %s read as 0123456789', (_system, digits) => {
    expect(asciiDigits(digits)).toBe('0123456789');
  });

  test.each([
    ['+١ ٥١٤ ٥٥٥ ٠١٠١', '+1 514 555 0101'], // Arabic-Indic
    ['۰۶ ۱۲ ۳۴ ۵۶ ۷۸', '06 12 34 56 78'], // Persian (Extended Arabic-Indic)
    ['（５１４）５５５－０１０１', '（514）555－0101'], // fullwidth digits; the brackets and dash are left alone
    ['𝟓𝟏𝟒', '514'], // mathematical bold (five styles side by side)
    ['٥1۴５', '5145'], // scripts mixed
    ['Ⅻ ① ¹ 〇 ٫', 'Ⅻ ① ¹ 〇 ٫'], // letter-like numerals, circled and superscript digits, the Han zero, the Arabic decimal sign: not decimal digits
    ['', ''],
  ])('%p → %p', (text, ascii) => {
    expect(asciiDigits(text)).toBe(ascii);
  });

  test("every decimal digit of this Node's Unicode tables maps to the digit it stands for", () => {
    const digits = allDecimalDigits();
    expect(digits.length).toBeGreaterThan(600);
    for (const code of digits) {
      const char = String.fromCodePoint(code);
      const value = asciiDigits(char);
      expect(value).toMatch(/^[0-9]$/);
      // Where Unicode gives a compatibility form (fullwidth, mathematical), it agrees.
      const compatible = char.normalize('NFKD');
      if (/^[0-9]$/.test(compatible)) expect(value).toBe(compatible);
    }
    // The rule the mapping rests on: digits come in whole runs of ten, each run starting at a zero.
    let run = 0;
    for (const [i, code] of digits.entries()) {
      run = i > 0 && digits[i - 1] === code - 1 ? run + 1 : 0;
      expect(asciiDigits(String.fromCodePoint(code))).toBe(String(run % 10));
    }
  });
});
