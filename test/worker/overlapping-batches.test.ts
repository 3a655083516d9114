/**
 * Two attempts of one sendBatch running at the same time on the same rows — what Temporal does when it
 * starts attempt 2 while attempt 1 still works (a heartbeat that did not arrive) — against a real
 * directory and a provider endpoint: no number gets the message twice, the directory agrees with the
 * provider's ledger, and each attempt reports the provider calls it made (none for rows already decided).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AudienceSelection } from '../../domain/types';
import { createActivities, type SendBatchResult } from '../../worker/activities';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { STORES, openFreshDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { seedBulk } from '../support/seed';

const RECIPIENTS = 40;
const everyone: AudienceSelection = { projectId: 'overlap', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe.each(STORES)('two attempts of one batch at the same time (%s)', (store) => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    directory = fresh.directory;
    await seedBulk(directory, 'overlap', RECIPIENTS);
    fake = await startFakeProvider();
  });
  afterAll(async () => {
    await fake?.close();
    await fresh?.close();
  });

  async function preparedSending(id: string): Promise<void> {
    await directory.createSending({ id, projectId: 'overlap', selection: everyone, createdBy: 'ops', createdAt: Date.now() });
    await directory.prepareSnapshot(id, everyone);
  }

  test.each(['twilio', 'http'] as const)(
    '%s provider: each number gets the message once, both attempts report every recipient sent',
    async (kind) => {
      fake.reset();
      // Slow answers keep both attempts in flight together; a few 429s send lanes into their waits between attempts.
      fake.setDelay(150);
      fake.failNext(6, 429, { retryAfterSeconds: 1 });
      const sendingId = `overlap-${kind}`;
      await preparedSending(sendingId);
      const provider = createProvider(kind === 'twilio' ? fakeTwilioConfig(fake) : { kind: 'http', url: fake.httpUrl }, {
        outboxStore: directory,
      });
      const deps = { directory, provider, limiter: createRateLimiter(0), concurrency: 8, dispatch: DEFAULT_DISPATCH_SETTINGS };
      const activities = createActivities(deps);
      const request = { sendingId, projectId: 'overlap', afterSeq: 0, limit: RECIPIENTS, message: 'Hi {{firstName}}', senderId: null };

      const attempt = (n: number) => new MockActivityEnvironment({ attempt: n, activityId: 'batch-1' }).run(activities.sendBatch, request);
      const [first, second] = await Promise.all([attempt(1), attempt(2)]);

      const perNumber = new Map<string, number>();
      for (const m of fake.accepted) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
      expect([...perNumber.values()].filter((n) => n > 1)).toEqual([]);
      expect(perNumber.size).toBe(RECIPIENTS);
      expect(await directory.progress(sendingId)).toMatchObject({ sent: RECIPIENTS, pending: 0, dispatching: 0, unknown: 0 });
      for (const result of [first, second]) {
        expect(result).toMatchObject({
          lastSeq: RECIPIENTS,
          done: false,
          counts: { total: RECIPIENTS, sent: RECIPIENTS, failed: 0, unknown: 0 },
        });
      }
      // The calls each attempt reports (the next batch is sized by their rate) are the requests the provider got.
      expect((first as SendBatchResult).calls! + (second as SendBatchResult).calls!).toBe(fake.requests.length);
      // A third attempt finds every row decided: it reports them sent and makes no call.
      const third = await attempt(3);
      expect(third).toMatchObject({ counts: { sent: RECIPIENTS }, calls: 0 });
    },
    60_000,
  );
});
