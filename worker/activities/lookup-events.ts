/**
 * The lookups of what sendings did, for nodes that only talk to Temporal: the audit log as sending
 * events (the Durable SMS Trigger) and a sending's delivery summary (Send SMS). The answers land in the
 * lookup workflow's history: ids, counts and masked text only, never a phone number.
 */
import { actionsOfEvents, eventDetail, eventOfAction } from '../../domain/sending-events';
import type { DirectoryAnswer, DirectoryLookup, SendingEvent } from '../../workflows/messages';
import type { Deliveries } from '../directory/deliveries';
import { DirectoryInputError } from '../directory/errors';
import type { EventLog } from '../directory/events';

export type EventsDirectory = EventLog & Pick<Deliveries, 'deliverySummary'>;

/** At most this many events per lookup. */
export const MAX_EVENTS_PER_LOOKUP = 100;
/** How old an event must be before a cursor read returns it (commit order and clock skew; events.ts). */
export const EVENT_SETTLE_MS = 2_000;

export async function lookupEvents(
  directory: EventsDirectory,
  request: Extract<DirectoryLookup, { kind: 'events' }>,
): Promise<DirectoryAnswer<typeof request>> {
  const afterId = Number(request.afterId ?? 0);
  const limit = Number(request.limit);
  if (!Number.isSafeInteger(afterId) || afterId < 0)
    throw new DirectoryInputError(`"afterId" must be a whole number ≥ 0, not ${JSON.stringify(request.afterId)}.`);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new DirectoryInputError(`"limit" must be a whole number ≥ 1, not ${JSON.stringify(request.limit)}.`);
  if (request.projectId !== undefined && typeof request.projectId !== 'string')
    throw new DirectoryInputError(`"projectId" must be text, not ${JSON.stringify(request.projectId)}.`);
  if (request.events !== undefined && (!Array.isArray(request.events) || request.events.some((name) => typeof name !== 'string')))
    throw new DirectoryInputError(`"events" must be a list of event names, not ${JSON.stringify(request.events)}.`);
  const unknown = (request.events ?? []).filter((name) => actionsOfEvents([name]).length === 0);
  if (unknown.length > 0) throw new DirectoryInputError(`Unknown sending event(s): ${unknown.join(', ')}.`);
  const settleMs = Number(request.settleMs ?? EVENT_SETTLE_MS);
  if (!Number.isSafeInteger(settleMs) || settleMs < 0 || settleMs > 60_000)
    throw new DirectoryInputError(
      `"settleMs" must be a whole number of milliseconds from 0 to 60000, not ${JSON.stringify(request.settleMs)}.`,
    );
  const records = await directory.readEvents({
    actions: actionsOfEvents(request.events),
    ...(request.projectId ? { projectId: request.projectId } : {}),
    afterId,
    limit: Math.min(limit, MAX_EVENTS_PER_LOOKUP),
    newest: request.newest === true,
    settledBefore: Date.now() - settleMs,
  });
  const events: SendingEvent[] = [];
  for (const record of records) {
    const event = eventOfAction(record.action)!;
    events.push({
      id: record.id,
      event,
      sendingId: record.sendingId,
      projectId: record.projectId,
      at: new Date(record.at).toISOString(),
      actor: record.actor,
      detail: eventDetail(record.detail),
      ...(event === 'completed' ? { delivery: await directory.deliverySummary(record.sendingId) } : {}),
    });
  }
  return events;
}

export async function lookupDeliverySummary(
  directory: EventsDirectory,
  request: Extract<DirectoryLookup, { kind: 'deliverySummary' }>,
): Promise<DirectoryAnswer<typeof request>> {
  if (typeof request.sendingId !== 'string' || !request.sendingId.trim()) throw new DirectoryInputError('"sendingId" is empty.');
  return directory.deliverySummary(request.sendingId);
}
