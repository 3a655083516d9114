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

/**
 * Sends and polls the status until the sending ends. `whenSent`, awaited between the `send` update and
 * the first status query, lets many sendings wait for the endpoint instead (each status query is a task
 * for a worker, which would load the workers being measured). `sendAtMs`: when `send` was called (epoch ms).
 */
export async function sendAndWait(
  sendings: SendingClient,
  sendingId: string,
  options: { timeoutMs?: number; whenSent?: () => Promise<void> } = {},
): Promise<{ sendSeconds: number; sendAtMs: number; status: SendingStatus }> {
  const started = performance.now();
  await sendings.send(sendingId, 'bench');
  await options.whenSent?.();
  const status = await sendings.waitFor(sendingId, ['completed', 'failed', 'cancelled'], { timeoutMs: options.timeoutMs ?? 60 * 60_000 });
  if (status.state !== 'completed') throw new Error(`Sending ${sendingId} ended ${status.state}: ${status.failure ?? ''}`);
  return { sendSeconds: (performance.now() - started) / 1000, sendAtMs: performance.timeOrigin + started, status };
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

/**
 * Temporal Cloud Actions of the sending, estimated from its histories the way docs.temporal.io
 * "Temporal Cloud Actions" counts them: a workflow started (the first run and each continue-as-new),
 * an activity scheduled, each retry of one (its started event's attempt - 1), a timer, a search
 * attribute upsert, an update accepted or rejected, a signal. Activity heartbeats are not in the
 * history: each activity heartbeats at once and then once a second while it runs (the worker's
 * throttle, maxHeartbeatThrottleInterval), so they are estimated as 1 + whole seconds it ran.
 */
export interface ActionEstimate {
  workflowStarts: number;
  activities: number;
  activityRetries: number;
  timers: number;
  searchAttributeUpserts: number;
  updates: number;
  signals: number;
  /** Estimated, see above. */
  heartbeats: number;
  total: number;
}

export async function billableActions(client: Client, sendingId: string): Promise<ActionEstimate> {
  const workflowId = sendingWorkflowId(sendingId);
  const a: ActionEstimate = {
    workflowStarts: 0,
    activities: 0,
    activityRetries: 0,
    timers: 0,
    searchAttributeUpserts: 0,
    updates: 0,
    signals: 0,
    heartbeats: 0,
    total: 0,
  };
  const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
    t ? Number(t.seconds ?? 0) + (t.nanos ?? 0) / 1e9 : 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const startedAt = new Map<string, number>();
    for (const event of history.events ?? []) {
      if (event.workflowExecutionStartedEventAttributes) a.workflowStarts++;
      if (event.activityTaskScheduledEventAttributes) a.activities++;
      if (event.timerStartedEventAttributes) a.timers++;
      if (event.upsertWorkflowSearchAttributesEventAttributes) a.searchAttributeUpserts++;
      if (event.workflowExecutionUpdateAcceptedEventAttributes) a.updates++;
      if (event.workflowExecutionSignaledEventAttributes) a.signals++;
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        a.activityRetries += Math.max(0, (started.attempt ?? 1) - 1);
        startedAt.set(String(started.scheduledEventId), seconds(event.eventTime));
      }
      const closed =
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes ??
        event.activityTaskCanceledEventAttributes;
      const from = closed ? startedAt.get(String(closed.scheduledEventId)) : undefined;
      if (from !== undefined) a.heartbeats += 1 + Math.floor(Math.max(0, seconds(event.eventTime) - from));
    }
  }
  a.total =
    a.workflowStarts + a.activities + a.activityRetries + a.timers + a.searchAttributeUpserts + a.updates + a.signals + a.heartbeats;
  return a;
}
