/**
 * Limits how many messages START per second: never more than N starts in any 1-second window
 * (a sliding window over the last N start times). Below 1/s, starts are spaced by 1000/rate ms.
 * Callers may acquire concurrently; they are served in call order.
 */

export interface RateLimiter {
  /** Resolves when the caller may start one message. */
  acquire(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** `perSecond` 0 or Infinity: unlimited. Fractional rates above 1 are rounded down. */
export function createRateLimiter(perSecond: number, clock: Clock = realClock): RateLimiter {
  if (Number.isNaN(perSecond) || perSecond < 0) {
    throw new RangeError(`The rate limit must be a number of messages per second ≥ 0 (0 = unlimited), got ${perSecond}.`);
  }
  if (perSecond === 0 || perSecond === Infinity) return { acquire: () => Promise.resolve() };

  const capacity = perSecond >= 1 ? Math.floor(perSecond) : 1;
  // +1 ms: a caller observes its start a little after the slot is taken, and must still see the limit kept.
  const windowMs = (perSecond >= 1 ? 1000 : 1000 / perSecond) + 1;
  // Ring buffer of the last `capacity` start times; -Infinity = free slot.
  const starts = new Array<number>(capacity).fill(-Infinity);
  let oldest = 0;
  let queue: Promise<void> = Promise.resolve();

  const takeSlot = async (): Promise<void> => {
    for (;;) {
      const wait = starts[oldest] + windowMs - clock.now();
      if (wait <= 0) break;
      await clock.sleep(Math.ceil(wait));
    }
    starts[oldest] = clock.now();
    oldest = (oldest + 1) % capacity;
  };

  return {
    acquire(): Promise<void> {
      const turn = queue.then(takeSlot);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
