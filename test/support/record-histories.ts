/**
 * Records the histories replayed by test/workflow/replay.test.ts. Run it after a deliberate change to
 * the workflow (with a version gate for running sendings), against a dev server:
 *   TEMPORAL_ADDRESS=127.0.0.1:7233 node --import tsx test/support/record-histories.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { bundleWorkflowCode } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { sendingWorkflowId } from '../../workflows/messages';
import { openFreshSqliteDirectory } from './directories';
import { ROOT, WORKFLOW_BUNDLE_PATH } from './paths';
import { seedAcme, seedBulk } from './seed';
import { startTestWorker } from './temporal';

const OUT = join(ROOT, 'test', 'fixtures', 'histories');
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
  const env = await startTestWorker({ directory });
  const s = env.client;
  const save = async (name: string, sendingId: string, runId?: string) => {
    const history = await s.client.workflow.getHandle(sendingWorkflowId(sendingId), runId).fetchHistory();
    writeFileSync(join(OUT, `${name}.json`), historyToJSON(history));
  };
  const vip = { projectId: 'acme', audience: 'groups' as const, groups: ['vip', 'newsletter'], duplicatePolicy: 'perNumber' as const };
  try {
    const now = (await s.create(vip, 'paula')).sendingId;
    await s.count(now, 'paula');
    await s.prepare(now, { message: 'Hi {{firstName}}', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(now, 'paula');
    await s.approve(now, { approver: 'alex' });
    await s.send(now, 'paula');
    await s.waitFor(now, ['completed']);
    await save('completed-now', now);

    const later = (await s.create(vip, 'paula')).sendingId;
    await s.prepare(later, { message: 'Hi', schedule: { mode: 'later', localDateTime: soon(3600), timeZone: 'America/Toronto' }, refreshAtSend: true }, 'paula');
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

    const expiring = (await s.create({ ...vip, projectId: 'hasty' }, 'paula')).sendingId;
    await s.prepare(expiring, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(expiring, 'paula');
    await s.waitFor(expiring, ['prepared']);
    await s.cancel(expiring, 'approval expired', 'paula');
    await save('approval-expired', expiring);

    // Montreal numbers: the Quebec window opens 3 s from now; two approvers.
    const opens = DateTime.now().setZone('America/Toronto').plus({ seconds: 3 }).toFormat('HH:mm:ss');
    await directory.upsertProject({
      id: 'night',
      name: 'Night',
      compliance: { quietHours: { enabled: true, rules: [{ region: 'CA-QC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: opens, end: '24:00' }] }] }, approval: { approvalsRequired: 2 } },
    });
    const held = (await s.create({ ...vip, projectId: 'night' }, 'paula')).sendingId;
    await s.prepare(held, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(held, 'paula');
    await s.approve(held, { approver: 'alex' });
    await s.approve(held, { approver: 'bea' });
    await s.send(held, 'paula');
    await s.waitFor(held, ['completed']);
    await save('held-by-quiet-hours', held);

    const rejected = (await s.create(vip, 'paula')).sendingId;
    await s.prepare(rejected, { message: 'Hi', schedule: { mode: 'now' } }, 'paula');
    await s.reject(rejected, { approver: 'alex', reason: 'typo' });
    await save('rejected', rejected);

    const cancelled = (await s.create(vip, 'paula')).sendingId;
    await s.prepare(cancelled, { message: 'Hi', schedule: { mode: 'later', localDateTime: soon(3600), timeZone: 'America/Toronto' } }, 'paula');
    await s.requestApproval(cancelled, 'paula');
    await s.approve(cancelled, { approver: 'alex' });
    await s.send(cancelled, 'paula');
    await s.cancel(cancelled, 'postponed', 'paula');
    await save('cancelled-while-scheduled', cancelled);

    const bulk = (await s.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops', { tuning: { batchSize: 20, batchesPerRun: 2 } })).sendingId;
    const firstRun = (await s.handle(bulk).describe()).runId;
    await s.prepare(bulk, { message: 'Bulk', schedule: { mode: 'now' } }, 'ops');
    await s.requestApproval(bulk, 'ops');
    await s.approve(bulk, { approver: 'boss' });
    await s.send(bulk, 'ops');
    await s.waitFor(bulk, ['completed']);
    await save('continued-as-new-first-run', bulk, firstRun);
    await save('continued-as-new-last-run', bulk);
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
