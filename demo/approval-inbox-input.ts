/** What the demo approval inbox takes from a post, and which links it makes. Pure. */
import type { ApprovalRequest } from './approval-inbox';

const LIMITS = { sendingId: 200, approvalUrl: 2000, text: 10_000 } as const;

/** The request a JSON body holds, or why it is refused (naming the field). */
export function approvalRequestFromBody(body: string): ApprovalRequest | string {
  let posted: unknown;
  try {
    posted = JSON.parse(body);
  } catch {
    return 'the body is not JSON: post the JSON object the Request Approval node sends';
  }
  if (typeof posted !== 'object' || posted === null || Array.isArray(posted)) return 'the body must be a JSON object with sendingId and approvalUrl';
  const { sendingId, approvalUrl, text, messages } = posted as Record<string, unknown>;
  for (const [field, value, required] of [['sendingId', sendingId, true], ['approvalUrl', approvalUrl, true], ['text', text, false]] as const) {
    if (value === undefined && !required) continue;
    if (typeof value !== 'string' || (required && value.trim() === '')) return `"${field}" must be a${required ? ' non-empty' : ''} string`;
    if (value.length > LIMITS[field]) return `"${field}" may be at most ${LIMITS[field]} characters`;
  }
  if (messages !== undefined && !(Number.isSafeInteger(messages) && (messages as number) >= 0)) return '"messages" must be a whole number of messages (0 or more)';
  return {
    receivedAt: new Date().toISOString(),
    sendingId: sendingId as string,
    approvalUrl: approvalUrl as string,
    text: (text as string | undefined) ?? '',
    ...(messages === undefined ? {} : { messages: messages as number }),
  };
}

/** `url` as a link target when it is an http(s) page of the n8n at `n8nOrigin`; otherwise undefined (shown as text). */
export function linkableUrl(url: string, n8nOrigin: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  return parsed.origin === n8nOrigin ? parsed.href : undefined;
}

/** `text` safe to print in a terminal: control and bidirectional-override characters replaced, cut at `max`. */
export function printable(text: string, max: number): string {
  const clean = text.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '�');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
