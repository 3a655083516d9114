/**
 * Tells the other limiters of a shared slot store which keys (sendings) wait on this one, and learns
 * theirs: at once when a new key waits, every ANNOUNCE_MS while keys wait (however few slots come), and
 * once more, empty, when none does, so the others stop counting this limiter at once. The share it learns
 * (limiter-share.ts) is the local one (one block, turns by the keys' weights) until the first answer, and
 * again after an announcement that failed or was still unanswered ANNOUNCE_TIMEOUT_MS later, when the next
 * one is due. The keys it names and those the others name count as seen waiting, for the newcomers' weights.
 */
import { localShare, shareOf, type LimiterShare } from './limiter-share';
import type { Newcomers } from './newcomers';
import type { Clock } from './rate-limiter';

/** While keys wait, the limiter writes them this often. */
export const ANNOUNCE_MS = 100;
/** An announcement still unanswered after this long is given up. */
export const ANNOUNCE_TIMEOUT_MS = 1000;

export interface WaitingAnnouncer {
  /** A caller for `key` asks for a slot. */
  asked(key: string): void;
  share(): LimiterShare;
}

export function waitingAnnouncer(
  announce: (waiting: readonly string[]) => Promise<readonly (readonly string[])[]>,
  waitingKeys: () => Iterable<string>,
  clock: Clock,
  newcomers: Newcomers,
): WaitingAnnouncer {
  const local = localShare(newcomers.weightOf);
  let share = local;
  // The keys asked for since the last announcement, and those it named.
  const asked = new Set<string>();
  let named = new Set<string>();
  let inFlight = false;
  let sentAt = 0;
  // Answers to an announcement given up, or overtaken, are ignored.
  let current = 0;
  let ticking = false;

  const keysNow = (): string[] => [...new Set([...asked, ...waitingKeys()])];

  const send = (own: string[]): void => {
    if (inFlight && clock.now() - sentAt <= ANNOUNCE_TIMEOUT_MS) return;
    // Still unanswered after the timeout: given up (its answer will be ignored).
    if (inFlight) share = local;
    inFlight = true;
    sentAt = clock.now();
    const mine = ++current;
    named = new Set(own);
    asked.clear();
    const settle = (next: LimiterShare): void => {
      if (mine !== current) return;
      share = next;
      inFlight = false;
    };
    announce(own).then(
      (others) => {
        for (const keys of [own, ...others]) newcomers.saw(keys);
        settle(shareOf(own, others, newcomers.weightOf));
      },
      () => settle(local),
    );
  };

  const tick = async (): Promise<void> => {
    ticking = true;
    for (;;) {
      await clock.sleep(ANNOUNCE_MS);
      const own = keysNow();
      if (own.length === 0) {
        ticking = false;
        if (named.size > 0) send([]);
        return;
      }
      send(own);
    }
  };

  return {
    asked(key) {
      asked.add(key);
      if (!named.has(key)) send(keysNow());
      if (!ticking) void tick();
    },
    share: () => share,
  };
}
