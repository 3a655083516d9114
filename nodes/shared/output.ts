import type { IDataObject, NodeExecutionHint } from 'n8n-workflow';
import type { AudienceCount } from '../../domain/types';
import type { SendingEvent, SendingStatus } from '../../workflows/messages';
import type { DeliverySummary } from '../../worker/directory/deliveries';

/** A sending's status as an item: `sendingId` first, so the next node's default expression finds it. */
export function statusItem(status: SendingStatus): IDataObject {
  return { ...(status as unknown as IDataObject) };
}

/**
 * A prepared sending as an item: what a builder checks first (messages, parts, cost, warnings, send
 * time as ISO) above the full status.
 */
export function preparedItem(status: SendingStatus): IDataObject {
  const prepared = status.prepared;
  if (!prepared) return statusItem(status);
  const point = (code: string) => prepared.report.points.find((p) => p.code === code);
  const cost = point('COST')?.data as { estimate?: number; currency?: string } | undefined;
  return {
    sendingId: status.sendingId,
    state: status.state,
    messages: prepared.summary.messages,
    segments: (point('SEGMENTS')?.data as { total?: number } | undefined)?.total ?? null,
    estimatedCost: cost?.estimate !== undefined ? { amount: cost.estimate, currency: cost.currency } : null,
    warnings: prepared.report.points.filter((p) => p.level === 'warn').map((p) => `${p.code}: ${p.message}`),
    sendAt: prepared.sendAtMs === null ? 'now' : new Date(prepared.sendAtMs).toISOString(),
    ...statusItem(status),
  };
}

const isoOrNull = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/** Prepare Sending's output with Simplify on: what a builder checks, and the id the next node needs. */
export function simplePreparedItem(status: SendingStatus): IDataObject {
  const { sendingId, state, messages, segments, estimatedCost, warnings, sendAt } = preparedItem(status);
  return { sendingId, state, messages, segments, estimatedCost, warnings, sendAt, message: status.prepared?.message ?? null };
}

/** Send SMS's output with Simplify on: the counts first, times as ISO text. */
export function simpleSendItem(status: SendingStatus): IDataObject {
  const { sent, failed, skipped, unknown, held, total } = status.progress;
  const ended = [...status.audit].reverse().find((entry) => ['completed', 'cancelled', 'failed'].includes(entry.action));
  return {
    sendingId: status.sendingId,
    state: status.state,
    sent,
    failed,
    skipped,
    unknown,
    held,
    total,
    sendAt: isoOrNull(status.sendAtMs),
    completedAt: status.state === 'completed' ? isoOrNull(ended?.atMs) : null,
    failure: status.failure ?? status.cancellation?.reason ?? null,
  };
}

/** The warnings of a prepared sending, shown above the output pane. */
export function preparedHints(status: SendingStatus): NodeExecutionHint[] {
  return (status.prepared?.report.points ?? [])
    .filter((p) => p.level === 'warn')
    .map((p) => ({ message: `${p.code}: ${p.message}`, type: 'warning', location: 'outputPane' }));
}

/** Select Recipients' output: the new sending, and the contact fields its message can use, near the top of the next node's input pane. */
export function selectedItem(status: SendingStatus, contactFields: string[]): IDataObject {
  return { sendingId: status.sendingId, contactFields, ...statusItem(status) };
}

/** Under Select Recipients' output: how to write the project's fields in Prepare Sending's Message. */
export function contactFieldsHint(projectId: string, contactFields: string[]): NodeExecutionHint {
  const list = contactFields.map((name) => `[[${name}]]`).join(', ');
  return {
    message:
      contactFields.length > 0
        ? `Contact fields of project ${projectId} for the Message: ${list}`
        : `The contacts of project ${projectId} have no profile fields to personalize with (only their numbers)`,
    type: 'info',
    location: 'outputPane',
  };
}

export function countItem(sendingId: string, count: AudienceCount): IDataObject {
  return { sendingId, ...(count as unknown as IDataObject) };
}

/** A delivery summary as an item's field: the final outcomes first, then what awaits, the reasons and kill-list entries. */
export function deliveryItem(summary: DeliverySummary): IDataObject {
  const { delivered, read, undelivered, failed, awaitingReceipt, sent, byErrorCode, killListed } = summary;
  return { delivered, read, undelivered, failed, awaitingReceipt, sent, failedByReason: byErrorCode, killListed };
}

/** What the detail of an event shows with Simplify on: without hashes and the dispatch's cursor. */
const NOT_SIMPLE = ['hash', 'cursor', 'pending'];

/** A sending event as the Durable SMS Trigger outputs it: what happened, to which sending, when, then its detail. */
export function eventItem(event: SendingEvent, simplify: boolean): IDataObject {
  if (!simplify) return { ...(event as unknown as IDataObject) };
  const detail = Object.fromEntries(Object.entries(event.detail).filter(([key]) => !NOT_SIMPLE.includes(key)));
  return {
    event: event.event,
    sendingId: event.sendingId,
    projectId: event.projectId,
    at: event.at,
    actor: event.actor,
    ...(event.delivery ? { delivery: deliveryItem(event.delivery) } : {}),
    ...detail,
  };
}

/** Send SMS's output after waiting: the sending's item, then its delivery summary and whether every receipt is in. */
export function withDelivery(
  item: IDataObject,
  wait: { summary: DeliverySummary; receiptsComplete: boolean },
  simplify: boolean,
): IDataObject {
  return { ...item, delivery: simplify ? deliveryItem(wait.summary) : { ...wait.summary }, receiptsComplete: wait.receiptsComplete };
}
