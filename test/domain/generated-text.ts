/**
 * Seeded message texts for comparing our counts with sms-segments-calculator's: every kind of
 * character an SMS may hold, lengths around the part boundaries, and multi-unit characters placed
 * right across them. Seeded, so a failure names a message that can be replayed.
 */

export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];

export const GSM_BASIC = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r-\'"()%&*+/<=>#',
];
export const GSM_EXTENSION = [...'^{}\\[~]|€\f'];
/** Latin, Greek and Cyrillic outside GSM-7, and typographic punctuation: one UTF-16 unit each. */
export const LATIN_UCS2 = [...'êçœâîôûëïÿąćęłńśźżșțşğı’“”–—…₹αβγδЖжЯя'];

/** Tokens: a token may join its neighbours (a mark after an emoji, a joiner between two tokens). */
export const EMOJI = [
  '😀',
  '🎉',
  '🥰',
  '☺',
  '☺️',
  '✈',
  '✈️',
  '❤',
  '❤️',
  '©️',
  '™',
  '⌚', // single, with and without a variation selector
  '👍',
  '👍🏽',
  '👍🏻',
  '🧑🏿',
  '👦🏼',
  '🫶🏻',
  '👋🏾', // skin tones, on bases old and new
  '👨‍👩‍👧',
  '👨‍👩‍👧‍👦',
  '👩🏽‍💻',
  '❤️‍🔥',
  '🏳️‍🌈',
  '🏴‍☠️',
  '👨‍❤️‍💋‍👨',
  '🧑🏻‍🤝‍🧑🏿',
  '🐻‍❄️', // ZWJ sequences
  '🇫🇷',
  '🇨🇦',
  '🇺🇸🇬🇧',
  '🇫',
  '🇩', // flags, and lone regional indicators
  '1️⃣',
  '#️⃣',
  '*️⃣',
  '9⃣', // keycaps
  '🏴󠁧󠁢󠁳󠁣󠁴󠁿', // a tag sequence
  '\u{1F3FB}',
  '\u200d',
  '\ufe0f',
  '\ufe0e',
  '\u20e3', // the joining pieces alone
];
export const COMBINING = ['e\u0301', 'a\u0300', 'o\u0308\u0304', '\u0301', '\u0308', 'n\u0303', 'Z\u0335\u0321\u0358', 'i\u0307'];
export const CJK = [...'中文字漢語日本語ひらがなカタカナ한국어가각힣', '\u1100\u1161\u11a8', '\u1100', '\u1161', '\u11a8', '\u{20BB7}'];
export const ARABIC = [...'مرحبا بكم', 'بِسْمِ', 'ﷺ', '\u0600', '\u0601\u0661', '\u064b', '\u0670'];
export const HEBREW = [...'עברית', 'שָׁלוֹם', '\u05b0'];
export const DEVANAGARI = [...'नमस्ते', 'क्षि', 'हिन्दी', '\u0903', '\u094d', 'ൎ'];
export const THAI = [...'ภาษาไทย', 'น้ำ', 'ก่า', '\u0e33'];
export const CONTROLS = ['\r\n', '\r', '\n', '\t', '\u0001', '\u200b', '\u200c', '\u00ad', '\ud83d', '\ude00'];

export const JOINING = [...EMOJI, ...COMBINING, ...CJK, ...ARABIC, ...HEBREW, ...DEVANAGARI, ...THAI, ...CONTROLS];

/** Where a part ends: UCS-2 units (70 alone, 67 per part of a longer message) and GSM-7 septets (160, 153). */
export const UCS2_BOUNDARIES = [67, 70, 134, 201, 268];
export const GSM7_BOUNDARIES = [153, 160, 306, 459];

/** Tokens drawn from the pools until the text holds at least `length` UTF-16 units. */
export function textOf(next: () => number, pools: readonly (readonly string[])[], length: number): string {
  let text = '';
  while (text.length < length) text += pick(next, pick(next, pools));
  return text;
}

/** `units` single-unit characters, then `piece`, then a random tail: `piece` starts `units` units in. */
export function across(
  next: () => number,
  filler: readonly string[],
  units: number,
  piece: string,
  tail: readonly (readonly string[])[],
): string {
  let text = '';
  for (let k = 0; k < units; k++) text += pick(next, filler);
  return text + piece + textOf(next, tail, Math.floor(next() * 40));
}
