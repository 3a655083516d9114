/**
 * The part of a provider-wide limit that one limiter reserves, from the sendings waiting on it and on
 * the other limiters sharing the store: every sending waiting anywhere gets an equal part, split evenly
 * between the limiters (workers) it waits on (docs/decisions.md, "Fair slots between sendings").
 */
export interface LimiterShare {
  /** Blocks of slots to reserve at a time; 1 when every busy limiter deserves the same. */
  blocks: number;
  /** A key's weight in this limiter's turns: 1 / the number of limiters it waits on. */
  weightOf(key: string): number;
}

export const EQUAL_SHARE: LimiterShare = { blocks: 1, weightOf: () => 1 };

/**
 * `own`: the keys waiting on this limiter; `others`: those waiting on each other limiter. The blocks of
 * all busy limiters average 1, so the slots they hold ahead stay what they were with equal shares.
 */
export function shareOf(own: readonly string[], others: readonly (readonly string[])[]): LimiterShare {
  const busyOthers = others.filter((keys) => keys.length > 0);
  if (own.length === 0 || busyOthers.length === 0) return EQUAL_SHARE;
  const limitersOf = new Map<string, number>();
  for (const keys of [own, ...busyOthers]) for (const key of new Set(keys)) limitersOf.set(key, (limitersOf.get(key) ?? 0) + 1);
  let weights = 0;
  for (const key of new Set(own)) weights += 1 / limitersOf.get(key)!;
  return {
    blocks: ((busyOthers.length + 1) * weights) / limitersOf.size,
    weightOf: (key) => 1 / (limitersOf.get(key) ?? 1),
  };
}
