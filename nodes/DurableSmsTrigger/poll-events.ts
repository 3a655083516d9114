/**
 * The Durable SMS Trigger's cursor over the directory's audit log (docs/n8n.md): the id of the last
 * event handed to n8n, kept in the workflow's static data. The first poll of an activated workflow only
 * places the cursor at the newest event (no flood of old events); later polls read what came after it.
 */
import type { DirectoryLookup, SendingEvent } from '../../workflows/messages';

export type EventsLookup = (request: Extract<DirectoryLookup, { kind: 'events' }>) => Promise<SendingEvent[]>;

export interface EventCursor {
  /** The id of the last event seen; absent until the first poll. */
  afterId?: number;
}

export interface EventFilter {
  /** Empty: every project. */
  projectId: string;
  /** Empty: every event. */
  events: string[];
}

/** Events per lookup, and lookups per poll: a backlog larger than this is read over the next polls. */
export const EVENTS_PER_LOOKUP = 100;
export const LOOKUPS_PER_POLL = 10;

const filterOf = ({ projectId, events }: EventFilter) => ({ ...(projectId ? { projectId } : {}), events });

/** The events after the cursor that pass the filter, oldest first; moves the cursor past every one read. */
export async function pollEvents(lookup: EventsLookup, cursor: EventCursor, filter: EventFilter): Promise<SendingEvent[]> {
  if (typeof cursor.afterId !== 'number') {
    // The newest event of any project and kind, so a later change of the filter brings no old events either.
    const [newest] = await lookup({ kind: 'events', afterId: 0, limit: 1, newest: true });
    cursor.afterId = newest?.id ?? 0;
    return [];
  }
  const found: SendingEvent[] = [];
  for (let i = 0; i < LOOKUPS_PER_POLL; i++) {
    const page = await lookup({ kind: 'events', ...filterOf(filter), afterId: cursor.afterId, limit: EVENTS_PER_LOOKUP });
    found.push(...page);
    if (page.length > 0) cursor.afterId = page[page.length - 1].id;
    if (page.length < EVENTS_PER_LOOKUP) break;
  }
  return found;
}

/** The newest event that passes the filter ("Fetch Test Event" in the editor); the cursor is not used. */
export async function newestEvent(lookup: EventsLookup, filter: EventFilter): Promise<SendingEvent | undefined> {
  const [newest] = await lookup({ kind: 'events', ...filterOf(filter), afterId: 0, limit: 1, newest: true });
  return newest;
}
