import { SegmentedMessage } from 'sms-segments-calculator';
import { messageParts } from '../../domain/validation/message-parts';
import * as generated from './generated-text';

function library(body: string) {
  const sms = new SegmentedMessage(body, 'auto');
  return { segments: sms.segmentsCount, encoding: sms.encodingName, nonGsmCharacters: sms.getNonGsmCharacters() };
}

const GSM_BASIC =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r-\'"()%&*+/<=>#';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const UCS2_ALONE = 'êçœâîôûëïÿąćęłńśźżșțşğıæ’“”–—…€₹αβγδЖжЯя';
const JOINING = ['😀', '👍🏽', 'e\u0301', '🇫🇷', '👨‍👩‍👧', 'ก', '\u200d', 'ﬁ', '한'];

function message(next: () => number, length: number, pools: string[]): string {
  let text = '';
  while (text.length < length) {
    const pool = pools[Math.floor(next() * pools.length)];
    const chars = [...pool];
    text += chars[Math.floor(next() * chars.length)];
  }
  return text;
}

describe('messageParts counts parts exactly as sms-segments-calculator', () => {
  test.each([
    ['empty', ''],
    ['160 GSM characters: one part', 'a'.repeat(160)],
    ['161 GSM characters: two parts', 'a'.repeat(161)],
    ['306 and 307 GSM characters', 'a'.repeat(306)],
    ['307 GSM characters', 'a'.repeat(307)],
    ['an extension character across a part boundary', `${'a'.repeat(152)}€${'b'.repeat(160)}`],
    ['extension characters only', '{'.repeat(81)],
    ['70 and 71 UCS-2 characters', 'ê'.repeat(70)],
    ['71 UCS-2 characters', 'ê'.repeat(71)],
    ['GSM and UCS-2 mixed at the boundaries', `${'a'.repeat(66)}ê${'b'.repeat(68)}`],
    ['CRLF line breaks', `Hello\r\nworld\r\n${'x'.repeat(155)}`],
    ['an emoji', `Hi 😀 ${'a'.repeat(70)}`],
    ['a combining accent', `Cafe\u0301 ${'a'.repeat(70)}`],
  ])('%s', (_name, body) => {
    expect(messageParts(body)).toEqual(library(body));
  });

  test('random messages of 0 to 1,600 characters from GSM, extension, UCS-2 and joining characters', () => {
    const next = generated.random(20260101);
    const poolSets = [
      [GSM_BASIC],
      [GSM_BASIC, GSM_EXTENSION],
      [GSM_BASIC, UCS2_ALONE],
      [GSM_BASIC, GSM_EXTENSION, UCS2_ALONE],
      [GSM_BASIC, UCS2_ALONE, JOINING.join('')],
    ];
    for (let n = 0; n < 1000; n++) {
      const pools = poolSets[n % poolSets.length];
      const length = Math.floor(next() * (n % 7 === 0 ? 1600 : 480));
      const body =
        pools.length === 3 && pools[2].includes('😀')
          ? `${message(next, length, pools.slice(0, 2))}${JOINING[n % JOINING.length]}`
          : message(next, length, pools);
      expect({ body, parts: messageParts(body) }).toEqual({ body, parts: library(body) });
    }
  });
});

describe('messageParts counts any text as sms-segments-calculator, grapheme by grapheme', () => {
  const a = (n: number) => 'a'.repeat(n);
  test.each([
    ['an emoji across the end of a lone part', `ê${a(68)}😀${a(10)}`],
    ['an emoji across the 67 units a first part keeps beside its header', `ê${a(65)}😀${a(10)}`],
    ['a ZWJ family across the end of the first part', `ê${a(60)}👨‍👩‍👧${a(10)}`],
    ['a flag across the end of the second part', `ê${a(131)}🇫🇷${a(10)}`],
    ['a skin tone, a keycap and a variation selector', `Hi 👍🏽 press 1️⃣ ❤️ ${a(70)}`],
    ['an emoji newer than the library with a skin tone: two characters there', `Thanks 🫶🏻 ${a(66)}`],
    ['a flag followed by two combining marks', `🇫🇷\u0301\u0301 ${a(70)}`],
    ['a skin tone after a combining mark on an emoji base', `👍\u0301🏽 👍\u0301\u0301🏽 a\u0301🏽`],
    ['a character longer than a part', `Z${'\u0301'.repeat(80)} ${a(10)}`],
    ['a long character at the end of the first part', `ê${a(40)}Z${'\u0301'.repeat(40)}${a(20)}`],
    ['CJK', '您好，您的订单已准备好。本日のご注文は準備ができました。주문하신 상품이 준비되었습니다.'.repeat(2)],
    ['Arabic with vowel marks and a prepended number sign', `بِسْمِ اللَّهِ \u0600١٢ مرحبا بكم ${'ب'.repeat(60)}`],
    ['Hebrew with points', `שָׁלוֹם עוֹלָם ${'ש'.repeat(70)}`],
    ['Devanagari conjuncts', `नमस्ते क्षत्रिय हिन्दी ${'क'.repeat(60)}`],
    ['CR LF in a UCS-2 message', `ê\r\n${a(67)}\r\n${a(10)}`],
    ['lone surrogates', `a\ud83d b\ude00 c\ud83d`],
  ])('%s', (_name, body) => {
    expect(messageParts(body)).toEqual(library(body));
  });

  test('4,000 random messages mixing GSM-7 text with every kind of character, lengths around the part boundaries', () => {
    const next = generated.random(20260402);
    const others = [
      generated.GSM_EXTENSION,
      generated.LATIN_UCS2,
      generated.EMOJI,
      generated.COMBINING,
      generated.CJK,
      generated.ARABIC,
      generated.HEBREW,
      generated.DEVANAGARI,
      generated.THAI,
      generated.CONTROLS,
      generated.JOINING,
    ];
    const boundaries = [...generated.UCS2_BOUNDARIES, ...generated.GSM7_BOUNDARIES];
    for (let n = 0; n < 4000; n++) {
      const pools = n % 5 === 0 ? [generated.GSM_BASIC, ...others] : [generated.GSM_BASIC, generated.pick(next, others)];
      const length = n % 2 === 0 ? generated.pick(next, boundaries) + Math.floor(next() * 9) - 4 : Math.floor(next() * 400);
      const body = generated.textOf(next, pools, length);
      expect({ body, parts: messageParts(body) }).toEqual({ body, parts: library(body) });
    }
  });

  test('characters of several units placed across each part boundary', () => {
    const next = generated.random(20260403);
    const pieces = [...generated.EMOJI, ...generated.COMBINING, ...generated.CJK, ...generated.ARABIC, ...generated.DEVANAGARI].filter(
      (piece) => piece.length > 1,
    );
    const filler = [...generated.GSM_BASIC, ...generated.LATIN_UCS2];
    for (const boundary of generated.UCS2_BOUNDARIES) {
      for (let before = 0; before < 4; before++) {
        for (const piece of pieces) {
          const body = generated.across(next, filler, boundary - before, piece, [
            generated.GSM_BASIC,
            generated.LATIN_UCS2,
            generated.pick(next, [generated.EMOJI, generated.COMBINING, generated.CJK]),
          ]);
          expect({ body, parts: messageParts(body) }).toEqual({ body, parts: library(body) });
        }
      }
    }
    for (const boundary of generated.GSM7_BOUNDARIES) {
      for (let before = 0; before < 3; before++) {
        for (const piece of generated.GSM_EXTENSION) {
          const body = generated.across(next, generated.GSM_BASIC, boundary - before, piece, [
            generated.GSM_BASIC,
            generated.GSM_EXTENSION,
          ]);
          expect({ body, parts: messageParts(body) }).toEqual({ body, parts: library(body) });
        }
      }
    }
  });
});
