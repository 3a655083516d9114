import GraphemeSplitter from 'grapheme-splitter';
import { graphemeEnd } from '../../domain/validation/grapheme-end';
import { GSM_BASIC, JOINING, LATIN_UCS2, random, textOf } from './generated-text';

/** The splitter sms-segments-calculator measures graphemes with. */
const splitter = new GraphemeSplitter();

function graphemes(text: string): string[] {
  const list: string[] = [];
  for (let start = 0, end = 0; start < text.length; start = end) {
    end = graphemeEnd(text, start);
    list.push(text.slice(start, end));
  }
  return list;
}

describe('graphemeEnd splits text as grapheme-splitter does', () => {
  test.each([
    ['plain text', 'Hello, world'],
    ['ZWJ sequences', '👨‍👩‍👧‍👦 👩🏽‍💻 ❤️‍🔥 🏳️‍🌈 🐻‍❄️'],
    ['a skin tone on an emoji base, on a newer emoji, and alone', '👍🏽 🫶🏻 a🏽 🏽'],
    [
      'a skin tone after combining marks: one and two on an emoji base, one before a joined base',
      '👍\u0301🏽 👍\u0301\u0301🏽 e\u0301\u200d👦🏻',
    ],
    ['flags in a row, then an odd regional indicator', '🇫🇷🇨🇦🇩'],
    ['a flag followed by one, then two combining marks', '🇫🇷\u0301 🇫🇷\u0301\u0301x'],
    ['a prepended sign before a flag and before a control', '\u0600🇫🇷\u0301x \u0600\u0001'],
    ['keycaps and variation selectors', '1️⃣ #️⃣ 9⃣ ☺️ ✈︎'],
    ['a tag sequence', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['Hangul syllables and jamo', '한국어 \u1100\u1161\u11a8 \u1100\u1100\u1161'],
    ['Devanagari, Thai and Arabic marks', 'नमस्ते क्षि น้ำ ก่า بِسْمِ'],
    ['CR LF and other controls', 'a\r\nb\r\r\n\u0001\u0301'],
    ['surrogates in and out of pairs', 'a\ud83d b\ude00 😀\ud83d'],
  ])('%s', (_name, text) => {
    expect(graphemes(text)).toEqual(splitter.splitGraphemes(text));
  });

  test('3,000 random texts of joining characters of every kind', () => {
    const next = random(20260404);
    for (let n = 0; n < 3000; n++) {
      const text = textOf(next, [JOINING, JOINING, GSM_BASIC, LATIN_UCS2], Math.floor(next() * 120));
      expect({ text, graphemes: graphemes(text) }).toEqual({ text, graphemes: splitter.splitGraphemes(text) });
    }
  });
});
