/**
 * Where a grapheme ends, exactly as grapheme-splitter 1.0.4 (the splitter sms-segments-calculator
 * uses) decides it, quirks included, without the arrays it builds for every code point. Its rules
 * look at the whole grapheme so far (`all` = first code point, the ones joined to it, the next
 * one); the state below keeps just what those rules read of it.
 */
import { GraphemeBreak, graphemeBreakProperty } from './grapheme-break-property';

const {
  CR,
  LF,
  Control,
  Extend,
  Regional_Indicator: RI,
  SpacingMark,
  L,
  V,
  T,
  LV,
  LVT,
  Other,
  Prepend,
  E_Base,
  E_Modifier,
  ZWJ,
  Glue_After_Zwj,
  E_Base_GAZ,
} = GraphemeBreak;
const NONE = -1;

const isEmojiBase = (property: number) => property === E_Base || property === E_Base_GAZ;
const isControl = (property: number) => property === Control || property === CR || property === LF;

/** The code point at `k`; a surrogate outside a pair stands for itself, as in grapheme-splitter. */
function codePointAt(text: string, k: number): number {
  const high = text.charCodeAt(k);
  if (high >= 0xd800 && high <= 0xdbff && k + 1 < text.length) {
    const low = text.charCodeAt(k + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return high;
}

/** What grapheme-splitter's rules read of the grapheme so far. */
class GraphemeSoFar {
  first = Other;
  previous = Other;
  beforePrevious = NONE;
  /** The code points joined after the first one: how many, whether all are Extend, whether one was. */
  joined = 0;
  joinedAllExtend = true;
  extendSeen = false;
  /** Regional indicators among the joined: the run they open with, and any after it. */
  leadingIndicators = 0;
  indicatorAfterLead = false;

  begin(first: number): void {
    this.first = first;
    this.previous = first;
    this.beforePrevious = NONE;
    this.joined = 0;
    this.joinedAllExtend = true;
    this.extendSeen = first === Extend;
    this.leadingIndicators = 0;
    this.indicatorAfterLead = false;
  }

  breaksBefore(next: number): boolean {
    const { first, previous, joined } = this;
    if (next === Other) return previous !== Prepend; // what the rules below decide, the common case first
    // grapheme-splitter's lookahead for GB10: a skin tone after Extends that no emoji base opened.
    if (next === E_Modifier && joined > 0 && this.joinedAllExtend && first !== Extend && !isEmojiBase(first)) return true;
    // Its lookahead for GB12/13: every indicator joined (and the next) is in the run the joined open with.
    const indicatorsOnlyInLead = next === RI ? this.leadingIndicators === joined : this.leadingIndicators > 0 && !this.indicatorAfterLead;
    if (indicatorsOnlyInLead && previous !== Prepend && previous !== RI) return true;

    if (previous === CR && next === LF) return false; // GB3
    if (isControl(previous) || isControl(next)) return true; // GB4, GB5
    if (previous === L && (next === L || next === V || next === LV || next === LVT)) return false; // GB6
    if ((previous === LV || previous === V) && (next === V || next === T)) return false; // GB7
    if ((previous === LVT || previous === T) && next === T) return false; // GB8
    if (next === Extend || next === ZWJ || next === SpacingMark || previous === Prepend) return false; // GB9, GB9a, GB9b
    // GB10 as grapheme-splitter reads it: the base right before the skin tone, or right before the last Extend.
    if (next === E_Modifier && (this.extendSeen ? previous === Extend && isEmojiBase(this.beforePrevious) : isEmojiBase(previous)))
      return false;
    if (previous === ZWJ && (next === Glue_After_Zwj || next === E_Base_GAZ)) return false; // GB11
    if (this.leadingIndicators > 0 || this.indicatorAfterLead) return true; // GB12/13: a pair of indicators is already joined
    return !(previous === RI && next === RI);
  }

  join(next: number): void {
    this.beforePrevious = this.previous;
    this.previous = next;
    this.joined += 1;
    if (next !== Extend) this.joinedAllExtend = false;
    else this.extendSeen = true;
    if (next === RI) {
      if (this.leadingIndicators === this.joined - 1) this.leadingIndicators += 1;
      else this.indicatorAfterLead = true;
    }
  }
}

const soFar = new GraphemeSoFar();

/** The index (in UTF-16 code units) just past the grapheme that starts at `start`. */
export function graphemeEnd(text: string, start: number): number {
  // Most text: a character of class Other before another (a surrogate is of class Control).
  if (
    graphemeBreakProperty(text.charCodeAt(start)) === Other &&
    start + 1 < text.length &&
    graphemeBreakProperty(text.charCodeAt(start + 1)) === Other
  )
    return start + 1;
  return graphemeEndByRules(text, start);
}

function graphemeEndByRules(text: string, start: number): number {
  let cp = codePointAt(text, start);
  soFar.begin(graphemeBreakProperty(cp));
  for (let k = start + (cp > 0xffff ? 2 : 1); k < text.length; k += cp > 0xffff ? 2 : 1) {
    cp = codePointAt(text, k);
    const next = graphemeBreakProperty(cp);
    if (soFar.breaksBefore(next)) return k;
    soFar.join(next);
  }
  return text.length;
}
