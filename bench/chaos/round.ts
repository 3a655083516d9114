/** Plays one round: a sending through the chaos stack while its plan's faults and events happen, then the verdict. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DateTime } from 'luxon';
import { SendingError, type SendingClient } from '../../client/sending-client';
import type { SnapshotRow } from '../../worker/directory/directory';
import { LEASE_MARGIN_MS } from '../../worker/activities/dispatch-settings';
import type { SendingStatus } from '../../workflows/messages';
import { seedBulk } from '../../test/support/seed';
import { RunDoesNotReplay, replayEveryRun } from '../../test/support/temporal';
import { openBenchDirectory } from '../support/directory-for-bench';
import { within } from '../support/within';
import { checkRound, type RoundVerdict } from './invariants';
import type { ChaosEvent, RoundPlan } from './plan';
import type { ChaosStack } from './stack';

export const PROVIDER_TIMEOUT_MS = 3000;
const ROUND_LIMIT_MS = 4 * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RoundResult extends RoundVerdict {
  sendingId: string;
  messages: number;
  seconds: number;
  endedAs: string;
}

export async function playRound(stack: ChaosStack, plan: RoundPlan, log: (line: string) => void): Promise<RoundResult> {
  const started = Date.now();
  const bench = await openBenchDirectory(plan.store);
  const taskQueue = `chaos-${randomUUID()}`;
  try {
    await seedBulk(bench.directory, 'chaos', plan.recipients);
    await stack.provider.reset();
    await stack.startWorkers(2, {
      taskQueue,
      directoryEnv: bench.workerEnv,
      provider: plan.provider,
      providerTimeoutMs: PROVIDER_TIMEOUT_MS,
    });
    const sendings = await stack.sendings(taskQueue);
    const sendingId = await approvedSending(sendings, plan);
    await stack.provider.setScenario(plan.faulty);
    const sentAt = Date.now();
    /** A line of the round's timeline, at the seconds since the send. */
    const logAt = (text: string) => log(`  ${((Date.now() - sentAt) / 1000).toFixed(1)}s ${text}`);
    await sendings.send(sendingId, 'chaos');

    let paused = false;
    let cancelled: { askedAtMs: number; answeredAtMs: number; boundMs: number } | null = null;
    let cancelRefused: string | null = null;
    let lastDisruptionMs = 0;
    const healthy = setTimeout(
      () => void stack.provider.setScenario({ latency: plan.faulty.latency }).catch(() => undefined),
      plan.faultyForMs,
    );
    const play = async (event: ChaosEvent): Promise<void> => {
      await sleep(Math.max(0, sentAt + event.atMs - Date.now()));
      if (cancelled) return;
      logAt(event.kind);
      switch (event.kind) {
        case 'killWorker':
          lastDisruptionMs = Date.now() + event.downMs;
          await stack.killWorker(0, event.downMs);
          break;
        case 'restartServer':
          lastDisruptionMs = Date.now() + event.downMs;
          stack.server.kill();
          await sleep(event.downMs);
          await stack.server.start();
          break;
        case 'pause':
          paused = true;
          await retrying(() => sendings.pause(sendingId, 'chaos: an operator pauses', 'chaos-operator')).catch(() => undefined);
          await sleep(event.forMs);
          paused = false;
          await retrying(() => sendings.resume(sendingId, 'chaos-operator')).catch(() => undefined);
          break;
        case 'revokeKey':
          await stack.provider.setScenario({ ...plan.faulty, faults: [{ fault: { kind: 'unauthorized' } }] });
          await sleep(event.forMs);
          await stack.provider.setScenario(Date.now() - sentAt < plan.faultyForMs ? plan.faulty : { latency: plan.faulty.latency });
          break;
        case 'cancel': {
          const askedAtMs = Date.now();
          await retrying(() => sendings.cancel(sendingId, 'chaos: cancelled', 'chaos-operator')).catch((error: unknown) => {
            cancelRefused = error instanceof Error ? error.message : String(error);
            logAt(`cancel refused: ${cancelRefused}`);
          });
          // A worker killed shortly before the cancel or while it is carried out: the messages it had in flight
          // settle only when their lease (the provider's time-out + LEASE_MARGIN_MS) runs out.
          const recentlyDisrupted = askedAtMs - lastDisruptionMs < PROVIDER_TIMEOUT_MS + LEASE_MARGIN_MS;
          cancelled = {
            askedAtMs,
            answeredAtMs: Date.now(),
            boundMs: PROVIDER_TIMEOUT_MS + 2000 + (recentlyDisrupted ? LEASE_MARGIN_MS + 5000 : 0),
          };
          break;
        }
      }
    };
    // Each event on its own timer: a worker may be down while the server restarts.
    const events = Promise.all(plan.events.map(play));

    // The operator: a sending that paused itself is resumed after a moment (the faults may pause it again).
    let status: SendingStatus | null = null;
    let lastState = '';
    let unreadable = '';
    for (;;) {
      status = await sendings.status(sendingId).catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        if (why !== unreadable) logAt(`status unreadable: ${(unreadable = why)}`);
        return null;
      });
      if (status && status.state !== lastState) {
        lastState = status.state;
        logAt(`state ${status.state}`);
      }
      if (status && (status.state === 'completed' || status.state === 'cancelled' || status.state === 'failed')) break;
      if (status?.state === 'paused' && !paused && !cancelled) {
        logAt(`paused itself: ${status.pause?.reason}; resuming`);
        await sleep(1000);
        await sendings.resume(sendingId, 'chaos-operator').catch(() => undefined);
      }
      if (Date.now() - started > ROUND_LIMIT_MS) break;
      await sleep(500);
    }
    await events;
    clearTimeout(healthy);
    if (status?.state === 'completed' || status?.state === 'cancelled') status = await retrying(() => sendings.status(sendingId));
    await stack.stopWorkers();
    const unreplayable = await replayFails(sendings, sendingId, stack.workflowBundle, log);
    const rows = await allRows(bench.directory, sendingId);
    const ledger = (await stack.provider.ledger()).messages ?? [];
    const verdict = status
      ? checkRound({ provider: plan.provider, rows, ledger, status, cancelled, cancelRefused })
      : { twice: 0, lost: rows.length, unknown: 0, violations: [`the sending could not be read (${unreadable || 'no answer'})`] };
    if (unreplayable) verdict.violations.push(unreplayable);
    if (status && !['completed', 'cancelled'].includes(status.state))
      verdict.violations.push(`still ${status.state} after ${ROUND_LIMIT_MS / 60_000} minutes`);
    return {
      ...verdict,
      sendingId,
      messages: rows.length,
      seconds: Math.round((Date.now() - started) / 1000),
      endedAs: status?.state ?? 'unknown',
    };
  } finally {
    await stack.stopWorkers().catch(() => undefined);
    await bench.close();
  }
}

async function approvedSending(sendings: SendingClient, plan: RoundPlan): Promise<string> {
  const schedule =
    plan.laterMs === null
      ? ({ mode: 'now' } as const)
      : ({
          mode: 'later',
          localDateTime: DateTime.now().setZone('America/Toronto').plus({ milliseconds: plan.laterMs }).toFormat("yyyy-MM-dd'T'HH:mm:ss"),
          timeZone: 'America/Toronto',
        } as const);
  const { sendingId } = await sendings.create({ projectId: 'chaos', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'chaos', {
    tuning: { batchSize: 100, batchesPerRun: 4 },
  });
  await sendings.prepare(sendingId, { message: 'Chaos {{firstName}}. Reply STOP to opt out', schedule }, 'chaos');
  await sendings.requestApproval(sendingId, 'chaos');
  await sendings.approve(sendingId, { approver: 'chaos-approver' });
  return sendingId;
}

/**
 * Every run of the sending replays with the workers' code: a worker that lost its cache (or a query with no
 * worker holding the run) must be able to carry on from any history a round recorded. A run that does not
 * is saved as JSON for `Worker.runReplayHistory` and named in the violation.
 */
async function replayFails(
  sendings: SendingClient,
  sendingId: string,
  bundle: string,
  log: (line: string) => void,
): Promise<string | null> {
  try {
    await replayEveryRun(sendings, sendingId, bundle);
    return null;
  } catch (err) {
    if (!(err instanceof RunDoesNotReplay)) return `the runs could not be replayed: ${err instanceof Error ? err.message : String(err)}`;
    const folder = join(tmpdir(), 'sms-chaos-histories');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${sendingId}-${err.runId}.json`);
    writeFileSync(file, historyToJSON(err.history));
    log(`  history that does not replay saved to ${file}`);
    return err.message;
  }
}

async function allRows(directory: Awaited<ReturnType<typeof openBenchDirectory>>['directory'], sendingId: string): Promise<SnapshotRow[]> {
  const rows: SnapshotRow[] = [];
  for (let after = 0; ; ) {
    const page = await directory.readSnapshot(sendingId, after, 1000);
    rows.push(...page);
    if (page.length < 1000) return rows;
    after = page[page.length - 1].seq;
  }
}

/** Retries a call for up to a minute while the Temporal server restarts; an answer that does not come within a minute is an error. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await within(call(), 60_000, 'no answer within a minute');
    } catch (err) {
      if (Date.now() > deadline || err instanceof SendingError) throw err;
      await sleep(500);
    }
  }
}
