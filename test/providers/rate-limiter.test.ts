import {
  JITTER_ALLOWANCE,
  createRateLimiter,
  createSlotLimiter,
  memorySlotStore,
  realClock,
  type Clock,
  type RateLimiter,
  type SlotStore,
} from '../../worker/providers/rate-limiter';
import { manualClock } from '../support/manual-clock';
import { maxInWindow } from '../support/windows';

async function startsOf(limiter: RateLimiter, clock: Clock, count: number): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.acquire();
    starts.push(clock.now());
  }
  return starts;
}

describe('createRateLimiter (this process)', () => {
  it('never lets more than N messages start in any 1-second window (real time, 4 concurrent senders)', async () => {
    const perSecond = 20;
    const limiter = createRateLimiter(perSecond);
    const starts: number[] = [];
    const sender = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await limiter.acquire();
        starts.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      }
    };
    await Promise.all([sender(12), sender(12), sender(12), sender(9)]);
    expect(starts).toHaveLength(45);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(perSecond);
  });

  it('spaces starts evenly, N per 1.025 s: the margin absorbs a start a little late', async () => {
    const clock = manualClock();
    const starts = await startsOf(createRateLimiter(4, clock), clock, 9);
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / 4;
    starts.forEach((start, i) => expect(start).toBeGreaterThanOrEqual(i * intervalMs));
    starts.forEach((start, i) => expect(start).toBeLessThan(i * intervalMs + 1));
    expect(maxInWindow(starts, 1000)).toBe(4);
    expect(maxInWindow(starts, 1000 * (1 + JITTER_ALLOWANCE) - 1)).toBe(4);
  });

  it('does not use a slot it woke up too late for (a stalled event loop), so no window gets more than N', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(10, clock);
    const starts = await startsOf(limiter, clock, 3);
    clock.stallNext(300);
    starts.push(...(await startsOf(limiter, clock, 20)));
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(10);
    // No burst after the stall: the slots it overslept are not caught up.
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / 10;
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(intervalMs - 1);
  });

  it('keeps a permit on time for half the margin (12.5 ms) after its slot; a caller whose work took longer takes another slot', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(10, clock);
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / 10;
    const first = await limiter.acquire();
    clock.advance(12);
    expect(first.onTime()).toBe(true);
    clock.advance(1);
    expect(first.onTime()).toBe(false);
    const second = await limiter.acquire();
    expect(second.onTime()).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(intervalMs);
  });

  it("maps a shared store's clock from its fastest round trip, so slow answers do not bunch the starts", async () => {
    const clock = manualClock();
    const memory = memorySlotStore(clock);
    // The store's clock is 5 s ahead; every other answer takes 30 ms on its way back, the others 1 ms.
    let answers = 0;
    const store: SlotStore = {
      async reserve(span) {
        const { startMs, nowMs } = await memory.reserve(span);
        clock.advance(answers++ % 2 === 0 ? 1 : 30);
        return { startMs: startMs + 5000, nowMs: nowMs + 5000 };
      },
      close: () => memory.close(),
    };
    const starts = await startsOf(createSlotLimiter(20, store, clock), clock, 40);
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / 20;
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(intervalMs - 1);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(20);
  });

  it('spaces starts below one per second', async () => {
    const clock = manualClock();
    const starts = await startsOf(createRateLimiter(0.5, clock), clock, 3);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(2000);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(2000);
  });

  it('reserves 20 ms of slots per round trip to its store, one block ahead', async () => {
    const clock = manualClock();
    const store = memorySlotStore(clock);
    let reservations = 0;
    const counting: SlotStore = { reserve: (span) => (reservations++, store.reserve(span)), close: () => store.close() };
    await startsOf(createSlotLimiter(1000, counting, clock), clock, 200);
    expect(reservations).toBe(11);
  });

  it('hands a sending that starts waiting behind a busy one a slot every other turn, not after all its callers', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(10, clock);
    const order: string[] = [];
    const waitFor = (key: string) => limiter.acquire(key).then(() => order.push(key));
    const big = Array.from({ length: 12 }, () => waitFor('big'));
    // The big sending's first two callers have started; the other ten still wait when the small one comes.
    await Promise.race(big);
    await Promise.race(big.slice(1));
    expect(order).toEqual(['big', 'big']);
    const small = [waitFor('small'), waitFor('small')];
    await Promise.all([...big, ...small]);
    const smallTurns = order.flatMap((key, i) => (key === 'small' ? [i - 2] : []));
    expect(smallTurns).toHaveLength(2);
    expect(Math.max(...smallTurns)).toBeLessThan(4);
  });

  it('splits the slots between the sendings waiting, not between their callers', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(20, clock);
    const starts: Record<string, number[]> = { big: [], small: [] };
    const caller = async (key: 'big' | 'small', count: number) => {
      for (let i = 0; i < count; i++) {
        await limiter.acquire(key);
        starts[key].push(clock.now());
      }
    };
    // Eight callers of one sending, one of the other: each sending gets half while both wait.
    await Promise.all([...Array.from({ length: 8 }, () => caller('big', 10)), caller('small', 20)]);
    const bothWaiting = starts.small[starts.small.length - 1];
    const bigMeanwhile = starts.big.filter((start) => start <= bothWaiting).length;
    expect(Math.abs(bigMeanwhile - starts.small.length)).toBeLessThanOrEqual(1);
  });

  it('gives a sending that starts waiting beside one waiting for over 10 s two turns for its one, for its first 10 s', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(20, clock);
    const starts: { key: string; at: number }[] = [];
    let join!: () => void;
    const joined = new Promise<void>((resolve) => (join = resolve));
    const caller = async (key: string) => {
      while (clock.now() < 30_000) {
        await limiter.acquire(key);
        starts.push({ key, at: clock.now() });
        if (clock.now() >= 12_000) join();
      }
    };
    const small = async () => {
      await joined;
      await Promise.all([caller('small'), caller('small')]);
    };
    await Promise.all([...Array.from({ length: 4 }, () => caller('big')), small()]);
    const smallPart = (fromMs: number, toMs: number) => {
      const inWindow = starts.filter((start) => start.at > fromMs && start.at <= toMs);
      return inWindow.filter((start) => start.key === 'small').length / inWindow.length;
    };
    expect(smallPart(12_500, 21_500)).toBeCloseTo(2 / 3, 1);
    expect(smallPart(23_000, 30_000)).toBeCloseTo(1 / 2, 1);
  });

  it('never lets more than N start in any 1-second window with several sendings, callers coming and going and stalls', async () => {
    const clock = manualClock();
    const perSecond = 10;
    const limiter = createRateLimiter(perSecond, clock);
    const starts: number[] = [];
    let calls = 0;
    const caller = async (key: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const permit = await limiter.acquire(key);
        if (++calls % 7 === 0) clock.stallNext(40);
        if (calls % 5 === 0) clock.advance(13);
        if (!permit.onTime()) continue;
        starts.push(clock.now());
      }
    };
    await Promise.all([caller('a', 30), caller('a', 30), caller('a', 30), caller('b', 25), caller('c', 5), caller('c', 40)]);
    expect(starts.length).toBeGreaterThan(100);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(perSecond);
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / perSecond;
    const sorted = [...starts].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(intervalMs - 1 - 12.5);
  });

  describe('when the store cannot tell which sendings wait on the other workers', () => {
    const INTERVAL_MS = 1 + JITTER_ALLOWANCE;
    /** A store shared with one other worker on which sending `a` also waits, until `answer` says otherwise. */
    const sharedStore = (answer: () => Promise<string[][]>) => {
      const memory = memorySlotStore(realClock);
      const spans: number[] = [];
      const store: SlotStore = {
        reserve: (spanMs) => {
          spans.push(spanMs);
          return memory.reserve(spanMs);
        },
        announce: answer,
        close: () => Promise.resolve(),
      };
      return { spans, limiter: createSlotLimiter(1000, store, realClock) };
    };
    const busy = async (limiter: RateLimiter, ms: number) => {
      const end = performance.now() + ms;
      await Promise.all(
        [1, 2, 3, 4].map(async () => {
          while (performance.now() < end) await limiter.acquire('a');
        }),
      );
    };

    it.each([
      ['fails', () => Promise.reject(new Error('the directory is down'))],
      ['does not answer within a second', () => new Promise<string[][]>(() => undefined)],
    ])('goes back to an equal block once its announcement %s', async (_, trouble) => {
      let answer: () => Promise<string[][]> = () => Promise.resolve([['a', 'b']]);
      const { spans, limiter } = sharedStore(() => answer());
      await busy(limiter, 300);
      // `a` waits on both workers, `b` on the other alone: this worker deserves half a block (10 of 20 slots).
      expect(spans.at(-1)).toBeCloseTo(10 * INTERVAL_MS);
      answer = trouble;
      await busy(limiter, 1400);
      expect(spans.at(-1)).toBeCloseTo(20 * INTERVAL_MS);
    });
  });

  it('passes an error of its store to the caller whose turn it was, and the others still get slots', async () => {
    const clock = manualClock();
    const memory = memorySlotStore(clock);
    let failures = 1;
    const store: SlotStore = {
      reserve: (span) => (failures-- > 0 ? Promise.reject(new Error('directory down')) : memory.reserve(span)),
      close: () => memory.close(),
    };
    const limiter = createSlotLimiter(10, store, clock);
    const results = await Promise.allSettled([limiter.acquire('a'), limiter.acquire('b'), limiter.acquire('a')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('directory down'));
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
