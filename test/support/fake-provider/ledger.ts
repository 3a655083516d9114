/** The messages a fake provider accepted, and the counts that show whether any went out twice. */

export interface AcceptedMessage {
  api: 'twilio' | 'http';
  /** The id the fake answered (`SM…` for Twilio, `msg_…` for the generic endpoint). */
  id: string;
  to: string;
  from: string | null;
  body: string;
  messagingServiceSid: string | null;
  idempotencyKey: string | null;
  sendingId: string | null;
  at: number;
}

export interface Duplicates {
  /** Numbers that received more than one message, with how many. */
  numbers: Record<string, number>;
  /** Idempotency keys accepted more than once, with how many (the generic API's deduplication failed). */
  idempotencyKeys: Record<string, number>;
}

/** Messages per number. */
export function countsByNumber(messages: readonly AcceptedMessage[]): Record<string, number> {
  return countBy(messages, (m) => m.to);
}

export function duplicates(messages: readonly AcceptedMessage[]): Duplicates {
  return { numbers: moreThanOnce(countsByNumber(messages)), idempotencyKeys: moreThanOnce(countBy(messages, (m) => m.idempotencyKey)) };
}

function countBy(messages: readonly AcceptedMessage[], keyOf: (m: AcceptedMessage) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of messages) {
    const key = keyOf(m);
    if (key !== null) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function moreThanOnce(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 1));
}
