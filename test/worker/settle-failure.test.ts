/**
 * The provider took a message and writing its outcome failed (the directory dropped the statement): the row
 * must not go back to `pending`, or the batch's next attempt sends the message again. With a provider that
 * cannot deduplicate (Twilio) the number gets one message and the row ends `unknown` once its lease runs out.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS, LEASE_MARGIN_MS } from '../../worker/activities/dispatch-settings';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { STORES, openFreshDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 3;
const PROVIDER_TIMEOUT_MS = 500;
const everyone: AudienceSelection = { projectId: 'settle', audience: 'all', groups: [], duplicatePolicy: 'perContact' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORES)('a settle that fails after the provider took the message (%s)', (store) => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    directory = fresh.directory;
    await seedBulk(directory, 'settle', RECIPIENTS);
    fake = await startFakeProvider();
  });
  afterAll(async () => {
    await fake?.close();
    await fresh?.close();
  });

  test('the row stays dispatching, the next attempt does not send it again, and it ends unknown (Twilio)', async () => {
    const sendingId = `settle-${store}`;
    await directory.createSending({ id: sendingId, projectId: 'settle', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await directory.prepareSnapshot(sendingId, everyone);
    let failures = 1;
    const flaky: Directory = Object.create(directory, {
      settleClaim: {
        value: async (...args: Parameters<Directory['settleClaim']>) => {
          if (args[1] === 1 && failures-- > 0) throw new Error('Connection terminated unexpectedly');
          return directory.settleClaim(...args);
        },
      },
    });
    const provider = createProvider(fakeTwilioConfig(fake), { outboxStore: directory });
    const dispatch = { ...DEFAULT_DISPATCH_SETTINGS, providerTimeoutMs: PROVIDER_TIMEOUT_MS };
    const activities = createActivities({ directory: flaky, provider, limiter: createRateLimiter(0), concurrency: 1, dispatch });
    const request = { sendingId, projectId: 'settle', afterSeq: 0, limit: RECIPIENTS, message: 'Hi', senderId: null };
    const attempt = (n: number) => new MockActivityEnvironment({ attempt: n, activityId: 'batch-1' }).run(activities.sendBatch, request);

    await expect(attempt(1)).rejects.toThrow('Connection terminated unexpectedly');
    expect((await directory.readSnapshot(sendingId, 0, 1))[0].state).toBe('dispatching');
    // The next attempt once the lease of the first has run out.
    await sleep(PROVIDER_TIMEOUT_MS + LEASE_MARGIN_MS + 200);
    await attempt(2);

    const counts = Object.values(fake.countsByNumber());
    expect(counts).toHaveLength(RECIPIENTS);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    expect(await directory.progress(sendingId)).toMatchObject({ sent: RECIPIENTS - 1, unknown: 1, pending: 0, dispatching: 0 });
  }, 60_000);
});
