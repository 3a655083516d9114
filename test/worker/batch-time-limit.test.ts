/**
 * A batch that meets a slow provider ends at its time limit (SMS_BATCH_TIME_LIMIT_MS) instead of running into
 * its 30-minute time-out: no message starts after the limit, the ones in flight settle, and the next attempt
 * of the same range goes on where it stopped. Every recipient gets one message.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import type { SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 24;
const CALL_MS = 40;
const TIME_LIMIT_MS = 200;
const everyone: AudienceSelection = { projectId: 'slow', audience: 'all', groups: [], duplicatePolicy: 'perContact' };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a batch time limit', () => {
  let fresh: FreshDirectory;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'slow', RECIPIENTS);
  });
  afterAll(() => fresh?.close());

  test('a slow batch stops starting messages at its time limit, and its range goes on in the next attempt', async () => {
    const calls = new Map<number, number>();
    const provider: SmsProvider = {
      name: 'slow',
      idempotent: false,
      send: async (sms) => {
        calls.set(sms.seq!, (calls.get(sms.seq!) ?? 0) + 1);
        await pause(CALL_MS);
        return { status: 'sent', providerMessageId: `m-${sms.seq}` };
      },
    };
    const { directory } = fresh;
    await directory.createSending({ id: 'slow-1', projectId: 'slow', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await directory.prepareSnapshot('slow-1', everyone);
    const activities = createActivities({
      directory,
      provider,
      limiter: createRateLimiter(0),
      concurrency: 1,
      dispatch: { ...DEFAULT_DISPATCH_SETTINGS, batchTimeLimitMs: TIME_LIMIT_MS },
    });
    const request = { sendingId: 'slow-1', projectId: 'slow', afterSeq: 0, limit: RECIPIENTS, message: 'Hi {{firstName}}', senderId: null };

    const started = Date.now();
    const first: SendBatchResult = await new MockActivityEnvironment().run(activities.sendBatch, request);
    const took = Date.now() - started;
    expect(first.interrupted).toEqual({ kind: 'timeLimit' });
    expect(took).toBeLessThan(TIME_LIMIT_MS + 3 * CALL_MS);
    expect(first.calls).toBeGreaterThan(0);
    expect(first.calls).toBeLessThan(RECIPIENTS);
    // What it started, it settled; the rest waits for the next attempt.
    expect(await directory.progress('slow-1')).toMatchObject({ sent: first.calls, dispatching: 0, pending: RECIPIENTS - first.calls! });

    let attempts = 1;
    for (let result: SendBatchResult = first; result.interrupted; attempts++) {
      expect(result.interrupted).toEqual({ kind: 'timeLimit' });
      result = await new MockActivityEnvironment().run(activities.sendBatch, request);
      if (!result.interrupted) expect(result.counts).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS });
    }
    expect(attempts).toBeGreaterThan(2);
    expect(await directory.progress('slow-1')).toMatchObject({ sent: RECIPIENTS, pending: 0, dispatching: 0 });
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(calls.size).toBe(RECIPIENTS);
  });
});
