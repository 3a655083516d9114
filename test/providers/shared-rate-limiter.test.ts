/**
 * The provider-wide limit: several limiters, each with its own connection to one directory (as
 * worker processes have), share N messages per second through the directory's database.
 */
import { openRateLimiter, rateLimitKey } from '../../worker/providers/create-rate-limiter';
import { connectStore, type DirectoryConfig } from '../../worker/directory/open-directory';
import { WAITERS_FRESH_MS, openRateLimitSlots } from '../../worker/directory/rate-limit-slots';
import { createSlotLimiter, realClock, type Clock, type RateLimiter } from '../../worker/providers/rate-limiter';
import { STORES, openFreshPostgresDirectory, openFreshSqliteDirectory, type FreshDirectory, type StoreKind } from '../support/directories';
import { maxInWindow } from '../support/windows';

const PER_SECOND = 100;
const RUN_MS = 2500;

async function openLocation(kind: StoreKind): Promise<{ fresh: FreshDirectory; location: DirectoryConfig }> {
  if (kind === 'sqlite') {
    const fresh = await openFreshSqliteDirectory();
    return { fresh, location: { sqlitePath: fresh.path } };
  }
  const fresh = await openFreshPostgresDirectory();
  return { fresh, location: { url: fresh.url, schema: fresh.schema, sqlitePath: '' } };
}

/** `senders` callers per limiter acquire until the deadline; the start times (this process's clock). */
async function run(limiters: RateLimiter[], senders: number, runMs: number): Promise<number[]> {
  const starts: number[] = [];
  const deadline = performance.now() + runMs;
  const sender = async (limiter: RateLimiter) => {
    while (performance.now() < deadline) {
      await limiter.acquire();
      starts.push(performance.now());
    }
  };
  await Promise.all(limiters.flatMap((limiter) => Array.from({ length: senders }, () => sender(limiter))));
  return starts;
}

/** This host's clock, 3 hours ahead: a worker whose clock is wrong. */
const skewedClock: Clock = { now: () => performance.now() + 3 * 3_600_000, sleep: realClock.sleep };

describe.each(STORES)('provider-wide rate limit on %s', (kind) => {
  let fresh: FreshDirectory;
  let location: DirectoryConfig;
  const limiters: RateLimiter[] = [];

  beforeEach(async () => {
    ({ fresh, location } = await openLocation(kind));
  });

  afterEach(async () => {
    await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
    await fresh.close();
  });

  const open = (key: string, clock: Clock = realClock, newcomerMs?: number): RateLimiter => {
    const limiter = createSlotLimiter(PER_SECOND, openRateLimitSlots(location, key), clock, newcomerMs);
    limiters.push(limiter);
    return limiter;
  };

  it('three limiters (one with a clock 3 hours off) never together exceed N in any 1-second window, and reach close to N', async () => {
    const starts = await run([open('http:shared'), open('http:shared'), open('http:shared', skewedClock)], 4, RUN_MS);
    const busiest = maxInWindow(starts, 1000);
    expect(busiest).toBeLessThanOrEqual(PER_SECOND);
    expect(busiest).toBeGreaterThanOrEqual(0.8 * PER_SECOND);
  });

  /** 4 lanes per [limiter, sending, ms it runs until, ms it starts at]: each start with its sending and ms since the first lane began. */
  async function lanesOf(plan: [RateLimiter, string, number, number?][]): Promise<{ key: string; at: number }[]> {
    const starts: { key: string; at: number }[] = [];
    const start = performance.now();
    const lane = async (limiter: RateLimiter, key: string, untilMs: number, fromMs = 0) => {
      await realClock.sleep(fromMs);
      while (performance.now() < start + untilMs) {
        await limiter.acquire(key);
        starts.push({ key, at: performance.now() - start });
      }
    };
    await Promise.all(
      plan.flatMap(([limiter, key, untilMs, fromMs]) => Array.from({ length: 4 }, () => lane(limiter, key, untilMs, fromMs))),
    );
    return starts;
  }

  /** The small sending's part of the starts after `fromMs` (and up to `toMs`). */
  const smallPart = (starts: { key: string; at: number }[], fromMs: number, toMs = Infinity) => {
    const late = starts.filter((s) => s.at > fromMs && s.at <= toMs);
    return { count: late.length, small: late.filter((s) => s.key === 'small').length / late.length };
  };

  it('splits the limit between sendings, not workers: a sending on one worker beside a sending spread over two gets half', async () => {
    // Worker A runs lanes of a small sending and of a big one; worker B runs more lanes of the big one.
    const [a, b] = [open('http:fair'), open('http:fair')];
    const starts = await lanesOf([
      [a, 'small', RUN_MS],
      [a, 'big', RUN_MS],
      [b, 'big', RUN_MS],
    ]);
    expect(
      maxInWindow(
        starts.map((start) => start.at),
        1000,
      ),
    ).toBeLessThanOrEqual(PER_SECOND);
    // Once the workers have seen each other's sendings (they write them every 100 ms): about 1/2 each
    // (by worker and then by sending, the small one got 1/4).
    const { small } = smallPart(starts, 500);
    expect(small).toBeGreaterThan(0.4);
    expect(small).toBeLessThan(0.6);
  });

  it('gives a sending that starts beside one spread over two workers 2/3 of the limit while it is a newcomer, then half', async () => {
    // Newcomers for 1.5 s here (10 s in production): the big sending has waited 2 s when the small one comes.
    const [a, b] = [open('http:newcomer', realClock, 1500), open('http:newcomer', realClock, 1500)];
    const starts = await lanesOf([
      [a, 'big', 5000],
      [b, 'big', 5000],
      [a, 'small', 5000, 2000],
    ]);
    // The second worker learns of the small sending from its list (≤ 100 ms): 2/3 soon after it starts.
    const newcomer = smallPart(starts, 2200, 3400);
    expect(newcomer.small).toBeGreaterThan(0.56);
    expect(newcomer.small).toBeLessThan(0.75);
    const settled = smallPart(starts, 3800);
    expect(settled.small).toBeGreaterThan(0.4);
    expect(settled.small).toBeLessThan(0.6);
  });

  it('stops counting a worker that no longer waits (stopped or killed, not closed) half a second after its last write', async () => {
    const [a, b] = [open('http:gone'), open('http:gone')];
    // Worker B runs the big sending's lanes for 1 s, then none (and is never closed: its row stays).
    const starts = await lanesOf([
      [a, 'small', 2700],
      [a, 'big', 2700],
      [b, 'big', 1000],
    ]);
    // Once B's row is stale, worker A has both sendings to itself: even turns (with B counted, the small one took 2 of 3).
    const { count, small } = smallPart(starts, 1700);
    expect(count).toBeGreaterThan(50);
    expect(small).toBeGreaterThan(0.4);
    expect(small).toBeLessThan(0.6);
  });

  it('keeps its waiting sendings current while its callers wait, even at 1 message a second, and clears them when none waits', async () => {
    const limiter = createSlotLimiter(1, openRateLimitSlots(location, 'http:slow'));
    limiters.push(limiter);
    const db = connectStore(location);
    const clock = db.dialect === 'sqlite' ? "unixepoch('subsec') * 1000.0" : 'extract(epoch FROM clock_timestamp()) * 1000';
    const row = () =>
      db.get<{ waiting: string; age: number }>(`SELECT waiting, ${clock} - seen_at AS age FROM rate_limit_waiters WHERE key = ?`, [
        'http:slow',
      ]);
    try {
      const deadline = performance.now() + 2500;
      const callers = [1, 2].map(async () => {
        while (performance.now() < deadline) await limiter.acquire('slow');
      });
      const seen: { waiting: string; age: number }[] = [];
      await new Promise((resolve) => setTimeout(resolve, 300));
      while (performance.now() < deadline - 200) {
        const current = await row();
        seen.push({ waiting: current?.waiting ?? 'none', age: Math.round(Number(current?.age ?? Infinity)) });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Written at least every 100 ms while the callers wait for their slot, not only when a slot comes (every second).
      expect(seen.filter((s) => s.waiting !== '["slow"]' || s.age > WAITERS_FRESH_MS)).toEqual([]);
      await Promise.all(callers);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await row())?.waiting).toBe('[]');
    } finally {
      await db.close();
    }
  });

  it('another provider key has its own limit', async () => {
    const [a, b] = [open('twilio:AC1'), open('twilio:AC2')];
    const startsA: number[] = [];
    const startsB: number[] = [];
    const deadline = performance.now() + 1500;
    const sender = async (limiter: RateLimiter, starts: number[]) => {
      while (performance.now() < deadline) {
        await limiter.acquire();
        starts.push(performance.now());
      }
    };
    await Promise.all([a, a, a, a, b, b, b, b].map((limiter) => sender(limiter, limiter === a ? startsA : startsB)));
    expect(maxInWindow(startsA, 1000)).toBeLessThanOrEqual(PER_SECOND);
    expect(maxInWindow(startsB, 1000)).toBeLessThanOrEqual(PER_SECOND);
    // Together past N: neither waited for the other.
    expect(maxInWindow([...startsA, ...startsB], 1000)).toBeGreaterThan(PER_SECOND);
  });

  it('the worker settings pick the shared limiter, or one per process', async () => {
    const provider = { kind: 'http' as const, url: 'http://127.0.0.1:9/messages' };
    const shared = [1, 2].map(() => openRateLimiter({ perSecond: PER_SECOND, scope: 'directory' }, location, provider));
    const own = [1, 2].map(() => openRateLimiter({ perSecond: PER_SECOND, scope: 'worker' }, location, provider));
    limiters.push(...shared, ...own);
    expect(maxInWindow(await run(shared, 4, 1200), 1000)).toBeLessThanOrEqual(PER_SECOND);
    // Each process's own limit: together they go past N.
    expect(maxInWindow(await run(own, 4, 1200), 1000)).toBeGreaterThan(PER_SECOND);
  });
});

describe('rateLimitKey', () => {
  it('names the provider account, never its credentials or query', () => {
    expect(rateLimitKey({ kind: 'outbox' })).toBe('outbox');
    expect(rateLimitKey({ kind: 'twilio', accountSid: 'AC123', authToken: 'secret', from: '+15145550000' })).toBe('twilio:AC123');
    expect(rateLimitKey({ kind: 'http', url: 'https://user:pass@sms.example.com/v1/messages?token=abc' })).toBe(
      'http:https://sms.example.com/v1/messages',
    );
  });
});
