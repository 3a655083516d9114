/**
 * Records the histories replayed by test/workflow/replay.test.ts, against a dev server:
 *   TEMPORAL_ADDRESS=127.0.0.1:7233 node --import tsx test/support/record-histories.ts [name ...]
 * (a name is a scenario below: `continued-as-new`, `parallel-batches` and `parallel-batches-bounded` write a first-run
 * and a last-run history, `time-limited-batches-counted` a first-run one).
 * Histories recorded by an earlier version of the workflow stay: they prove that sendings started before a
 * change still replay (the change needs a version gate, `patched()`). Record only the new scenarios by name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { bundleWorkflowCode } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { WorkflowUpdateStage } from '@temporalio/client';
import { pauseUpdate, resumeUpdate, sendingWorkflowId, type SendingTuning } from '../../workflows/messages';
import type { Directory } from '../../worker/directory/directory';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { ProviderAccountError, type SmsProvider } from '../../worker/providers/provider';
import { openFreshSqliteDirectory } from './directories';
import { ROOT, WORKFLOW_BUNDLE_PATH } from './paths';
import { seedAcme, seedBulk } from './seed';
import { startTestWorker } from './temporal';

const OUT = join(ROOT, 'test', 'fixtures', 'histories');
const ONLY = process.argv.slice(2);
const wanted = (name: string): boolean => ONLY.length === 0 || ONLY.includes(name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const soon = (seconds: number) => DateTime.now().setZone('America/Toronto').plus({ seconds }).toFormat("yyyy-MM-dd'T'HH:mm:ss");

async function main(): Promise<void> {
  writeFileSync(WORKFLOW_BUNDLE_PATH, (await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') })).code);
  const fresh = await openFreshSqliteDirectory();
  const { directory } = fresh;
  await seedAcme(directory);
  await seedAcme(directory, 'hasty');
  await directory.upsertProject({ id: 'hasty', name: 'Hasty', compliance: { approval: { expiresAfterHours: 2 / 3600 } } });
  await seedAcme(directory, 'night');
  await seedBulk(directory, 'bulk', 120);
  // The outbox, steered by the scenarios: it can refuse the account, answer slowly (or slowly to one number), or refuse one number.
  const outbox = createOutboxProvider(directory);
  const steer = {
    refuseAccount: false,
    delayMs: 0,
    refuseNumber: null as string | null,
    slowNumber: null as string | null,
    /** Set: a cancel's dispatch stop says it started, then waits until the scenario lets it go on. */
    cancelStop: null as { started: () => void; goOn: Promise<void> } | null,
  };
  const provider: SmsProvider = {
    name: 'outbox',
    idempotent: true,
    async send(sms) {
      if (steer.delayMs > 0) await sleep(steer.delayMs);
      if (sms.to === steer.slowNumber) await sleep(3000);
      if (steer.refuseAccount) throw new ProviderAccountError('the outbox refused the account (recording)', '20003');
      if (sms.to === steer.refuseNumber) return { status: 'rejected', reason: '21408: region not enabled (recording)', code: '21408' };
      return outbox.send(sms);
    },
  };
  // The directory as the worker sees it: a cancel's dispatch stop can be held, so that a pause or resume arrives while the cancel is carried out.
  const steered = new Proxy(directory, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key === 'stopDispatch')
        return async (...args: Parameters<Directory['stopDispatch']>) => {
          const gate = steer.cancelStop;
          if (gate && args[1].kind === 'cancelled') {
            gate.started();
            await gate.goOn;
          }
          return target.stopDispatch(...args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const env = await startTestWorker({ directory: steered, provider });
  const s = env.client;
  const save = async (name: string, sendingId: string, runId?: string) => {
    const history = await s.client.workflow.getHandle(sendingWorkflowId(sendingId), runId).fetchHistory();
    writeFileSync(join(OUT, `${name}.json`), historyToJSON(history));
  };
  const vip = { projectId: 'acme', audience: 'groups' as const, groups: ['vip', 'newsletter'], duplicatePolicy: 'perNumber' as const };
  try {
    if (wanted('completed-now')) {
      const now = (await s.create(vip, 'paula')).sendingId;
      await s.count(now, 'paula');
      await s.prepare(now, { message: 'Hi {{firstName}}', schedule: { mode: 'now' } }, 'paula');
      await s.requestApproval(now, 'paula');
      await s.approve(now, { approver: 'alex' });
      await s.send(now, 'paula');
      await s.waitFor(now, ['completed']);
      await save('completed-now', now);
    }

    if (wanted('rescheduled-refreshed')) {
      const later = (await s.create(vip, 'paula')).sendingId;
      await s.prepare(
        later,
        { message: 'Hi', schedule: { mode: 'later', localDateTime: soon(3600), timeZone: 'America/Toronto' }, refreshAtSend: true },
        'paula',
      );
      await s.requestApproval(later, 'paula');
      await s.handle(later).signal('reject', { approver: 'alex', reason: '' });
      await s.handle(later).signal('approve', { approver: 'alex' });
      await s.waitFor(later, ['approved']);
      await s.send(later, 'paula');
      const moved = await s.reschedule(later, { mode: 'later', localDateTime: soon(4), timeZone: 'America/Toronto' }, 'paula');
      await s.approve(later, { approver: 'alex', hash: moved.approvalHash! });
      await s.send(later, 'paula');
      await s.waitFor(later, ['completed']);
      await save('rescheduled-refreshed', later);
    }

    if (wanted('approval-expired')) {
      const expiring = (await s.create({ ...vip, projectId: 'hasty' }, 'paula')).sendingId;
      await s.prepare(expiring, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
      await s.requestApproval(expiring, 'paula');
      await s.waitFor(expiring, ['prepared']);
      await s.cancel(expiring, 'approval expired', 'paula');
      await save('approval-expired', expiring);
    }

    // The same scenario twice: `held-by-quiet-hours` was recorded before the held audit, `held-by-quiet-hours-audited`
    // with it (patch `held-by-quiet-hours-audited`).
    for (const name of ['held-by-quiet-hours', 'held-by-quiet-hours-audited'].filter(wanted)) {
      // Montreal numbers: the Quebec window opens 3 s from now; two approvers.
      const opens = DateTime.now().setZone('America/Toronto').plus({ seconds: 3 }).toFormat('HH:mm:ss');
      await directory.upsertProject({
        id: 'night',
        name: 'Night',
        compliance: {
          quietHours: {
            enabled: true,
            rules: [
              { region: 'CA-QC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: opens, end: '24:00' }] },
            ],
          },
          approval: { approvalsRequired: 2 },
        },
      });
      const held = (await s.create({ ...vip, projectId: 'night' }, 'paula')).sendingId;
      await s.prepare(held, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
      await s.requestApproval(held, 'paula');
      await s.approve(held, { approver: 'alex' });
      await s.approve(held, { approver: 'bea' });
      await s.send(held, 'paula');
      await s.waitFor(held, ['completed']);
      await save(name, held);
    }

    if (wanted('rejected')) {
      const rejected = (await s.create(vip, 'paula')).sendingId;
      await s.prepare(rejected, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
      await s.reject(rejected, { approver: 'alex', reason: 'typo' });
      await save('rejected', rejected);
    }

    if (wanted('cancelled-while-scheduled')) {
      const cancelled = (await s.create(vip, 'paula')).sendingId;
      await s.prepare(
        cancelled,
        { message: 'Hi', schedule: { mode: 'later', localDateTime: soon(3600), timeZone: 'America/Toronto' } },
        'paula',
      );
      await s.requestApproval(cancelled, 'paula');
      await s.approve(cancelled, { approver: 'alex' });
      await s.send(cancelled, 'paula');
      await s.cancel(cancelled, 'postponed', 'paula');
      await save('cancelled-while-scheduled', cancelled);
    }

    if (wanted('continued-as-new')) {
      const bulk = (
        await s.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops', {
          tuning: { batchSize: 20, batchesPerRun: 2 },
        })
      ).sendingId;
      const firstRun = (await s.handle(bulk).describe()).runId;
      await s.prepare(bulk, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
      await s.requestApproval(bulk, 'ops');
      await s.approve(bulk, { approver: 'boss' });
      await s.send(bulk, 'ops');
      await s.waitFor(bulk, ['completed']);
      await save('continued-as-new-first-run', bulk, firstRun);
      await save('continued-as-new-last-run', bulk);
    }
    const approvedBulk = async (tuning?: Partial<SendingTuning>): Promise<string> => {
      const everyone = { projectId: 'bulk', audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
      const id = (await s.create(everyone, 'ops', tuning ? { tuning } : {})).sendingId;
      await s.prepare(id, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
      await s.requestApproval(id, 'ops');
      await s.approve(id, { approver: 'boss' });
      return id;
    };
    if (wanted('paused-resumed')) {
      const id = await approvedBulk();
      steer.refuseAccount = true;
      await s.send(id, 'ops');
      await s.waitFor(id, ['paused']);
      steer.refuseAccount = false;
      await s.resume(id, 'ops');
      await s.waitFor(id, ['completed']);
      await save('paused-resumed', id);
    }
    if (wanted('cancelled-while-sending')) {
      const id = await approvedBulk();
      steer.delayMs = 200;
      await s.send(id, 'ops');
      await sleep(700);
      await s.cancel(id, 'wrong audience', 'ops');
      steer.delayMs = 0;
      await save('cancelled-while-sending', id);
    }
    if (wanted('retried-after-completion')) {
      const id = await approvedBulk();
      steer.refuseNumber = (await directory.readSnapshot(id, 0, 1))[0].e164;
      await s.send(id, 'ops');
      await s.waitFor(id, ['completed']);
      steer.refuseNumber = null;
      await s.retryRecipients(id, { include: ['failed'] }, 'ops');
      await s.waitFor(id, ['completed'], { until: (status) => status.progress.failed === 0 });
      await save('retried-after-completion', id);
    }
    if (wanted('parallel-batches')) {
      // Four batches in flight at once, paused and resumed while they are, over several runs.
      const id = (
        await s.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops', {
          tuning: { batchSize: 10, batchesPerRun: 4, parallelBatches: 4 },
        })
      ).sendingId;
      const firstRun = (await s.handle(id).describe()).runId;
      await s.prepare(id, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
      await s.requestApproval(id, 'ops');
      await s.approve(id, { approver: 'boss' });
      steer.delayMs = 150;
      await s.send(id, 'ops');
      await sleep(500);
      await s.pause(id, 'checking the link', 'ops');
      await s.resume(id, 'ops');
      await s.waitFor(id, ['completed']);
      steer.delayMs = 0;
      await save('parallel-batches-first-run', id, firstRun);
      await save('parallel-batches-last-run', id);
    }
    if (wanted('approval-signals-checked')) {
      // Signals checked field by field (patch `signal-input-checks`): a reject with an unknown field is refused
      // (before the check it rejected the sending), then an approve by signal goes through.
      const id = (await s.create(vip, 'paula')).sendingId;
      await s.prepare(id, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
      await s.requestApproval(id, 'paula');
      await s.handle(id).signal('reject', { approver: 'alex', reason: 'typo', urgent: true });
      await s.handle(id).signal('approve', { approver: 'alex' });
      await s.waitFor(id, ['approved']);
      await s.send(id, 'ops');
      await s.waitFor(id, ['completed']);
      await save('approval-signals-checked', id);
    }
    if (wanted('parallel-batches-bounded')) {
      // The range at the cursor is slow (its first recipient answers after 3 s) while the other lanes are fast: the
      // first run launches batchesPerRun + parallelBatches - 1 = 5 ranges, not the whole snapshot (patch
      // `parallel-batches-bounded-run`), and continues as new.
      const id = (
        await s.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops', {
          tuning: { batchSize: 10, batchesPerRun: 2, parallelBatches: 4 },
        })
      ).sendingId;
      const firstRun = (await s.handle(id).describe()).runId;
      await s.prepare(id, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
      await s.requestApproval(id, 'ops');
      await s.approve(id, { approver: 'boss' });
      steer.slowNumber = (await directory.readSnapshot(id, 0, 1))[0].e164;
      await s.send(id, 'ops');
      await s.waitFor(id, ['completed']);
      steer.slowNumber = null;
      await save('parallel-batches-bounded-first-run', id, firstRun);
      await save('parallel-batches-bounded-last-run', id);
    }
    if (wanted('batches-sized-by-time')) {
      // The first pass's batches grow from batchSize (5) towards a few seconds of messages, at most 4 times a batch, up
      // to maxBatchSize (40), two at once (patch `batches-sized-by-time`).
      const id = await approvedBulk({ batchSize: 5, maxBatchSize: 40, parallelBatches: 2 });
      steer.delayMs = 20;
      await s.send(id, 'ops');
      await s.waitFor(id, ['completed']);
      steer.delayMs = 0;
      await save('batches-sized-by-time', id);
    }
    if (wanted('batches-sized-by-time-resumed')) {
      // Batches sized by time (their answers say how many calls each made), paused while two ranges of different
      // sizes are in flight and resumed: the ranges done above the cursor run again and make no call.
      const id = await approvedBulk({ batchSize: 5, maxBatchSize: 40, parallelBatches: 2 });
      steer.delayMs = 30;
      await s.send(id, 'ops');
      while ((await directory.progress(id)).sent < 40) await sleep(10);
      await s.pause(id, 'checking the link', 'ops');
      await s.resume(id, 'ops');
      await s.waitFor(id, ['completed']);
      steer.delayMs = 0;
      await save('batches-sized-by-time-resumed', id);
    }
    if (wanted('time-limited-batches-counted')) {
      // A worker whose batches stop after 1 s, 4 lanes at 400 ms an answer: each range of 40 is cut by the limit. With
      // batchesPerRun 1 the cut attempt ends the run, which continues as new without running the range again
      // (patch `time-limited-batches-counted`); the first run is saved.
      const limited = await startTestWorker({ directory: steered, provider, concurrency: 4, dispatch: { batchTimeLimitMs: 1000 } });
      try {
        const everyone = { projectId: 'bulk', audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
        const id = (await limited.client.create(everyone, 'ops', { tuning: { batchSize: 40, batchesPerRun: 1 } })).sendingId;
        const firstRun = (await limited.client.handle(id).describe()).runId;
        await limited.client.prepare(id, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
        await limited.client.requestApproval(id, 'ops');
        await limited.client.approve(id, { approver: 'boss' });
        steer.delayMs = 400;
        await limited.client.send(id, 'ops');
        await limited.client.waitFor(id, ['completed'], { timeoutMs: 180_000 });
        steer.delayMs = 0;
        const history = await limited.client.client.workflow.getHandle(sendingWorkflowId(id), firstRun).fetchHistory();
        writeFileSync(join(OUT, 'time-limited-batches-counted-first-run.json'), historyToJSON(history));
      } finally {
        await limited.stop();
      }
    }
    // A pause (of a sending sending) or a resume (of a paused one) that arrives while a cancel is carried out: the
    // cancel's dispatch stop is held until the workflow accepted the pause or resume, which then waits for the cancel
    // and is refused (patch `pause-and-resume-refused-while-cancelling`).
    const refusedWhileCancelling = async (id: string, verb: 'pause' | 'resume'): Promise<void> => {
      let started!: () => void;
      let goOn!: () => void;
      const stopStarted = new Promise<void>((resolve) => (started = resolve));
      steer.cancelStop = { started, goOn: new Promise<void>((resolve) => (goOn = resolve)) };
      const cancelled = s.cancel(id, 'wrong audience', 'ops');
      await stopStarted;
      const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
      const refused = await (verb === 'pause'
        ? s.handle(id).startUpdate(pauseUpdate, { args: [{ actor: 'ops', reason: 'checking the link' }], ...accepted })
        : s.handle(id).startUpdate(resumeUpdate, { args: [{ actor: 'ops' }], ...accepted }));
      goOn();
      steer.cancelStop = null;
      if ((await cancelled).state !== 'cancelled') throw new Error(`Sending ${id} did not end cancelled.`);
      const outcome = await refused.result().then(
        () => 'applied',
        (err: unknown) => String((err as Error).cause ?? err),
      );
      if (!outcome.includes('it is being cancelled')) throw new Error(`The ${verb} was not refused: ${outcome}`);
    };
    if (wanted('pause-refused-while-cancelling')) {
      const id = await approvedBulk();
      steer.delayMs = 200;
      await s.send(id, 'ops');
      await s.waitFor(id, ['sending']);
      await refusedWhileCancelling(id, 'pause');
      steer.delayMs = 0;
      await save('pause-refused-while-cancelling', id);
    }
    if (wanted('resume-refused-while-cancelling')) {
      const id = await approvedBulk();
      steer.delayMs = 200;
      await s.send(id, 'ops');
      await s.waitFor(id, ['sending']);
      await s.pause(id, 'checking the link', 'ops');
      steer.delayMs = 0;
      await refusedWhileCancelling(id, 'resume');
      await save('resume-refused-while-cancelling', id);
    }
  } finally {
    await env.stop();
    await fresh.close();
  }
}

main().then(
  () => process.stdout.write(`histories written to ${OUT}\n`),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  },
);
