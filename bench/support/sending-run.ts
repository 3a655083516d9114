/** One sending through its whole life (create, prepare, approve, send) and the size of its Temporal history. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { SendingClient } from '../../client/sending-client';
import { sendingWorkflowId, type SendingStatus, type SendingTuning } from '../../workflows/messages';
import { MESSAGE } from './audience';

/** Prepares and approves a sending to the whole project. */
export async function prepareSending(
  sendings: SendingClient,
  projectId: string,
  tuning?: Partial<SendingTuning>,
): Promise<{ sendingId: string; prepareSeconds: number }> {
  const { sendingId } = await sendings.create(
    { projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' },
    'bench',
    tuning ? { tuning } : {},
  );
  const started = performance.now();
  await sendings.prepare(sendingId, { message: MESSAGE, schedule: { mode: 'now' } }, 'bench');
  const prepareSeconds = (performance.now() - started) / 1000;
  await sendings.requestApproval(sendingId, 'bench');
  await sendings.approve(sendingId, { approver: 'bench-approver' });
  return { sendingId, prepareSeconds };
}

export async function sendAndWait(
  sendings: SendingClient,
  sendingId: string,
  timeoutMs = 60 * 60_000,
): Promise<{ sendSeconds: number; status: SendingStatus }> {
  const started = performance.now();
  await sendings.send(sendingId, 'bench');
  const status = await sendings.waitFor(sendingId, ['completed', 'failed', 'cancelled'], { timeoutMs });
  if (status.state !== 'completed') throw new Error(`Sending ${sendingId} ended ${status.state}: ${status.failure ?? ''}`);
  return { sendSeconds: (performance.now() - started) / 1000, status };
}

export interface HistorySize {
  runs: number;
  events: number;
  bytes: number;
  maxRunEvents: number;
  maxRunBytes: number;
}

/** Events and encoded bytes of every run of the sending's continue-as-new chain. */
export async function historySize(client: Client, sendingId: string): Promise<HistorySize> {
  const workflowId = sendingWorkflowId(sendingId);
  const size: HistorySize = { runs: 0, events: 0, bytes: 0, maxRunEvents: 0, maxRunBytes: 0 };
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const events = history.events?.length ?? 0;
    const bytes = temporal.api.history.v1.History.encode(history).finish().length;
    size.runs++;
    size.events += events;
    size.bytes += bytes;
    size.maxRunEvents = Math.max(size.maxRunEvents, events);
    size.maxRunBytes = Math.max(size.maxRunBytes, bytes);
  }
  return size;
}
