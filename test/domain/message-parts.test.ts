import { SegmentedMessage } from 'sms-segments-calculator';
import { messageParts } from '../../domain/validation/message-parts';

function library(body: string) {
  const sms = new SegmentedMessage(body, 'auto');
  return { segments: sms.segmentsCount, encoding: sms.encodingName, nonGsmCharacters: sms.getNonGsmCharacters() };
}

/** A seeded generator, so a failure names a message that can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const GSM_BASIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r-\'"()%&*+/<=>#';
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
    ['an emoji (the library counts it)', `Hi 😀 ${'a'.repeat(70)}`],
    ['a combining accent (the library counts it)', `Cafe\u0301 ${'a'.repeat(70)}`],
  ])('%s', (_name, body) => {
    expect(messageParts(body)).toEqual(library(body));
  });

  test('random messages of 0 to 1,600 characters from GSM, extension, UCS-2 and joining characters', () => {
    const next = random(20260101);
    const poolSets = [[GSM_BASIC], [GSM_BASIC, GSM_EXTENSION], [GSM_BASIC, UCS2_ALONE], [GSM_BASIC, GSM_EXTENSION, UCS2_ALONE], [GSM_BASIC, UCS2_ALONE, JOINING.join('')]];
    for (let n = 0; n < 1000; n++) {
      const pools = poolSets[n % poolSets.length];
      const length = Math.floor(next() * (n % 7 === 0 ? 1600 : 480));
      const body = pools.length === 3 && pools[2].includes('😀') ? `${message(next, length, pools.slice(0, 2))}${JOINING[n % JOINING.length]}` : message(next, length, pools);
      expect({ body, parts: messageParts(body) }).toEqual({ body, parts: library(body) });
    }
  });
});
