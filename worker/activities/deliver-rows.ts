/** The rows of one batch attempt, worked through concurrently; stops starting messages once the batch stops. */
import { ApplicationFailure } from '@temporalio/common';
import type { SnapshotRow } from '../directory/directory';
import type { BatchControl, BatchInterruption } from './batch-control';
import type { ProjectStore } from '../directory/roles';
import { CallGate } from './call-gate';
import { deliverRecipient, type RecipientDeps } from './deliver-recipient';
import type { ActivityDeps, BatchCounts, SendBatchRequest } from './index';
import { createRecipientRules } from './recipient-rules';
import type { RowSource } from './row-source';
import { runLanes } from './run-pool';

export interface BatchRun {
  /** Each row's outcome, counted; rows the batch did not decide are not counted. */
  counts: BatchCounts;
  /** Why the batch ended before every row was decided; null when all were. */
  interrupted: BatchInterruption | null;
  /** Provider calls made (a message's retries each count; a row decided before this attempt makes none). */
  calls: number;
}

/** A row left undecided without a reason to stop (another attempt held it past its lease, then released it): run the batch again soon. */
const UNDECIDED_BACKOFF_MS = 1000;

const LANES_PER_CALL = 2;

export type DeliveryDeps = RecipientDeps & Pick<ActivityDeps, 'concurrency'> & { directory: RecipientDeps['directory'] & ProjectStore };

export const emptyCounts = (total = 0): BatchCounts => ({ total, sent: 0, failed: 0, skipped: 0, unknown: 0, held: 0 });

export async function deliverRows(
  deps: DeliveryDeps,
  request: SendBatchRequest,
  rows: RowSource,
  control: BatchControl,
): Promise<BatchRun> {
  const counts = emptyCounts();
  if (rows.empty) return { counts, interrupted: null, calls: 0 };
  const project = await deps.directory.getProject(request.projectId);
  if (!project) throw ApplicationFailure.nonRetryable(`Project "${request.projectId}" no longer exists.`, 'DirectoryInputError');
  const rules = createRecipientRules(project);
  // No sender on the sending: the project's (the one the validation points judged).
  const senderId = request.senderId ?? project.senderId ?? null;
  let undecided = 0;
  let calls = 0;
  const provider: DeliveryDeps['provider'] = Object.create(deps.provider, {
    send: { value: (sms: Parameters<DeliveryDeps['provider']['send']>[0]) => ((calls += 1), deps.provider.send(sms)) },
  });
  // Twice as many lanes as messages at the provider: half of them write outcomes or check rules while the others call.
  const gate = new CallGate(deps.concurrency);
  const next = async (): Promise<SnapshotRow | undefined> => (control.stopped ? undefined : rows.next());
  await runLanes(next, LANES_PER_CALL * deps.concurrency, async (row) => {
    if (control.stopped) return;
    const pass = gate.pass();
    try {
      const outcome = await deliverRecipient({ ...deps, provider }, { ...request, senderId }, row, rules, control, pass);
      if (outcome === 'interrupted') undecided += 1;
      else counts[outcome] += 1;
    } finally {
      pass.leave();
    }
  });
  counts.total = rows.taken;
  if (!control.stopped && undecided > 0) {
    control.stop({
      kind: 'backoff',
      untilMs: Date.now() + UNDECIDED_BACKOFF_MS,
      reason: `${undecided} message(s) of the batch were still held by another attempt`,
    });
  }
  if (control.stopped) deps.metrics?.batchInterrupted(control.stopped.kind);
  return { counts, interrupted: control.stopped, calls };
}
