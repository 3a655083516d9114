/**
 * A provider call in flight while another process holds the SQLite directory's write lock: the
 * directory's wait must not stall the worker, or the call's time-out fires late and a message the
 * provider accepted is marked `unknown` (Twilio cannot be asked again).
 */
import type { AudienceSelection } from '../../domain/types';
import { deliverRecipient, type DeliveryOutcome } from '../../worker/activities/deliver-recipient';
import { createRecipientRules } from '../../worker/activities/recipient-rules';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import type { ProviderResult, SmsProvider } from '../../worker/providers/provider';
import { createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { ANY_HOUR } from '../support/seed';
import { startWriteLockHolder, type WriteLockHolder } from '../support/write-lock';
import { BatchControl } from '../../worker/activities/batch-control';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';

const PROJECT = 'locked';
const SENDING = 'locked-1';
const everyone: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe('a provider call while another process holds the directory write lock', () => {
  let directory: Directory;
  let path: string;
  let close: () => Promise<void>;
  let fake: FakeProvider;
  let holder: WriteLockHolder;

  beforeAll(async () => {
    ({ directory, path, close } = await openFreshSqliteDirectory());
    await directory.upsertProject({ id: PROJECT, name: 'Locked', defaultCountry: 'CA', senderId: '+15145550000', compliance: ANY_HOUR });
    await directory.upsertContacts(PROJECT, [
      { externalId: 'l1', fields: { mobile: '514 555 0501' } },
      { externalId: 'l2', fields: { mobile: '514 555 0502' } },
    ]);
    await directory.createSending({ id: SENDING, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(SENDING, everyone);
    fake = await startFakeProvider();
    holder = await startWriteLockHolder(path);
  });
  afterAll(async () => {
    await holder.stop();
    await fake.close();
    await close();
  });

  it('resolves `sent` when the provider answers in 1 s, its time-out is 3 s and the lock is held for 5 s', async () => {
    fake.setDelay(1000);
    const twilio = createProvider(fakeTwilioConfig(fake, { timeoutMs: 3000 }), { outboxStore: directory });
    const calls: { result?: ProviderResult; error?: Error; at: number }[] = [];
    const provider: SmsProvider = {
      ...twilio,
      send: (sms) =>
        twilio.send(sms).then(
          (result) => (calls.push({ result, at: Date.now() }), result),
          (error: Error) => (calls.push({ error, at: Date.now() }), Promise.reject(error)),
        ),
    };
    const deps = { directory, provider, limiter: createRateLimiter(0), concurrency: 2, dispatch: DEFAULT_DISPATCH_SETTINGS };
    const control = new BatchControl(DEFAULT_DISPATCH_SETTINGS);
    const request = { sendingId: SENDING, projectId: PROJECT, afterSeq: 0, limit: 10, message: 'Hello', senderId: null };
    const rules = createRecipientRules((await directory.getProject(PROJECT))!);
    const [first, second] = await directory.readSnapshot(SENDING, 0, 10);

    // The first message is with the provider when the other process takes the lock; the second then needs the directory.
    const firstOutcome = deliverRecipient(deps, request, first, rules, control);
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const lock = await holder.hold(5000);
    const secondOutcome = deliverRecipient(deps, request, second, rules, control);

    const outcomes: DeliveryOutcome[] = await Promise.all([firstOutcome, secondOutcome]);
    const releasedAt = await lock.released;

    expect(calls[0].error?.message).toBeUndefined();
    expect(calls[0].result).toMatchObject({ status: 'sent' });
    // Answered while the lock was still held: the worker's event loop was free to read the answer.
    expect(calls[0].at).toBeLessThan(releasedAt);
    expect(outcomes).toEqual(['sent', 'sent']);
    expect((await directory.readSnapshot(SENDING, 0, 10)).map((row) => row.state)).toEqual(['sent', 'sent']);
    expect(fake.accepted.map((message) => message.to).sort()).toEqual(['+15145550501', '+15145550502']);
  });
});
