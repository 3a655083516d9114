/**
 * Limits how many messages START per second, never more than N in any 1-second window, with the
 * starts spaced evenly (GCRA). A slot store hands out slots: each reservation moves the "theoretical
 * arrival time" (TAT) of the next free slot forward by `count × interval`. The store is this process
 * (`createRateLimiter`) or the directory's database, shared by every worker (`worker/directory/rate-limit-slots.ts`).
 *
 * The interval is 1000·(1 + JITTER_ALLOWANCE)/N ms, so N consecutive slots span 1025 ms: messages
 * may start up to 25 ms after their slots and still no 1-second window holds more than N. Half of
 * that is for the caller: a permit is on time until 12.5 ms after its slot, and a caller woken later
 * (the event loop stalled), or whose own work before the start took longer, takes another slot, so
 * the starts never put more than N in a second. The other half is for the store's clock, which each
 * limiter maps onto its own from its fastest round trip (NTP's rule: off by at most half of it), and
 * for the way to the provider: what the provider sees holds at most N while that way varies by less.
 */

export interface RateLimiter {
  /** Resolves when the caller may start one message. */
  acquire(): Promise<Permit>;
  /** Releases the limiter's connection, if it has one. */
  close(): Promise<void>;
}

export interface Permit {
  /** Whether the message may still start now; once false, the caller acquires another permit. */
  onTime(): boolean;
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** A block of consecutive slots, on the store's clock: the first at `startMs`, read when the store's time was `nowMs`. */
export interface SlotReservation {
  startMs: number;
  nowMs: number;
}

export interface SlotStore {
  /** Reserves the next `spanMs` of slot time for this limiter's key. */
  reserve(spanMs: number): Promise<SlotReservation>;
  close(): Promise<void>;
}

/** Fraction of a second of lateness a slot may absorb (see above). */
export const JITTER_ALLOWANCE = 0.025;
/** A reservation takes this many seconds' worth of slots (at least one): few round trips, little waste. */
export const BLOCK_SECONDS = 0.02;

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const ALWAYS_ON_TIME: Permit = { onTime: () => true };

export const UNLIMITED: RateLimiter = { acquire: () => Promise.resolve(ALWAYS_ON_TIME), close: () => Promise.resolve() };

/** `perSecond` 0 or Infinity: unlimited. */
export function isUnlimited(perSecond: number): boolean {
  if (Number.isNaN(perSecond) || perSecond < 0) {
    throw new RangeError(`The rate limit must be a number of messages per second ≥ 0 (0 = unlimited), got ${perSecond}.`);
  }
  return perSecond === 0 || perSecond === Infinity;
}

/** The limit for this process alone. */
export function createRateLimiter(perSecond: number, clock: Clock = realClock): RateLimiter {
  if (isUnlimited(perSecond)) return UNLIMITED;
  return createSlotLimiter(perSecond, memorySlotStore(clock), clock);
}

export function memorySlotStore(clock: Clock): SlotStore {
  let tat = -Infinity;
  return {
    async reserve(spanMs) {
      const nowMs = clock.now();
      const startMs = Math.max(tat, nowMs);
      tat = startMs + spanMs;
      return { startMs, nowMs };
    },
    close: () => Promise.resolve(),
  };
}

/** Clocks drift apart by less than this (ms per ms), so an old offset measurement widens by it. */
const DRIFT = 5e-4;

/** The store's clock on this one: `value` = local − store, known to ± `halfWidth` at local time `at`. */
interface ClockOffset {
  value: number;
  halfWidth: number;
  at: number;
}

/**
 * Keeps the narrowest offset measured, widened by drift as it ages; a measurement that does not
 * overlap it means a clock was set (stepped), and replaces it.
 */
function offsetTracker(): (sentAt: number, storeNow: number, arrivedAt: number) => number {
  let best: ClockOffset | null = null;
  return (sentAt, storeNow, arrivedAt) => {
    const measured = { value: (sentAt + arrivedAt) / 2 - storeNow, halfWidth: (arrivedAt - sentAt) / 2, at: arrivedAt };
    const aged = best ? best.halfWidth + (arrivedAt - best.at) * DRIFT : Infinity;
    const overlaps = best !== null && Math.abs(measured.value - best.value) <= aged + measured.halfWidth;
    if (!overlaps || measured.halfWidth <= aged) best = measured;
    return best!.value;
  };
}

/** Callers are given slots in call order; `perSecond` must be > 0 and finite. */
export function createSlotLimiter(perSecond: number, store: SlotStore, clock: Clock = realClock): RateLimiter {
  const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / perSecond;
  const maxLateMs = (1000 * JITTER_ALLOWANCE) / 2;
  const blockSize = Math.max(1, Math.ceil(perSecond * BLOCK_SECONDS));
  const offsetOf = offsetTracker();
  // Local times of the reserved slots; those from `next` on are not handed out yet.
  let slots: number[] = [];
  let next = 0;
  let refilling: Promise<Error | undefined> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const refill = async (): Promise<void> => {
    const sentAt = clock.now();
    const { startMs, nowMs } = await store.reserve(blockSize * intervalMs);
    const offset = offsetOf(sentAt, nowMs, clock.now());
    slots = slots.slice(next);
    next = 0;
    for (let i = 0; i < blockSize; i++) slots.push(startMs + i * intervalMs + offset);
  };

  const takeSlot = async (): Promise<number> => {
    for (;;) {
      const now = clock.now();
      while (next < slots.length && slots[next] < now - maxLateMs) next++;
      const left = slots.length - next;
      // Less than a block in hand: reserve the next one now, so a round trip never leaves a gap.
      if (left < blockSize && !refilling) {
        refilling = refill().then(
          () => undefined,
          (error: Error) => error,
        );
        void refilling.then(() => {
          refilling = null;
        });
      }
      if (left > 0) return slots[next++];
      const error = await refilling;
      if (error) throw error;
    }
  };

  const acquire = async (): Promise<Permit> => {
    for (;;) {
      const turn = queue.then(takeSlot);
      queue = turn.catch(() => undefined);
      const slot = await turn;
      // A timer may fire a little early by this clock: sleep again until the slot has come.
      for (let wait = slot - clock.now(); wait > 0; wait = slot - clock.now()) await clock.sleep(Math.ceil(wait));
      const permit: Permit = { onTime: () => clock.now() - slot <= maxLateMs };
      if (permit.onTime()) return permit;
    }
  };

  return { acquire, close: () => store.close() };
}
