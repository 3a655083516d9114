/** The Durable SMS Trigger's cursor: no backlog on the first poll, nothing lost or repeated after it, the filter passed on. */
import { EVENTS_PER_LOOKUP, LOOKUPS_PER_POLL, newestEvent, pollEvents, type EventCursor } from '../../nodes/DurableSmsTrigger/poll-events';
import { eventItem } from '../../nodes/shared/output';
import type { DirectoryLookup, SendingEvent } from '../../workflows/messages';

type EventsRequest = Extract<DirectoryLookup, { kind: 'events' }>;

const event = (id: number, name: SendingEvent['event'] = 'approved', projectId = 'acme'): SendingEvent => ({
  id,
  event: name,
  sendingId: `s${id}`,
  projectId,
  at: new Date(Date.UTC(2026, 10, 29) + id * 1000).toISOString(),
  actor: 'alex',
  detail: { hash: 'h', approval: 1 },
});

/** A fake audit log behind the lookup, answering like the worker does. */
function log(all: SendingEvent[]) {
  const requests: EventsRequest[] = [];
  const lookup = async (request: EventsRequest) => {
    requests.push(request);
    const matching = all.filter(
      (e) => (!request.projectId || e.projectId === request.projectId) && (!request.events?.length || request.events.includes(e.event)),
    );
    if (request.newest) return matching.slice(-request.limit).reverse();
    return matching.filter((e) => e.id > request.afterId).slice(0, request.limit);
  };
  return { all, requests, lookup };
}

const everything = { projectId: '', events: [] };

test('the first poll only places the cursor at the newest event of any kind: no flood of old events', async () => {
  const source = log([event(1), event(2, 'rejected', 'other'), event(3)]);
  const cursor: EventCursor = {};
  expect(await pollEvents(source.lookup, cursor, { projectId: 'acme', events: ['completed'] })).toEqual([]);
  expect(cursor).toEqual({ afterId: 3 });
  expect(source.requests).toEqual([{ kind: 'events', afterId: 0, limit: 1, newest: true }]);
  // Nothing new: nothing out, the cursor stays.
  expect(await pollEvents(source.lookup, cursor, everything)).toEqual([]);
  expect(cursor).toEqual({ afterId: 3 });
});

test('an empty log starts the cursor at 0, so the first event ever is not missed', async () => {
  const source = log([]);
  const cursor: EventCursor = {};
  await pollEvents(source.lookup, cursor, everything);
  expect(cursor).toEqual({ afterId: 0 });
  source.all.push(event(1, 'completed'));
  expect((await pollEvents(source.lookup, cursor, everything)).map((e) => e.id)).toEqual([1]);
});

test('later polls return what came after the cursor, each event once, in order, with the filter', async () => {
  const source = log([event(1)]);
  const cursor: EventCursor = { afterId: 1 };
  source.all.push(event(2, 'completed'), event(3, 'rejected', 'other'), event(4, 'rejected'));
  const filter = { projectId: 'acme', events: ['completed', 'rejected'] };
  expect((await pollEvents(source.lookup, cursor, filter)).map((e) => e.id)).toEqual([2, 4]);
  expect(source.requests.at(-1)).toEqual({
    kind: 'events',
    projectId: 'acme',
    events: ['completed', 'rejected'],
    afterId: 1,
    limit: EVENTS_PER_LOOKUP,
  });
  expect(cursor).toEqual({ afterId: 4 });
  expect(await pollEvents(source.lookup, cursor, filter)).toEqual([]);
});

test('a backlog is read page by page, at most LOOKUPS_PER_POLL pages per poll, the rest at the next poll', async () => {
  const total = EVENTS_PER_LOOKUP * LOOKUPS_PER_POLL + 5;
  const source = log(Array.from({ length: total }, (_, i) => event(i + 1)));
  const cursor: EventCursor = { afterId: 0 };
  const first = await pollEvents(source.lookup, cursor, everything);
  expect(first).toHaveLength(EVENTS_PER_LOOKUP * LOOKUPS_PER_POLL);
  expect(source.requests).toHaveLength(LOOKUPS_PER_POLL);
  const second = await pollEvents(source.lookup, cursor, everything);
  expect([...first, ...second].map((e) => e.id)).toEqual(source.all.map((e) => e.id));
});

test('"Fetch Test Event": the newest event that passes the filter, the cursor untouched', async () => {
  const source = log([event(1, 'completed'), event(2, 'rejected'), event(3, 'approved')]);
  expect((await newestEvent(source.lookup, { projectId: 'acme', events: ['completed', 'rejected'] }))?.id).toBe(2);
  expect(await newestEvent(source.lookup, { projectId: 'other', events: [] })).toBeUndefined();
});

test('the output: lean with Simplify (no hashes, the delivery summary counts first), the whole event without', () => {
  const completed: SendingEvent = {
    ...event(7, 'completed'),
    actor: 'system',
    detail: { cursor: 3, total: 3, sent: 3, failed: 0, pending: 0 },
    delivery: {
      sent: 3,
      delivered: 2,
      read: 0,
      undelivered: 1,
      failed: 0,
      awaitingReceipt: 0,
      byErrorCode: { '30003': 1 },
      killListed: {},
    },
  };
  const item = eventItem(completed, true);
  expect(Object.keys(item)).toEqual(['event', 'sendingId', 'projectId', 'at', 'actor', 'delivery', 'total', 'sent', 'failed']);
  expect(item.delivery).toEqual({
    delivered: 2,
    read: 0,
    undelivered: 1,
    failed: 0,
    awaitingReceipt: 0,
    sent: 3,
    failedByReason: { '30003': 1 },
    killListed: {},
  });
  expect(eventItem(event(1), true)).toEqual({
    event: 'approved',
    sendingId: 's1',
    projectId: 'acme',
    at: '2026-11-29T00:00:01.000Z',
    actor: 'alex',
    approval: 1,
  });
  expect(eventItem(completed, false)).toEqual(completed);
});
