/**
 * A counter-based generator: the draw for (seed, stream, index) depends on nothing else, so a
 * request's fate does not change when other rules or requests draw more or fewer numbers.
 */

/** A uniform number in [0, 1). */
export function uniform(seed: number, stream: number, index: number): number {
  let h = mix(seed >>> 0);
  h = mix(h ^ Math.imul(stream + 1, 0x9e3779b9));
  h = mix(h ^ Math.imul(index + 1, 0x85ebca6b));
  return h / 2 ** 32;
}

/** The 32-bit finaliser of MurmurHash3 (constants from the lowbias32 variant). */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
