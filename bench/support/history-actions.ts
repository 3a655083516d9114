/**
 * What a sending's Temporal history holds, counted the way Temporal Cloud bills it (docs/scale.md):
 * events by type over every run of its continue-as-new chain, the billable Actions that history shows,
 * and an estimate of the activity heartbeats that reach the server (they are billed but not in history).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sendingWorkflowId } from '../../workflows/messages';

const { EventType } = temporal.api.enums.v1;

export interface HistoryActions {
  runs: number;
  events: number;
  bytes: number;
  eventsByType: Record<string, number>;
  /** Billable Actions visible in history: starts (continue-as-new included), timers, search-attribute upserts, signals, updates, activity attempts, local-activity marker groups. */
  actions: number;
  actionsByKind: Record<string, number>;
  /** Heartbeats the SDK lets through: the first, then one per 80% of the heartbeat timeout of each activity's run time. */
  heartbeatsEstimate: number;
}

const seconds = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  time ? Number(time.seconds ?? 0) + (time.nanos ?? 0) / 1e9 : 0;

export async function historyActions(client: Client, sendingId: string, heartbeatTimeoutSeconds = 30): Promise<HistoryActions> {
  const workflowId = sendingWorkflowId(sendingId);
  const result: HistoryActions = { runs: 0, events: 0, bytes: 0, eventsByType: {}, actions: 0, actionsByKind: {}, heartbeatsEstimate: 0 };
  const add = (kind: string, n = 1) => {
    result.actionsByKind[kind] = (result.actionsByKind[kind] ?? 0) + n;
    result.actions += n;
  };
  const throttle = 0.8 * heartbeatTimeoutSeconds;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const events = history.events ?? [];
    result.runs++;
    result.events += events.length;
    result.bytes += temporal.api.history.v1.History.encode(history).finish().length;
    const startedAt = new Map<number, number>();
    let markerTask = -1;
    for (const event of events) {
      const type = EventType[event.eventType ?? 0] ?? String(event.eventType);
      result.eventsByType[type] = (result.eventsByType[type] ?? 0) + 1;
      switch (event.eventType) {
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
          add('workflow started');
          break;
        case EventType.EVENT_TYPE_TIMER_STARTED:
          add('timer started');
          break;
        case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
          add('search attributes upserted');
          break;
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
          add('signal');
          break;
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
          add('update');
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
          // History keeps one Started event per activity, with the attempt that completed it: each attempt is billed.
          add('activity attempt', event.activityTaskStartedEventAttributes?.attempt ?? 1);
          startedAt.set(Number(event.activityTaskStartedEventAttributes?.scheduledEventId ?? 0), seconds(event.eventTime));
          break;
        }
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
          const attributes =
            event.activityTaskCompletedEventAttributes ??
            event.activityTaskFailedEventAttributes ??
            event.activityTaskTimedOutEventAttributes ??
            event.activityTaskCanceledEventAttributes;
          const started = startedAt.get(Number(attributes?.scheduledEventId ?? 0));
          if (started !== undefined) result.heartbeatsEstimate += 1 + Math.floor((seconds(event.eventTime) - started) / throttle);
          break;
        }
        case EventType.EVENT_TYPE_MARKER_RECORDED: {
          // Local activities of one workflow task are billed once; patch markers are not local activities.
          const task = Number(event.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? 0);
          if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity' && task !== markerTask) {
            markerTask = task;
            add('local activities');
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return result;
}
