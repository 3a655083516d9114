import type { Clock } from '../../worker/providers/rate-limiter';

/** A clock that only moves when the limiter sleeps or the test says; `stallNext` makes the next sleep overshoot (a busy event loop). */
export function manualClock(): Clock & { slept: number[]; stallNext(ms: number): void; advance(ms: number): void } {
  let now = 0;
  let stall = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms + stall;
      stall = 0;
    },
    stallNext: (ms) => {
      stall = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
