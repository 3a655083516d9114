import { createRateLimiter, type Clock } from '../../worker/providers/rate-limiter';

/** The most starts seen in any window [t, t + windowMs). */
function maxInWindow(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let max = 0;
  for (let first = 0, last = 0; first < sorted.length; first++) {
    while (last < sorted.length && sorted[last] < sorted[first] + windowMs) last++;
    max = Math.max(max, last - first);
  }
  return max;
}

/** A clock that only moves when the limiter sleeps. */
function manualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('never lets more than N messages start in any 1-second window (real time, 4 concurrent senders)', async () => {
    const perSecond = 20;
    const limiter = createRateLimiter(perSecond);
    const starts: number[] = [];
    const began = performance.now();
    const sender = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await limiter.acquire();
        starts.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      }
    };
    await Promise.all([sender(12), sender(12), sender(12), sender(9)]);
    const elapsed = performance.now() - began;

    expect(starts).toHaveLength(45);
    expect(maxInWindow(starts, 1000)).toBe(perSecond);
    // 45 starts at 20/s: bursts at 0 s, 1 s and 2 s.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(4000);
  });

  it('serves a full window at once, then waits for the oldest start to leave it', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(3, clock);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 0, 0, 1001, 1001, 1001, 2002]);
  });

  it('spaces starts below one per second', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(0.5, clock);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 2001, 4002]);
  });

  it.each([0, Infinity])('does not limit with %p', async (perSecond) => {
    const clock = manualClock();
    const limiter = createRateLimiter(perSecond, clock);
    await Promise.all(Array.from({ length: 10_000 }, () => limiter.acquire()));
    expect(clock.slept).toEqual([]);
  });

  it.each([-1, NaN])('refuses %p', (perSecond) => {
    expect(() => createRateLimiter(perSecond)).toThrow(RangeError);
  });
});
