/**
 * Why a batch ends early, at the activity: the provider's configuration cannot make a request, or the
 * provider asks to wait longer than a batch waits. Nobody is marked failed or unknown for it: the rows
 * go back to pending, and the batch says why and until when.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { createProvider } from '../../worker/providers/create-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedBulk } from '../support/seed';

const everyone: AudienceSelection = { projectId: 'cut', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe('a batch that ends early', () => {
  let fresh: FreshDirectory;
  let fake: FakeProvider;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'cut', 10);
    fake = await startFakeProvider();
  });
  afterAll(async () => {
    await fake?.close();
    await fresh?.close();
  });

  async function runBatch(sendingId: string, provider: ReturnType<typeof createProvider>): Promise<SendBatchResult> {
    await fresh.directory.createSending({ id: sendingId, projectId: 'cut', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await fresh.directory.prepareSnapshot(sendingId, everyone);
    const activities = createActivities({
      directory: fresh.directory,
      provider,
      limiter: createRateLimiter(0),
      concurrency: 4,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    });
    return new MockActivityEnvironment().run(activities.sendBatch, {
      sendingId,
      projectId: 'cut',
      afterSeq: 0,
      limit: 10,
      message: 'Hi {{firstName}}',
      senderId: null,
    });
  }

  test('a provider whose configuration cannot build a request: the batch stops as an account problem, every row stays pending', async () => {
    // A header value with a line break: fetch refuses to build the request, before anything is sent.
    const provider = createProvider(
      { kind: 'http', url: fake.httpUrl, headers: { Authorization: 'Bearer a\nb' } },
      { outboxStore: fresh.directory },
    );
    const result = await runBatch('cut-config', provider);
    expect(result.interrupted).toMatchObject({ kind: 'account' });
    expect(result.interrupted && 'reason' in result.interrupted ? result.interrupted.reason : '').toContain('Could not build the request');
    expect(result).toMatchObject({ lastSeq: 0, done: false, counts: { sent: 0, failed: 0, unknown: 0 } });
    expect(await fresh.directory.progress('cut-config')).toMatchObject({ pending: 10, dispatching: 0, failed: 0, unknown: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  test('a Retry-After longer than the batch waits: the batch ends with the time to come back, the rows it held go back to pending', async () => {
    fake.reset();
    fake.failNext(1, 429, { retryAfterSeconds: 30 });
    const provider = createProvider(fakeTwilioConfig(fake), { outboxStore: fresh.directory });
    const before = Date.now();
    const result = await runBatch('cut-wait', provider);
    expect(result.interrupted).toMatchObject({ kind: 'backoff' });
    const until = result.interrupted?.kind === 'backoff' ? result.interrupted.untilMs : 0;
    expect(until).toBeGreaterThanOrEqual(before + 30_000);
    expect(until).toBeLessThan(Date.now() + 31_000);
    const counts = await fresh.directory.progress('cut-wait');
    expect(counts.dispatching + counts.failed + counts.unknown).toBe(0);
    expect(counts.sent).toBe(fake.accepted.length);
    expect(counts.pending).toBe(10 - counts.sent);
  });
});
