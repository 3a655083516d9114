/**
 * One recipient's delivery against a real directory: the rate limiter's slot must still hold when the provider
 * is called; a message the provider may have is never put back to pending.
 */
import type { AudienceSelection } from '../../domain/types';
import { BatchControl } from '../../worker/activities/batch-control';
import { deliverRecipient } from '../../worker/activities/deliver-recipient';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { createRecipientRules } from '../../worker/activities/recipient-rules';
import type { Directory } from '../../worker/directory/directory';
import { RetryableProviderError, type OutgoingSms, type SmsProvider } from '../../worker/providers/provider';
import { JITTER_ALLOWANCE, createRateLimiter } from '../../worker/providers/rate-limiter';
import { openFreshSqliteDirectory } from '../support/directories';
import { manualClock } from '../support/manual-clock';
import { ANY_HOUR } from '../support/seed';

const PROJECT = 'slow';
const SENDING = 'slow-claim-1';
const everyone: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perContact' };

describe('deliverRecipient with a rate limit', () => {
  let directory: Directory;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, close } = await openFreshSqliteDirectory());
    await directory.upsertProject({ id: PROJECT, name: 'Slow', defaultCountry: 'CA', compliance: ANY_HOUR });
    await directory.upsertContacts(PROJECT, [
      { externalId: 's1', fields: { mobile: '514 555 0401' } },
      { externalId: 's2', fields: { mobile: '514 555 0402' } },
      { externalId: 's3', fields: { mobile: '514 555 0403' } },
    ]);
    await directory.createSending({ id: SENDING, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(SENDING, everyone);
  });
  afterAll(() => close());

  it('takes another slot when the dispatching mark outlasts the one it waited for, so no second gets more than N', async () => {
    const clock = manualClock();
    const perSecond = 10;
    const intervalMs = (1000 * (1 + JITTER_ALLOWANCE)) / perSecond;
    // The directory's write takes 40 ms by the limiter's clock (a busy database): more than the 12.5 ms a slot allows.
    const slowDirectory: Directory = Object.create(directory, {
      claimDispatch: { value: (...args: Parameters<Directory['claimDispatch']>) => (clock.advance(40), directory.claimDispatch(...args)) },
    });
    const startedAt: number[] = [];
    const provider: SmsProvider = {
      name: 'clocked',
      idempotent: true,
      send: async (sms: OutgoingSms) => (startedAt.push(clock.now()), { status: 'sent', providerMessageId: `m-${sms.seq}` }),
    };
    const deps = {
      directory: slowDirectory,
      provider,
      limiter: createRateLimiter(perSecond, clock),
      concurrency: 1,
      dispatch: DEFAULT_DISPATCH_SETTINGS,
    };
    const request = { sendingId: SENDING, projectId: PROJECT, afterSeq: 0, limit: 10, message: 'Hello', senderId: null };
    const rules = createRecipientRules((await directory.getProject(PROJECT))!);
    const rows = await directory.readSnapshot(SENDING, 0, 10);

    const control = new BatchControl(DEFAULT_DISPATCH_SETTINGS);
    for (const row of rows) expect(await deliverRecipient(deps, request, row, rules, control)).toBe('sent');

    // Slots at 0, 102.5, 205, 307.5, 410 ms: each claim took 40 ms, so each message starts at the slot after its first.
    expect(startedAt).toHaveLength(3);
    [1, 3, 5].forEach((slot, i) => {
      expect(startedAt[i]).toBeGreaterThanOrEqual(slot * intervalMs);
      expect(startedAt[i]).toBeLessThan(slot * intervalMs + 1);
    });
    expect((await directory.readSnapshot(SENDING, 0, 10)).map((row) => row.state)).toEqual(['sent', 'sent', 'sent']);
  });
});

describe('deliverRecipient when the batch stops after a call whose outcome is unknown', () => {
  let directory: Directory;
  let close: () => Promise<void>;
  const sendingId = 'in-doubt-1';

  beforeAll(async () => {
    ({ directory, close } = await openFreshSqliteDirectory());
    await directory.upsertProject({ id: 'doubt', name: 'Doubt', defaultCountry: 'CA', compliance: ANY_HOUR });
    await directory.upsertContacts('doubt', [
      { externalId: 'd1', fields: { mobile: '514 555 0501' } },
      { externalId: 'd2', fields: { mobile: '514 555 0502' } },
    ]);
    const selection: AudienceSelection = { ...everyone, projectId: 'doubt' };
    await directory.createSending({ id: sendingId, projectId: 'doubt', selection, createdBy: 'paula', createdAt: 1 });
    await directory.prepareSnapshot(sendingId, selection);
  });
  afterAll(() => close());

  /** An idempotent provider whose call fails as given while an operator's pause stops the batch. */
  async function deliverStoppedDuring(failure: RetryableProviderError, seq: number) {
    const control = new BatchControl(DEFAULT_DISPATCH_SETTINGS);
    const provider: SmsProvider = {
      name: 'flaky',
      idempotent: true,
      send: async () => {
        control.stop({ kind: 'stopped' });
        throw failure;
      },
    };
    const deps = { directory, provider, limiter: createRateLimiter(0), concurrency: 1, dispatch: DEFAULT_DISPATCH_SETTINGS };
    const request = { sendingId, projectId: 'doubt', afterSeq: 0, limit: 10, message: 'Hello', senderId: null };
    const rules = createRecipientRules((await directory.getProject('doubt'))!);
    const [row] = await directory.readSnapshot(sendingId, seq - 1, 1);
    expect(await deliverRecipient(deps, request, row, rules, control)).toBe('interrupted');
    return (await directory.readSnapshot(sendingId, seq - 1, 1))[0];
  }

  it('keeps a message the provider may have out of pending: its claim ends, so the next attempt resends it with its key and a cancel marks it unknown', async () => {
    const row = await deliverStoppedDuring(new RetryableProviderError('no answer within 3000 ms', { outcomeUnknown: true }), 1);
    expect(row.state).toBe('dispatching');
    expect(row.claim?.leaseUntilMs ?? 0).toBeLessThan(Date.now());
    // What a cancel does with the rows in flight whose claim ended (settleDispatch).
    expect(await directory.inFlight(sendingId, Date.now())).toMatchObject({ live: 0, expired: 1 });
  });

  it('puts back to pending a message the provider surely did not take', async () => {
    const row = await deliverStoppedDuring(new RetryableProviderError('503 Service Unavailable', { outcomeUnknown: false }), 2);
    expect(row.state).toBe('pending');
  });
});
