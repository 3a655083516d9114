import { renderMessage } from '../../domain/template';
import type { SnapshotRow } from '../directory/directory';
import { RetryableProviderError } from '../providers/provider';
import { quarantineSource } from '../providers/quarantine';
import type { ActivityDeps, SendBatchRequest } from './index';
import type { RecipientRules } from './recipient-rules';

export type DeliveryOutcome = 'sent' | 'failed' | 'skipped' | 'unknown' | 'held';

/** Attempts per message for 429/5xx/network errors before the batch activity fails and Temporal retries it. */
const ATTEMPTS = 5;
const BACKOFF_MS = [500, 1000, 2000, 4000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One recipient, exactly once. The row's state is written before and after the provider call:
 * - already final (sent/failed/skipped/unknown): a retry or replay does nothing;
 * - `dispatching` (a worker died during the call): resent with the same idempotency key when the
 *   provider dedupes by key, otherwise marked `unknown` and never resent;
 * - `pending` or `held`: kill list, active state and the project's rules are checked again; a
 *   recipient inside their quiet hours is held until the window opens; otherwise it is sent.
 */
export async function deliverRecipient(deps: ActivityDeps, request: SendBatchRequest, row: SnapshotRow, rules: RecipientRules): Promise<DeliveryOutcome> {
  const { directory, provider, limiter } = deps;
  if (row.state === 'sent' || row.state === 'failed' || row.state === 'skipped' || row.state === 'unknown') return row.state;
  if (row.state === 'dispatching' && !provider.idempotent) {
    await directory.markDone(request.sendingId, row.seq, 'unknown', `the worker stopped during the ${provider.name} call; not resent, to never send twice`);
    return 'unknown';
  }
  // An in-doubt row may already have reached the phone: resend it with its key, without a new check.
  if (row.state !== 'dispatching') {
    const exclusion = rules.exclusion(rules.facts(row.e164));
    const heldUntil = exclusion ? null : rules.heldUntil(row, Date.now());
    if (exclusion || heldUntil !== null) {
      // The kill list and the contact come first, so the reason recorded is the same whatever the project's rules.
      const check = await directory.checkDispatch(request.projectId, row.contactId, row.e164);
      const skip = check !== 'ok' ? check : exclusion ?? (heldUntil === Infinity ? 'quietHours:noWindow' : null);
      if (skip) {
        await directory.markDone(request.sendingId, row.seq, 'skipped', skip);
        return 'skipped';
      }
      await directory.markHeld(request.sendingId, row.seq, heldUntil!);
      return 'held';
    }
  }
  const { body } = renderMessage(request.message, row.fields);
  const sms = { to: row.e164, from: request.senderId, body, idempotencyKey: `${request.sendingId}:${row.seq}`, sendingId: request.sendingId, seq: row.seq };
  for (let attempt = 1; ; attempt++) {
    let permit = await limiter.acquire();
    if (attempt === 1 && row.state !== 'dispatching') {
      // The last-moment check and the `dispatching` mark in one step, after the rate limiter's wait.
      const check = await directory.claimDispatch(request.sendingId, row.seq, request.projectId, row.contactId, row.e164);
      if (check !== 'ok') {
        await directory.markDone(request.sendingId, row.seq, 'skipped', check);
        return 'skipped';
      }
    } else {
      await directory.markDispatching(request.sendingId, row.seq);
    }
    // The write outlasted the slot: starting now could put more than N in a second, so wait for another.
    while (!permit.onTime()) permit = await limiter.acquire();
    try {
      const result = await provider.send(sms);
      if (result.status === 'sent') {
        await directory.markDone(request.sendingId, row.seq, 'sent', result.providerMessageId);
        return 'sent';
      }
      await directory.markDone(request.sendingId, row.seq, 'failed', result.reason);
      const quarantine = quarantineSource(result.code);
      if (quarantine) await directory.addOptOut(request.projectId, row.e164, quarantine);
      return 'failed';
    } catch (err) {
      if (!(err instanceof RetryableProviderError)) throw err;
      if (err.outcomeUnknown && !provider.idempotent) {
        await directory.markDone(request.sendingId, row.seq, 'unknown', `${err.message}; not resent, to never send twice`);
        return 'unknown';
      }
      if (attempt >= ATTEMPTS) {
        // The provider surely did not take it (or dedupes by key): the next attempt of the batch may send it.
        await directory.releaseDispatching(request.sendingId, row.seq);
        throw err;
      }
      await sleep(Math.max(err.retryAfterMs ?? 0, BACKOFF_MS[attempt - 1]));
    }
  }
}
