/**
 * How many messages a batch has at the provider and in doubt at once: `SMS_CONCURRENCY` calls at most,
 * and while outcomes are being written the next messages are already called (a slow directory write
 * does not stop the provider calls). A worker that dies leaves at most 2 × `SMS_CONCURRENCY` rows of
 * a batch `dispatching` (docs/architecture.md, "In doubt").
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import type { Directory } from '../../worker/directory/directory';
import type { SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 60;
const CONCURRENCY = 4;
const everyone: AudienceSelection = { projectId: 'gate', audience: 'all', groups: [], duplicatePolicy: 'perContact' };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('messages of a batch in flight', () => {
  let fresh: FreshDirectory;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'gate', RECIPIENTS);
  });
  afterAll(() => fresh?.close());

  test(`at most SMS_CONCURRENCY calls at once, calls go on while outcomes are written, at most twice that many rows in doubt`, async () => {
    let calls = 0;
    let maxCalls = 0;
    let settling = 0;
    let callsStartedWhileSettling = 0;
    let dispatching = 0;
    let maxDispatching = 0;
    const provider: SmsProvider = {
      name: 'counting',
      idempotent: false,
      send: async (sms) => {
        calls += 1;
        maxCalls = Math.max(maxCalls, calls);
        if (settling > 0) callsStartedWhileSettling += 1;
        await pause(5);
        calls -= 1;
        return { status: 'sent', providerMessageId: `m-${sms.seq}` };
      },
    };
    // The outcome writes are slow: 40 ms each, eight times a provider call.
    const directory: Directory = Object.create(fresh.directory, {
      claimDispatch: {
        value: async (...args: Parameters<Directory['claimDispatch']>) => {
          const outcome = await fresh.directory.claimDispatch(...args);
          if (outcome === 'claimed') maxDispatching = Math.max(maxDispatching, ++dispatching);
          return outcome;
        },
      },
      settleClaim: {
        value: async (...args: Parameters<Directory['settleClaim']>) => {
          settling += 1;
          await pause(40);
          const written = await fresh.directory.settleClaim(...args);
          settling -= 1;
          dispatching -= 1;
          return written;
        },
      },
    });
    await directory.createSending({ id: 'gate-1', projectId: 'gate', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await directory.prepareSnapshot('gate-1', everyone);
    const activities = createActivities({
      directory,
      provider,
      limiter: createRateLimiter(0),
      concurrency: CONCURRENCY,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    });
    const result: SendBatchResult = await new MockActivityEnvironment().run(activities.sendBatch, {
      sendingId: 'gate-1',
      projectId: 'gate',
      afterSeq: 0,
      limit: RECIPIENTS,
      message: 'Hi {{firstName}}',
      senderId: null,
    });

    expect(result.counts).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS });
    expect(await fresh.directory.progress('gate-1')).toMatchObject({ sent: RECIPIENTS, dispatching: 0 });
    expect(maxCalls).toBe(CONCURRENCY);
    expect(callsStartedWhileSettling).toBeGreaterThan(RECIPIENTS / 2);
    expect(maxDispatching).toBeLessThanOrEqual(2 * CONCURRENCY);
    expect(maxDispatching).toBeGreaterThan(CONCURRENCY);
  });
});
