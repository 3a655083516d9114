/**
 * Sending: the first pass over the snapshot in batches, then recipients put back for a retry, then the ones
 * held by quiet hours as their windows open. A batch that ends early says why: the workflow waits on a
 * durable timer (the provider asked to wait), or pauses the sending (the account was refused, the breaker
 * tripped, too many waits in a row, the worker could not send), or stops (pause, cancel).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { BatchCounts, BatchInterruption, SendBatchResult } from '../../worker/activities';
import type { ProgressCounts } from '../../worker/directory/directory';
import type { Progress } from '../messages';
import { directory, dispatch, settling } from './activities';
import { nextBatchSize } from './batch-size';
import type { SendingContext } from './context';

/** `continueAsNew`: the run is long, the next one carries on; `ended`: the sending reached a final state. */
export type DispatchEnd = 'continueAsNew' | 'ended';
type PassOutcome = 'done' | 'continueAsNew' | 'interrupted';

/** Used when the directory could not say it (it was down while the sending paused itself). */
const FALLBACK_MAX_PAUSED_MS = 72 * 3_600_000;

/** Version gates: sendings started before these changes replay their recorded path. */
export const PROGRESS_FROM_DIRECTORY = 'progress-from-directory-at-the-end';
export const HELD_AUDITED = 'held-by-quiet-hours-audited';
/** Up to `parallelBatches` batches of the first pass in flight at once (before it: one at a time). */
export const PARALLEL_BATCHES = 'parallel-batches';
/**
 * With `parallelBatches` > 1, a run launches at most `batchesPerRun + parallelBatches - 1` new ranges (before
 * it: only cursor moves were counted, so a slow range at the cursor let the other lanes run through the whole
 * snapshot in one run, and the run's history grew with the snapshot).
 */
export const PARALLEL_RUN_BOUNDED = 'parallel-batches-bounded-run';
/**
 * A batch cut by its time limit counts as a batch of the run, and a long run does not run a range again
 * (before it: only batches done were counted, so a batch that kept meeting its limit grew one run's history
 * with every attempt, in the first pass, the retry pass and the release of held recipients).
 */
export const TIME_LIMITED_COUNTED = 'time-limited-batches-counted';
/** The first pass's batches grow from `batchSize` to a few seconds of messages, up to `maxBatchSize` (before it: all `batchSize`). */
export const BATCHES_SIZED_BY_TIME = 'batches-sized-by-time';

export async function runDispatch(s: SendingContext): Promise<DispatchEnd> {
  const { status } = s;
  for (;;) {
    if (status.cancellation !== null) {
      await finishCancelled(s);
      return 'ended';
    }
    if (status.state === 'sending' && status.pause) {
      await settlePause(s);
      continue;
    }
    if (status.state === 'paused') {
      const pause = status.pause!;
      const woken = await condition(
        () => status.state !== 'paused' || status.cancellation !== null,
        Math.max(1, pause.expiresAtMs - Date.now()),
      );
      if (!woken) {
        await endDispatch(
          s,
          new Error(`paused for longer than allowed (since ${new Date(pause.atMs).toISOString()}, by ${pause.by}): ${pause.reason}`),
        );
        return 'ended';
      }
      // Resumed: the counts of the first pass come again from the directory (a retry may have moved some).
      if (stateOf(s) === 'sending')
        Object.assign(status.progress, asProgress(await directory.dispatchProgress(s.id, status.progress.cursor)));
      continue;
    }
    if (status.state !== 'sending') return 'ended';
    const outcome = await runPasses(s);
    if (outcome === 'continueAsNew') return 'continueAsNew';
    // Under the lock: a pause or a cancel that got there first is acted on instead (the loop goes round).
    if (outcome === 'done' && (await s.exclusive(async () => !stopRequested(s) && (await complete(s), true)))) return 'ended';
  }
}

/** Read again after an await: handlers may have changed it meanwhile. */
const stateOf = (s: SendingContext) => s.status.state;

export const stopRequested = (s: SendingContext): boolean => s.status.cancellation !== null || Boolean(s.status.pause);

async function runPasses(s: SendingContext): Promise<PassOutcome> {
  const { status, id, tuning } = s;
  const p = status.progress;
  let batches = 0;
  const request = () => ({
    sendingId: id,
    projectId: status.selection!.projectId,
    limit: tuning.batchSize,
    message: status.prepared!.message,
    senderId: status.prepared!.senderId,
    validatedUpToSeq: status.prepared!.summary.snapshotSize,
  });
  const add = (counts: BatchCounts, firstPass: boolean): void => {
    if (firstPass) p.total += counts.total;
    p.sent += counts.sent;
    p.failed += counts.failed;
    p.skipped += counts.skipped;
    p.unknown += counts.unknown;
  };
  /**
   * Counts a batch of the run; true when the run is long: a long sending continues as new between batches, so
   * each run's history stays bounded. A sending asked to stop is not long (its batch is not counted): it stops.
   */
  const runIsLong = (): boolean => {
    if (stopRequested(s)) return false;
    batches += 1;
    return batches >= tuning.batchesPerRun || workflowInfo().continueAsNewSuggested;
  };

  /** A retry or held batch cut by its time limit counts as a batch of the run; true when that makes the run long. */
  const cutAttemptEndsRun = (interruption: BatchInterruption): boolean =>
    interruption.kind === 'timeLimit' && patched(TIME_LIMITED_COUNTED) && runIsLong();

  try {
    const parallel = patched(PARALLEL_BATCHES) ? tuning.parallelBatches : 1;
    const first = await firstPass(s, parallel, (afterSeq, limit) => dispatch.sendBatch({ ...request(), afterSeq, limit }), add, runIsLong);
    if (first !== 'done') return first;
    while ((p.pending ?? 0) > 0) {
      if (stopRequested(s)) return 'interrupted';
      const batch = await inBatchScope(s, () => dispatch.retryBatch({ ...request(), afterSeq: 0 }, p.cursor));
      if (batch === 'stopped') return 'interrupted';
      add(batch.counts, false);
      p.held += batch.counts.held;
      p.pending = batch.pendingLeft;
      if (batch.interrupted) {
        if (cutAttemptEndsRun(batch.interrupted)) return 'continueAsNew';
        if (await waitOrPause(s, batch.interrupted, batch.backoffRoundsBeforePause)) continue;
        return 'interrupted';
      }
      status.backoff = null;
      if (runIsLong()) return 'continueAsNew';
    }
    if (!stopRequested(s) && p.held > 0) {
      const wasHeld = (status.held?.count ?? 0) > 0;
      status.held = await directory.heldSummary(id);
      p.held = status.held.count;
      // The moment the rest waits for quiet hours, in the audit log (the Trigger's "held by quiet hours").
      if (!wasHeld && status.held.count > 0 && patched(HELD_AUDITED)) await s.audit('held', 'system', { ...status.held });
    }
    while (status.held && status.held.count > 0) {
      if (stopRequested(s)) return 'interrupted';
      const waitMs = (status.held.nextMs ?? 0) - Date.now();
      if (waitMs > 0) await condition(() => stopRequested(s), waitMs);
      if (stopRequested(s)) return 'interrupted';
      const batch = await inBatchScope(s, () => dispatch.releaseHeldBatch(request()));
      if (batch === 'stopped') return 'interrupted';
      add(batch.counts, false);
      status.held = batch.held;
      p.held = batch.held.count;
      if (batch.interrupted) {
        if (cutAttemptEndsRun(batch.interrupted)) return 'continueAsNew';
        if (await waitOrPause(s, batch.interrupted, batch.backoffRoundsBeforePause)) continue;
        return 'interrupted';
      }
      if (runIsLong()) return 'continueAsNew';
    }
    return 'done';
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
      await endDispatch(s, err);
      return 'interrupted';
    }
    if (err instanceof ActivityFailure) {
      await autoPause(s, `the worker could not send: ${err.cause?.message ?? err.message}`);
      return 'interrupted';
    }
    throw err;
  }
}

/** How one batch of the first pass came back: its result, or the failure of its activity. */
type Landed = { afterSeq: number; ok: true; result: SendBatchResult } | { afterSeq: number; ok: false; error: unknown };

/**
 * The first pass over the snapshot: consecutive ranges of seqs (seqs are dense, so a range is a page), each
 * of the size the last batch's rate asks for (batch-size.ts; `batchSize` each in histories from before
 * that), up to `parallel` of them in flight at once, so that as many workers share the sending. The
 * cursor moves over the ranges done in order; a range done out of order waits in `doneAbove` and is
 * counted once. A round launches ranges until something says stop, then waits for every range in flight
 * (a backoff, a refusal or a failure reaches the workflow once, after the others have come back), and
 * the interruption is handled outside the batches' scope (a durable wait, or a pause) before the
 * interrupted ranges run again. When the run is long the pass launches no new range (nor runs one again),
 * waits for the ones in flight and continues as new with the cursor past the ranges done in order: nothing
 * in flight is carried, so the next run starts clean; a range done above one not done runs again there,
 * where its decided rows make no call and are counted once (a batch counts its rows' states). An attempt
 * cut by its time limit counts as a batch of the run. With `parallel` = 1 it
 * issues the commands of the one-at-a-time loop it replaced, so older histories replay.
 */
async function firstPass(
  s: SendingContext,
  parallel: number,
  sendBatch: (afterSeq: number, limit: number) => Promise<SendBatchResult>,
  add: (counts: BatchCounts, firstPass: boolean) => void,
  runIsLong: () => boolean,
): Promise<PassOutcome> {
  const { status, tuning } = s;
  const p = status.progress;
  const sized = patched(BATCHES_SIZED_BY_TIME);
  const timeLimitedCounted = patched(TIME_LIMITED_COUNTED);
  let size = tuning.batchSize;
  /** Ranges launched and not yet done: their start → their size (a range run again keeps its own) and when its current attempt was launched. */
  const ranges = new Map<number, { limit: number; launchedAtMs: number }>();
  // Ranges up to the snapshot's size at prepare start freely; past it (a refresh may have added rows) one at a time.
  const known = status.prepared!.summary.snapshotSize;
  /** Ranges done ahead of the cursor: their start → their result. */
  const doneAbove = new Map<number, SendBatchResult>();
  /** Interrupted ranges, to run again first (lowest first). */
  const again: number[] = [];
  let next = p.cursor;
  /** New ranges this run launched (not counting ranges run again), and how many it may launch. */
  let launched = 0;
  const budget = parallel > 1 && patched(PARALLEL_RUN_BOUNDED) ? tuning.batchesPerRun + parallel - 1 : Infinity;
  /** The next ranges' size, from the calls a range just made over the time since its attempt was launched. */
  const resize = (afterSeq: number, calls: number): void => {
    const { limit, launchedAtMs } = ranges.get(afterSeq)!;
    size = nextBatchSize(size, { limit, calls, elapsedMs: Date.now() - launchedAtMs }, tuning.batchSize, tuning.maxBatchSize);
  };
  /** A range came back with fewer rows than asked: no range after it holds a recipient. */
  let lastFound = false;
  let ended = false;
  let long = false;
  for (;;) {
    if (stopRequested(s)) return 'interrupted';
    let interruption: { reason: BatchInterruption; rounds: number } | null = null;
    let failure: { error: unknown } | null = null;
    let stopped = false;
    const round = await inBatchScope(s, async () => {
      const inFlight = new Map<number, Promise<Landed>>();
      const launchable = (): boolean =>
        interruption === null &&
        failure === null &&
        !stopped &&
        !stopRequested(s) &&
        inFlight.size < parallel &&
        ((again.length > 0 && !(long && timeLimitedCounted)) ||
          (!long && !ended && !lastFound && launched < budget && (next < known || inFlight.size === 0)));
      for (;;) {
        while (launchable()) {
          const afterSeq = again.length > 0 ? again.shift()! : next;
          if (afterSeq === next) {
            ranges.set(afterSeq, { limit: size, launchedAtMs: 0 });
            next += size;
            launched += 1;
          }
          const range = ranges.get(afterSeq)!;
          range.launchedAtMs = Date.now();
          inFlight.set(
            afterSeq,
            sendBatch(afterSeq, range.limit).then(
              (result): Landed => ({ afterSeq, ok: true, result }),
              (error: unknown): Landed => ({ afterSeq, ok: false, error }),
            ),
          );
        }
        if (inFlight.size === 0) return;
        const landed = await Promise.race(inFlight.values());
        inFlight.delete(landed.afterSeq);
        if (!landed.ok) {
          again.push(landed.afterSeq);
          if (isCancellation(landed.error) && stopRequested(s)) stopped = true;
          else failure ??= { error: landed.error };
          continue;
        }
        const batch = landed.result;
        if (batch.interrupted?.kind === 'timeLimit') {
          // The range ran for its time limit: it goes on at once, and the ranges after it are sized by the rate it met.
          again.push(landed.afterSeq);
          if (sized) resize(landed.afterSeq, batch.calls ?? 0);
          if (timeLimitedCounted && !long && runIsLong()) long = true;
          continue;
        }
        if (batch.interrupted) {
          again.push(landed.afterSeq);
          interruption = strongerInterruption(interruption, { reason: batch.interrupted, rounds: batch.backoffRoundsBeforePause });
          continue;
        }
        status.backoff = null;
        if (sized) {
          // A worker from before `calls` answers without it: its decided rows stand in (rows decided earlier included).
          const { sent, failed, unknown } = batch.counts;
          resize(landed.afterSeq, batch.calls ?? sent + failed + unknown);
        }
        ranges.delete(landed.afterSeq);
        if (batch.done) lastFound = true;
        doneAbove.set(landed.afterSeq, batch);
        // The cursor moves over the ranges done in order; the first range done that ends the snapshot ends the pass.
        for (let at = doneAbove.get(p.cursor); at && !ended; at = doneAbove.get(p.cursor)) {
          doneAbove.delete(p.cursor);
          p.cursor = at.lastSeq;
          add(at.counts, true);
          p.held += at.counts.held;
          if (at.done) ended = true;
          else if (!long && runIsLong()) long = true;
        }
      }
    });
    again.sort((a, b) => a - b);
    if (round === 'stopped' || stopped) return 'interrupted';
    if (failure) throw (failure as { error: unknown }).error;
    if (interruption) {
      const { reason, rounds } = interruption as { reason: BatchInterruption; rounds: number };
      if (await waitOrPause(s, reason, rounds)) continue;
      return 'interrupted';
    }
    if (ended) return 'done';
    if (stopRequested(s)) return 'interrupted';
    if (long) return 'continueAsNew';
    // Every range came back, none was interrupted, and the cursor did not reach the end: cannot happen with dense seqs.
    if (again.length === 0) throw new Error(`Sending ${s.id}: the first pass lost its place (cursor ${p.cursor}, next ${next}).`);
  }
}

/** Of two interruptions of one round, the one that says more: a stop, a refusal or the breaker over a backoff; the later backoff. */
function strongerInterruption(
  current: { reason: BatchInterruption; rounds: number } | null,
  incoming: { reason: BatchInterruption; rounds: number },
): { reason: BatchInterruption; rounds: number } {
  if (current === null) return incoming;
  if (current.reason.kind === 'backoff' && incoming.reason.kind !== 'backoff') return incoming;
  if (current.reason.kind === 'backoff' && incoming.reason.kind === 'backoff' && incoming.reason.untilMs > current.reason.untilMs)
    return incoming;
  return current;
}

/** Runs one batch in a scope that a pause or a cancel cancels. */
async function inBatchScope<T>(s: SendingContext, call: () => Promise<T>): Promise<T | 'stopped'> {
  const scope = new CancellationScope();
  s.batchScope = scope;
  try {
    return await scope.run(call);
  } catch (err) {
    if (isCancellation(err) && stopRequested(s)) return 'stopped';
    throw err;
  } finally {
    s.batchScope = null;
  }
}

/** True: waited for the provider (or nothing to wait for), run the batch again. False: the sending stops or pauses. */
async function waitOrPause(s: SendingContext, interruption: BatchInterruption, roundsBeforePause: number): Promise<boolean> {
  const { status } = s;
  switch (interruption.kind) {
    case 'timeLimit':
      return true;
    case 'stopped':
      // A pause or cancel writes the directory's stop before it records itself, so a batch can see the
      // stop first: let the change being made finish; only a stop nobody asked for pauses the sending.
      if (s.busy && patched('operator-stop-before-auto-pause')) await condition(() => !s.busy);
      if (!stopRequested(s)) await autoPause(s, 'the directory says the dispatch of this sending is stopped');
      return false;
    case 'account':
      await autoPause(s, `the provider refused the account: ${interruption.reason}`, interruption.code);
      return false;
    case 'breaker':
      await autoPause(s, `the provider keeps failing (circuit breaker): ${interruption.reason}`);
      return false;
    case 'backoff': {
      const rounds = (status.backoff?.rounds ?? 0) + 1;
      if (rounds > roundsBeforePause) {
        await autoPause(s, `the provider kept asking to wait (${rounds - 1} times in a row); the last time: ${interruption.reason}`);
        return false;
      }
      status.backoff = { untilMs: interruption.untilMs, reason: interruption.reason, rounds };
      await s.audit('provider_backoff', 'system', { untilMs: interruption.untilMs, reason: interruption.reason, rounds });
      await condition(() => stopRequested(s), Math.max(1, interruption.untilMs - Date.now()));
      return !stopRequested(s);
    }
  }
}

/** The sending fails: its dispatch stop says so (no claim, and it no longer counts as paused), then the state. */
async function endDispatch(s: SendingContext, err: unknown): Promise<void> {
  const reason = err instanceof Error ? err.message : String(err);
  try {
    await directory.stopDispatch(s.id, { kind: 'failed', reason, atMs: Date.now() });
  } catch {
    // The directory is down: the sending fails all the same.
  }
  await s.fail(err);
}

/** The workflow pauses the sending itself: nothing starts until an operator resumes it (or it fails at its limit). */
async function autoPause(s: SendingContext, reason: string, code?: string): Promise<void> {
  const { status, id } = s;
  const now = Date.now();
  let maxPausedMs = FALLBACK_MAX_PAUSED_MS;
  try {
    ({ maxPausedMs } = await directory.stopDispatch(id, { kind: 'paused', reason, atMs: now }));
  } catch {
    // The directory is down: no batch of this sending runs while it is paused anyway.
  }
  status.pause = { by: 'system', automatic: true, reason, ...(code ? { code } : {}), atMs: now, expiresAtMs: now + maxPausedMs };
  log.warn(`Sending ${id} paused itself: ${reason}. Fix the cause, then resume it (npm run sms -- resume ${id}).`, { sendingId: id });
}

/** A pause asked for (by an operator or the workflow): the messages in flight settle, then the sending is paused. */
async function settlePause(s: SendingContext): Promise<void> {
  const { status, id } = s;
  const pause = status.pause!;
  try {
    Object.assign(status.progress, asProgress(await settling.settleDispatch(id, { abandonExpired: false })));
    await s.audit('paused', pause.automatic ? 'system' : pause.by, {
      automatic: pause.automatic,
      reason: pause.reason,
      ...(pause.code ? { code: pause.code } : {}),
      expiresAtMs: pause.expiresAtMs,
    });
  } catch {
    // The directory is down: the sending pauses all the same; the counts are the last known.
  }
  s.setState('paused');
}

async function finishCancelled(s: SendingContext): Promise<void> {
  const { status, id } = s;
  if (status.state === 'cancelled') return;
  Object.assign(status.progress, asProgress(await settling.settleDispatch(id, { abandonExpired: true })));
  status.pause = null;
  status.backoff = null;
  await s.audit('cancelled', 'system', { ...status.progress });
  s.setState('cancelled');
}

async function complete(s: SendingContext): Promise<void> {
  const { status, id, tuning } = s;
  // The counts as the directory has them: exact even when a batch's answer was lost to a retry.
  if (patched(PROGRESS_FROM_DIRECTORY)) {
    Object.assign(status.progress, asProgress(await directory.dispatchProgress(id, undefined)));
    status.retryUntilMs = Date.now() + tuning.retryWindowMs;
  }
  status.backoff = null;
  await s.audit('completed', 'system', { ...status.progress });
  s.setState('completed');
}

/** The workflow's progress from the directory's counts per state (`total`: every recipient counted). */
function asProgress(counts: ProgressCounts): Omit<Progress, 'cursor'> {
  const pending = counts.pending + counts.dispatching;
  return {
    total: counts.pending + counts.held + counts.dispatching + counts.sent + counts.failed + counts.skipped + counts.unknown,
    sent: counts.sent,
    failed: counts.failed,
    skipped: counts.skipped,
    unknown: counts.unknown,
    held: counts.held,
    pending,
  };
}
