/**
 * Two sendings through one worker's rate limit: a small sending started while a big one has two batches
 * in flight (32 lanes waiting for slots) gets every other slot, not one after each of the big one's lanes.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import type { OutgoingSms, SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const BIG = 80;
const SMALL = 4;
const selection = (projectId: string): AudienceSelection => ({ projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' });

describe('the rate limit shared by the sendings of one worker', () => {
  let fresh: FreshDirectory;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'fair-big', BIG);
    await seedBulk(fresh.directory, 'fair-small', SMALL);
    for (const id of ['fair-big', 'fair-small']) {
      await fresh.directory.createSending({ id, projectId: id, selection: selection(id), createdBy: 'ops', createdAt: Date.now() });
      await fresh.directory.prepareSnapshot(id, selection(id));
    }
  });
  afterAll(() => fresh?.close());

  it('gives a small sending started beside a big one with two batches in flight its messages within twice its own count of calls', async () => {
    const calls: string[] = [];
    let bigBusy: () => void = () => undefined;
    const bigLanesWaiting = new Promise<void>((resolve) => (bigBusy = resolve));
    const provider: SmsProvider = {
      name: 'recording',
      idempotent: true,
      send: async (sms: OutgoingSms) => {
        calls.push(sms.sendingId);
        if (calls.length === 6) bigBusy();
        return { status: 'sent', providerMessageId: `${sms.sendingId}-${sms.seq}` };
      },
    };
    const activities = createActivities({
      directory: fresh.directory,
      provider,
      limiter: createRateLimiter(40),
      concurrency: 8,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    });
    const batch = (sendingId: string, afterSeq: number, limit: number, activityId: string): Promise<SendBatchResult> =>
      new MockActivityEnvironment({ activityId }).run(activities.sendBatch, {
        sendingId,
        projectId: sendingId,
        afterSeq,
        limit,
        message: 'Hi {{firstName}}',
        senderId: null,
      });

    const big = [batch('fair-big', 0, BIG / 2, 'big-1'), batch('fair-big', BIG / 2, BIG / 2, 'big-2')];
    await bigLanesWaiting;
    const smallFrom = calls.length;
    const small = await batch('fair-small', 0, SMALL, 'small-1');
    await Promise.all(big);

    expect(small.counts).toMatchObject({ total: SMALL, sent: SMALL });
    expect(calls.filter((id) => id === 'fair-big')).toHaveLength(BIG);
    const smallLast = calls.lastIndexOf('fair-small');
    // Turn about with the big sending: its SMALL messages within 2 × SMALL calls (and 2 for its lanes to come).
    expect(smallLast - smallFrom).toBeLessThan(2 * SMALL + 2);
  }, 30_000);
});
