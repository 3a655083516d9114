import {
  JITTER_ALLOWANCE,
  createRateLimiter,
  createSlotLimiter,
  memorySlotStore,
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
