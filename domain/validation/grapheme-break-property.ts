/**
 * The grapheme break property of a code point exactly as grapheme-splitter, the splitter
 * sms-segments-calculator uses, assigns it. Its tables are Unicode 10's, not those of Node's ICU:
 * they differ for every character added since (an emoji added after Unicode 10, followed by a skin
 * tone, is two graphemes there, and counts so).
 */
import { createRequire } from 'node:module';

const CLASSES = [
  'CR',
  'LF',
  'Control',
  'Extend',
  'Regional_Indicator',
  'SpacingMark',
  'L',
  'V',
  'T',
  'LV',
  'LVT',
  'Other',
  'Prepend',
  'E_Base',
  'E_Modifier',
  'ZWJ',
  'Glue_After_Zwj',
  'E_Base_GAZ',
] as const;

type GraphemeClass = (typeof CLASSES)[number];

interface SplitterInternals {
  property: (codePoint: number) => number;
  classes: Record<GraphemeClass, number>;
}

/**
 * grapheme-splitter keeps its property lookup (an if-chain over its tables) private to its
 * constructor. Its source is compiled again with the constructor returning that lookup and the
 * class numbers instead of the splitter: the same tables, not a copy of them.
 */
function splitterInternals(): SplitterInternals {
  const requireFromLibrary = createRequire(require.resolve('sms-segments-calculator'));
  const GraphemeSplitter = requireFromLibrary('grapheme-splitter') as new () => unknown;
  const source = GraphemeSplitter.toString();
  const end = /return this;\s*\}\s*$/;
  if (!/^function GraphemeSplitter\(\)/.test(source) || !end.test(source) || !source.includes('function getGraphemeBreakProperty(code)')) {
    throw new Error(
      'grapheme-splitter is not the version message-parts reads (1.0.4): its grapheme break property cannot be taken from it',
    );
  }
  const internals = `return { property: getGraphemeBreakProperty, classes: { ${CLASSES.map((name) => `${name}: ${name}`).join(', ')} } }; }`;
  return new Function(`${source.replace(end, internals)}\nreturn new GraphemeSplitter();`)() as SplitterInternals;
}

const internals = splitterInternals();

/** grapheme-splitter's number for each grapheme break class. */
export const GraphemeBreak: Readonly<Record<GraphemeClass, number>> = internals.classes;

const UNKNOWN = 0xff;
const byCodePoint = new Uint8Array(0x110000).fill(UNKNOWN);

export function graphemeBreakProperty(codePoint: number): number {
  const known = byCodePoint[codePoint];
  return known !== UNKNOWN ? known : (byCodePoint[codePoint] = internals.property(codePoint));
}
