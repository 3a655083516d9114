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
 *
 * A limiter gives its slots to its callers just in time, in turns over the keys (sendings) with callers
 * waiting, so a sending with many lanes or batches in flight does not starve one with few; a sending that
 * also waits on other workers takes fewer turns here (limiter-share.ts), one that started waiting in the
 * last 10 s takes two turns for one of an older one (newcomers.ts).
 * It reserves from the store only while callers wait, a block ahead (more if the store answers slowly).
 * Limiters sharing a store write which sendings wait on them, and each reserves blocks in proportion to
 * its share (limiter-share.ts), so the limit is split between sendings, not workers (docs/decisions.md, "Fair slots").
 */

import { localShare, type LimiterShare } from './limiter-share';
import { NEWCOMER_MS, newcomers as newcomersOn } from './newcomers';
import { waitingAnnouncer, type WaitingAnnouncer } from './waiting-announcer';

export interface RateLimiter {
  /**
   * Resolves when the caller may start one message. `key` names whom it is for (the sending): the
   * keys waiting share the slots, round-robin; callers without a key share one.
   */
  acquire(key?: string): Promise<Permit>;
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
  /**
   * Records the keys waiting on this limiter; answers the keys waiting on each other limiter of the store,
   * as they last wrote them. Absent when the store serves one limiter.
   */
  announce?(waiting: readonly string[]): Promise<readonly (readonly string[])[]>;
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

/**
 * Slots are handed out just in time: when a slot comes due, it goes to the caller whose turn it is,
 * round-robin over the keys that have callers waiting (a sending each), first come first served within
 * a key. So N per second is split between the sendings waiting here, not between their lanes.
 * `perSecond` must be > 0 and finite; `newcomerMs`: how long a sending that starts waiting counts as a newcomer.
 */
export function createSlotLimiter(perSecond: number, store: SlotStore, clock: Clock = realClock, newcomerMs = NEWCOMER_MS): RateLimiter {
  const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / perSecond;
  const maxLateMs = (1000 * JITTER_ALLOWANCE) / 2;
  const blockSize = Math.max(1, Math.ceil(perSecond * BLOCK_SECONDS));
  const offsetOf = offsetTracker();
  // Local times of the reserved slots; those from `next` on are not handed out yet.
  let slots: number[] = [];
  let next = 0;
  let refilling: Promise<Error | undefined> | null = null;
  const waiting: FairQueue<Turn> = fairQueue<Turn>((key) => share().weightOf(key));
  const newcomers = newcomersOn(clock, newcomerMs);
  const announcer: WaitingAnnouncer | null = store.announce
    ? waitingAnnouncer(
        (keys) => store.announce!(keys),
        () => waiting.keys(),
        clock,
        newcomers,
      )
    : null;
  const local = localShare(newcomers.weightOf);
  const share = (): LimiterShare => announcer?.share() ?? local;
  let pumping = false;
  // Whole slots per block: the fraction of the share left over goes into the next block.
  let carry = 0;

  // The slowest recent round trip to the store, fading by a tenth per reservation.
  let roundTripMs = 0;

  const refill = async (): Promise<void> => {
    const exact = blockSize * share().blocks + carry;
    const count = Math.max(1, Math.floor(exact));
    carry = Math.max(-1, Math.min(1, exact - count));
    const sentAt = clock.now();
    const { startMs, nowMs } = await store.reserve(count * intervalMs);
    const arrivedAt = clock.now();
    roundTripMs = Math.max(0.9 * roundTripMs, arrivedAt - sentAt);
    const offset = offsetOf(sentAt, nowMs, arrivedAt);
    slots = slots.slice(next);
    next = 0;
    for (let i = 0; i < count; i++) slots.push(startMs + i * intervalMs + offset);
  };

  const takeSlot = async (): Promise<number> => {
    for (;;) {
      const now = clock.now();
      while (next < slots.length && slots[next] < now - maxLateMs) next++;
      const left = slots.length - next;
      // Less than a block in hand, and what two round trips take: reserve the next block now, so a round trip never leaves a gap.
      if (left < blockSize * share().blocks + (2 * roundTripMs) / intervalMs && !refilling) {
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

  /** Gives each slot, once it has come, to the next caller in turn; runs while callers wait. */
  const pump = async (): Promise<void> => {
    while (waiting.size > 0) {
      let slot: number;
      try {
        slot = await takeSlot();
      } catch (error) {
        waiting.take()!.reject(error as Error);
        continue;
      }
      // A timer may fire a little early by this clock: sleep again until the slot has come.
      for (let wait = slot - clock.now(); wait > 0; wait = slot - clock.now()) await clock.sleep(Math.ceil(wait));
      // Woken too late for it (the event loop stalled): the slot goes unused.
      if (clock.now() - slot <= maxLateMs) waiting.take()!.resolve(slot);
    }
    pumping = false;
  };

  const turn = (key: string, first: boolean): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      waiting.add(key, { resolve, reject }, first);
      if (!pumping) {
        pumping = true;
        void pump();
      }
    });

  const acquire = async (key = ''): Promise<Permit> => {
    newcomers.saw([key]);
    announcer?.asked(key);
    for (let first = false; ; first = true) {
      const slot = await turn(key, first);
      const permit: Permit = { onTime: () => clock.now() - slot <= maxLateMs };
      if (permit.onTime()) return permit;
    }
  };

  return { acquire, close: () => store.close() };
}

interface Turn {
  resolve(slot: number): void;
  reject(error: Error): void;
}

interface FairQueue<T> {
  readonly size: number;
  add(key: string, item: T, first: boolean): void;
  take(): T | undefined;
  /** The keys holding items. */
  keys(): IterableIterator<string>;
}

/**
 * Items by key: `take` serves the keys that hold items in proportion to their weights (stride scheduling;
 * equal weights: round-robin), oldest first within a key.
 */
function fairQueue<T>(weightOf: (key: string) => number): FairQueue<T> {
  // In turn order among equals: a key that gave goes to the end.
  const byKey = new Map<string, T[]>();
  // When each key is served next, in turns; a key that comes back starts no earlier than the last turn served.
  const passes = new Map<string, number>();
  let turn = 0;
  let size = 0;
  return {
    get size() {
      return size;
    },
    add(key, item, first) {
      const items = byKey.get(key);
      if (!items) {
        byKey.set(key, [item]);
        passes.set(key, Math.max(passes.get(key) ?? 0, turn));
      } else if (first) items.unshift(item);
      else items.push(item);
      size++;
    },
    take() {
      let key: string | undefined;
      for (const candidate of byKey.keys()) if (key === undefined || passes.get(candidate)! < passes.get(key)!) key = candidate;
      if (key === undefined) return undefined;
      const items = byKey.get(key)!;
      byKey.delete(key);
      const item = items.shift()!;
      if (items.length > 0) byKey.set(key, items);
      size--;
      turn = passes.get(key)!;
      passes.set(key, turn + 1 / weightOf(key));
      // Keys gone and behind the turn would start at the turn anyway.
      if (passes.size > 2 * byKey.size + 64) for (const [gone, pass] of passes) if (!byKey.has(gone) && pass <= turn) passes.delete(gone);
      return item;
    },
    keys: () => byKey.keys(),
  };
}
