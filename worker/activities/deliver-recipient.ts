import { renderMessage } from '../../domain/template';
import type { SnapshotRow } from '../directory/directory';
import { counted } from '../metrics/sms-metrics';
import { ProviderAccountError, ProviderConfigError, RetryableProviderError, type OutgoingSms } from '../providers/provider';
import { quarantineSource } from '../providers/quarantine';
import { sleepUnlessStopped, type BatchControl } from './batch-control';
import { OPEN_PASS, type GatePass } from './call-gate';
import { EXHAUSTED_BACKOFF_MS, RETRY_BACKOFF_MS } from './dispatch-settings';
import type { DispatchLedger, OptOutList, SnapshotStore } from '../directory/roles';
import type { ActivityDeps, SendBatchRequest } from './index';
import type { RecipientRules } from './recipient-rules';

/** `interrupted`: the batch stopped before this recipient's message was decided; the row is as it was. */
export type DeliveryOutcome = 'sent' | 'failed' | 'skipped' | 'unknown' | 'held' | 'interrupted';

/** One recipient's delivery: the ledger's compare-and-sets, the row re-read, and the kill list for quarantines. */
export type RecipientDeps = Omit<ActivityDeps, 'directory' | 'concurrency'> & { directory: DispatchLedger & SnapshotStore & OptOutList };

const FOREIGN_CLAIM_POLL_MS = 250;

/**
 * One recipient, exactly once. Every change to the row is a compare-and-set in the directory
 * (worker/directory/dispatch.ts), so whatever attempt of whatever batch runs at the same time:
 * - a final row (sent/failed/skipped/unknown) is left alone;
 * - `dispatching` held by another live attempt: waited for until it settles or its lease runs out;
 * - `dispatching` whose lease ran out (its worker died) or was ended (a call without an answer when its
 *   attempt stopped): resent with the same idempotency key when the provider dedupes by key, otherwise
 *   marked `unknown` and never resent;
 * - `pending` or `held`: the project's rules are checked (excluded → skipped, quiet hours → held), then
 *   the row is claimed — which also checks the kill list, the contact and that the sending is not
 *   stopped — and the message is sent; only the attempt holding the claim writes its outcome.
 */
export async function deliverRecipient(
  deps: RecipientDeps,
  request: SendBatchRequest,
  initial: SnapshotRow,
  rules: RecipientRules,
  control: BatchControl,
  pass: GatePass = OPEN_PASS,
): Promise<DeliveryOutcome> {
  const { directory, provider } = deps;
  let row = initial;
  for (;;) {
    if (control.stopped) return 'interrupted';
    switch (row.state) {
      case 'sent':
      case 'failed':
      case 'skipped':
      case 'unknown':
        return row.state;
      case 'dispatching': {
        const now = Date.now();
        const lease = row.claim?.leaseUntilMs ?? null;
        const token = row.claim?.token ?? null;
        if (token === control.token) return 'interrupted';
        if (lease !== null && lease >= now) {
          await sleepUnlessStopped(Math.min(FOREIGN_CLAIM_POLL_MS, lease - now + 1), control.signal);
          break;
        }
        if (provider.idempotent) {
          // It may already have reached the phone: resent with its key, which the provider dedupes, without a new check.
          await pass.enter();
          if (control.stopped) return 'interrupted';
          if (await directory.takeOverClaim(request.sendingId, row.seq, token, control.claim(), now)) {
            const outcome = await send(deps, request, row, control, pass);
            if (outcome !== 'interrupted' || control.stopped) return outcome;
          } else if (await directory.dispatchStop(request.sendingId)) {
            control.stop({ kind: 'stopped' });
            return 'interrupted';
          }
        } else if (
          await directory.abandonClaim(
            request.sendingId,
            row.seq,
            token,
            `the worker stopped during the ${provider.name} call; not resent, to never send twice`,
            now,
          )
        ) {
          return counted(deps.metrics, 'unknown');
        }
        break;
      }
      default: {
        const decided = (await applyRules(deps, request, row, rules)) ?? (await applyMessageRules(deps, request, row, rules));
        if (decided) return decided;
        await pass.enter();
        if (control.stopped) return 'interrupted';
        let permit = await deps.limiter.acquire(request.sendingId);
        const outcome = await directory.claimDispatch(
          { sendingId: request.sendingId, seq: row.seq, projectId: request.projectId, contactId: row.contactId, e164: row.e164 },
          control.claim(),
        );
        if (outcome === 'claimed') {
          // The claim outlasted the slot: starting now could put more than N in a second, so wait for another.
          while (!permit.onTime()) permit = await deps.limiter.acquire(request.sendingId);
          const sent = await send(deps, request, row, control, pass);
          if (sent !== 'interrupted' || control.stopped) return sent;
        } else if (outcome === 'stopped') {
          control.stop({ kind: 'stopped' });
          return 'interrupted';
        } else if (outcome !== 'taken') {
          return counted(deps.metrics, 'skipped');
        }
        break;
      }
    }
    pass.leave();
    row = (await directory.readSnapshot(request.sendingId, row.seq - 1, 1))[0] ?? row;
  }
}

/** Excluded by the project's rules (skipped) or inside the recipient's quiet hours (held); null: may be sent now. */
async function applyRules(
  deps: RecipientDeps,
  request: SendBatchRequest,
  row: SnapshotRow,
  rules: RecipientRules,
): Promise<DeliveryOutcome | null> {
  const exclusion = rules.exclusion(rules.facts(row));
  const heldUntil = exclusion ? null : rules.heldUntil(row, Date.now());
  if (!exclusion && heldUntil === null) return null;
  // The kill list and the contact come first, so the reason recorded is the same whatever the project's rules.
  const check = await deps.directory.checkDispatch(request.projectId, row.contactId, row.e164);
  const skip = check !== 'ok' ? check : (exclusion ?? (heldUntil === Infinity ? 'quietHours:noWindow' : null));
  if (skip) return (await deps.directory.skipRecipient(request.sendingId, row.seq, skip)) ? counted(deps.metrics, 'skipped') : null;
  return (await deps.directory.holdRecipient(request.sendingId, row.seq, heldUntil!)) ? counted(deps.metrics, 'held') : null;
}

/** A message that may not go as it would be rendered (over the providers' cap; a refresh's recipient against the project's rules): skipped with the reason. */
async function applyMessageRules(
  deps: RecipientDeps,
  request: SendBatchRequest,
  row: SnapshotRow,
  rules: RecipientRules,
): Promise<DeliveryOutcome | null> {
  const validated = request.validatedUpToSeq === undefined || row.seq <= request.validatedUpToSeq;
  const finding = rules.messageFinding(renderMessage(request.message, row.frozenFields ?? row.fields), validated);
  if (!finding) return null;
  return (await deps.directory.skipRecipient(request.sendingId, row.seq, finding)) ? counted(deps.metrics, 'skipped') : null;
}

/** The provider call for a row this attempt holds, with its retries; only this attempt's claim is written. */
async function send(
  deps: RecipientDeps,
  request: SendBatchRequest,
  row: SnapshotRow,
  control: BatchControl,
  pass: GatePass,
): Promise<DeliveryOutcome> {
  const { directory, provider, dispatch } = deps;
  // The values frozen when the snapshot was made: the message approved, whatever the contact says now.
  const { body } = renderMessage(request.message, row.frozenFields ?? row.fields);
  const sms: OutgoingSms = {
    to: row.e164,
    from: request.senderId,
    body,
    idempotencyKey: `${request.sendingId}:${row.seq}`,
    sendingId: request.sendingId,
    seq: row.seq,
    projectId: request.projectId,
  };
  // Another attempt took the row over after this one's lease ran out: the row says what it decided.
  const decidedElsewhere = async (): Promise<DeliveryOutcome> => {
    const [now] = await directory.readSnapshot(request.sendingId, row.seq - 1, 1);
    return now && (now.state === 'sent' || now.state === 'failed' || now.state === 'skipped' || now.state === 'unknown')
      ? now.state
      : 'interrupted';
  };
  const settle = async (state: 'sent' | 'failed' | 'unknown', detail: string | null): Promise<DeliveryOutcome> =>
    (await directory.settleClaim(request.sendingId, row.seq, control.token, state, detail))
      ? counted(deps.metrics, state)
      : decidedElsewhere();
  /** An earlier call of this message got no answer: the provider may have it, so it never goes back to pending. */
  let inDoubt = false;
  const release = async (): Promise<DeliveryOutcome> => {
    if (inDoubt) await directory.endClaimInDoubt(request.sendingId, row.seq, control.token);
    else await directory.releaseClaim(request.sendingId, row.seq, control.token);
    return 'interrupted';
  };
  for (let attempt = 1; ; attempt++) {
    let answered = false;
    try {
      let result;
      try {
        result = await provider.send(sms);
      } finally {
        pass.leave();
      }
      answered = true;
      control.recordAnswer();
      if (result.status === 'sent') {
        const outcome = await settle('sent', result.providerMessageId);
        // A simulated receipt that cannot be written must not fail a message that was sent.
        if (outcome === 'sent') await provider.afterSent?.(sms, result.providerMessageId).catch(() => undefined);
        return outcome;
      }
      const outcome = await settle('failed', result.reason);
      const quarantine = quarantineSource(result.code);
      if (quarantine && outcome === 'failed') await directory.addOptOut(request.projectId, row.e164, quarantine);
      return outcome;
    } catch (err) {
      if (err instanceof ProviderAccountError || err instanceof ProviderConfigError) {
        control.stop({
          kind: 'account',
          reason: err.message,
          ...(err instanceof ProviderAccountError && err.code ? { code: err.code } : {}),
        });
        return release();
      }
      // The provider answered and its outcome could not be written (the directory failed): the row stays
      // `dispatching` until its lease runs out, then it is resent with its key or marked unknown. Put back to
      // pending, it would be sent again.
      if (answered) throw err;
      if (!(err instanceof RetryableProviderError)) {
        await release().catch(() => undefined);
        throw err;
      }
      control.recordFailure(err.message);
      if (err.outcomeUnknown && !provider.idempotent) return settle('unknown', `${err.message}; not resent, to never send twice`);
      inDoubt ||= err.outcomeUnknown;
      const retryAfter = err.retryAfterMs ?? 0;
      if (retryAfter > dispatch.retryAfterCapMs) {
        control.stop({
          kind: 'backoff',
          untilMs: Date.now() + retryAfter,
          reason: `${err.message}, asking to wait ${Math.ceil(retryAfter / 1000)} s`,
        });
        return release();
      }
      if (attempt >= dispatch.attemptsPerMessage) {
        control.stop({
          kind: 'backoff',
          untilMs: Date.now() + EXHAUSTED_BACKOFF_MS,
          reason: `${err.message} (${attempt} attempts for one message)`,
        });
        return release();
      }
      if (control.stopped) return release();
      await sleepUnlessStopped(Math.max(retryAfter, RETRY_BACKOFF_MS[Math.min(attempt - 1, RETRY_BACKOFF_MS.length - 1)]), control.signal);
      if (control.stopped) return release();
      await pass.enter();
      if (control.stopped) return release();
      if (!(await directory.renewClaim(request.sendingId, row.seq, control.claim()))) return decidedElsewhere();
      await deps.limiter.acquire(request.sendingId);
    }
  }
}
