/**
 * Which keys (sendings) started waiting on a limit recently: a newcomer takes NEWCOMER_WEIGHT turns for
 * one of a sending that has waited longer, for `newcomerMs` after it was first seen waiting (here or, through
 * the announcements, on another worker). So a short sending started beside a long one gets 2/3 of the limit,
 * not half, and finishes within 2× its time alone (docs/decisions.md, "Newcomers first").
 */
import type { Clock } from './rate-limiter';

/** How long a sending that starts waiting counts as a newcomer. */
export const NEWCOMER_MS = 10_000;
/** A newcomer's turns for one of a sending that has waited longer. */
export const NEWCOMER_WEIGHT = 2;

export interface Newcomers {
  /** These keys wait now (here or on another limiter). */
  saw(keys: Iterable<string>): void;
  /** NEWCOMER_WEIGHT while `key` is a newcomer (or not seen yet), else 1. */
  weightOf(key: string): number;
}

/**
 * A key not seen waiting for `newcomerMs` is forgotten: when it waits again, it is a newcomer again. The limiter
 * sees its keys when a caller asks and in its list (every 100 ms on a shared store), the others' in their lists.
 */
export function newcomers(clock: Clock, newcomerMs = NEWCOMER_MS): Newcomers {
  const seen = new Map<string, { first: number; last: number }>();
  let prunedAt = clock.now();
  return {
    saw(keys) {
      const now = clock.now();
      for (const key of keys) {
        const known = seen.get(key);
        if (known && now - known.last < newcomerMs) known.last = now;
        else seen.set(key, { first: now, last: now });
      }
      if (now - prunedAt >= newcomerMs) {
        for (const [key, { last }] of seen) if (now - last >= newcomerMs) seen.delete(key);
        prunedAt = now;
      }
    },
    weightOf(key) {
      const known = seen.get(key);
      return !known || clock.now() - known.first < newcomerMs ? NEWCOMER_WEIGHT : 1;
    },
  };
}
