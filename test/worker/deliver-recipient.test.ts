/** One recipient's delivery against a real directory: the rate limiter's slot must still hold when the provider is called. */
import type { AudienceSelection } from '../../domain/types';
import { BatchControl } from '../../worker/activities/batch-control';
import { deliverRecipient } from '../../worker/activities/deliver-recipient';
import { DEFAULT_DISPATCH_SETTINGS } from '../../worker/activities/dispatch-settings';
import { createRecipientRules } from '../../worker/activities/recipient-rules';
import type { Directory } from '../../worker/directory/directory';
import type { OutgoingSms, SmsProvider } from '../../worker/providers/provider';
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
