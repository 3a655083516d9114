/**
 * The sending events the Durable SMS Trigger offers (docs/n8n.md), each one audit action of the
 * directory's audit log, and how an audit entry's detail is shown in one: times as ISO text, numbers
 * masked. Pure.
 */
import { maskPhoneNumbers } from './mask-numbers';

export const SENDING_EVENTS = {
  approvalRequested: { action: 'approval_requested', name: 'Approval Requested', description: 'An approval request was sent' },
  approved: { action: 'approved', name: 'Approved', description: 'An approver approved (one event per approval)' },
  rejected: { action: 'rejected', name: 'Rejected', description: 'An approver rejected the sending' },
  approvalExpired: { action: 'approval_expired', name: 'Approval Expired', description: 'Nobody decided before the request expired' },
  scheduled: { action: 'send_requested', name: 'Scheduled', description: 'Send was requested: now or at the scheduled time' },
  heldByQuietHours: { action: 'held', name: 'Held by Quiet Hours', description: 'Recipients wait for their quiet hours to end' },
  paused: { action: 'paused', name: 'Paused', description: 'The sending paused (an operator, or itself on a provider problem)' },
  resumed: { action: 'resumed', name: 'Resumed', description: 'A paused sending resumed' },
  completed: { action: 'completed', name: 'Completed', description: 'Every message was handled; with the delivery summary' },
  cancelled: { action: 'cancelled', name: 'Cancelled', description: 'The sending was cancelled' },
  failed: { action: 'failed', name: 'Failed', description: 'The sending failed' },
  numberQuarantined: {
    action: 'number_quarantined',
    name: 'Number Quarantined',
    description: 'Delivery receipts put a recipient on the kill list (recipient ID, no number)',
  },
} as const;

export type SendingEventName = keyof typeof SENDING_EVENTS;

const EVENT_NAMES = Object.keys(SENDING_EVENTS) as SendingEventName[];

export const isSendingEventName = (name: unknown): name is SendingEventName => EVENT_NAMES.includes(name as SendingEventName);

/** The audit actions of these events (all events when none is named). */
export function actionsOfEvents(events: readonly string[] = []): string[] {
  const names = events.length === 0 ? EVENT_NAMES : events.filter(isSendingEventName);
  return names.map((name) => SENDING_EVENTS[name].action);
}

export function eventOfAction(action: string): SendingEventName | undefined {
  return EVENT_NAMES.find((name) => SENDING_EVENTS[name].action === action);
}

/** An audit entry's detail as an event shows it: `sendAtMs: 1.7e12` → `sendAt: '2026-…Z'`, text with numbers masked. */
export function eventDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail ?? {})) {
    // Points in time end in `Ms` (`sendAtMs`, `expiresAtMs`); `pausedMs` is a duration and stays.
    if (/.Ms$/.test(key) && key !== 'pausedMs' && (typeof value === 'number' || value === null)) {
      shown[key.slice(0, -2)] = typeof value === 'number' ? new Date(value).toISOString() : null;
    } else if (typeof value === 'string') shown[key] = maskPhoneNumbers(value);
    else shown[key] = value;
  }
  return shown;
}
