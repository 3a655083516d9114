/**
 * The part of a provider-wide limit that one limiter reserves, from the sendings waiting on it and on
 * the other limiters sharing the store: every sending waiting anywhere gets a part in proportion to its
 * weight (1, or 2 for a newcomer: newcomers.ts), split evenly between the limiters (workers) it waits on
 * (docs/decisions.md, "Fair slots between sendings").
 */
export interface LimiterShare {
  /** Blocks of slots to reserve at a time; 1 when every busy limiter deserves the same. */
  blocks: number;
  /** A key's weight in this limiter's turns: its own weight / the number of limiters it waits on. */
  weightOf(key: string): number;
}

export type KeyWeight = (key: string) => number;

/** A limiter on its own, or one that does not know the others' sendings: one block, turns by the keys' weights. */
export const localShare = (weightOfKey: KeyWeight): LimiterShare => ({ blocks: 1, weightOf: weightOfKey });

/**
 * `own`: the keys waiting on this limiter; `others`: those waiting on each other limiter. The blocks of
 * all busy limiters average 1, so the slots they hold ahead stay what they were with equal shares.
 */
export function shareOf(own: readonly string[], others: readonly (readonly string[])[], weightOfKey: KeyWeight = () => 1): LimiterShare {
  const busyOthers = others.filter((keys) => keys.length > 0);
  if (own.length === 0 || busyOthers.length === 0) return localShare(weightOfKey);
  const limitersOf = new Map<string, number>();
  for (const keys of [own, ...busyOthers]) for (const key of new Set(keys)) limitersOf.set(key, (limitersOf.get(key) ?? 0) + 1);
  let total = 0;
  for (const key of limitersOf.keys()) total += weightOfKey(key);
  let mine = 0;
  for (const key of new Set(own)) mine += weightOfKey(key) / limitersOf.get(key)!;
  return {
    blocks: ((busyOthers.length + 1) * mine) / total,
    weightOf: (key) => weightOfKey(key) / (limitersOf.get(key) ?? 1),
  };
}
