/** What the demo approval inbox takes from a post, and which links it makes. Pure. */
import type { ApprovalRequest } from './approval-inbox';

const LIMITS = { sendingId: 200, approvalUrl: 2000, text: 10_000, email: 320, name: 200 } as const;
const MAX_APPROVERS = 50;

/** A list of named approvers' links, or why it is refused. */
function approversFrom(value: unknown): ApprovalRequest['approvers'] | string {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_APPROVERS)
    return `"approvers" must be a list of 1 to ${MAX_APPROVERS} {email, name, approvalUrl}`;
  const approvers: NonNullable<ApprovalRequest['approvers']> = [];
  for (const [i, entry] of value.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return `"approvers[${i}]" must be an object {email, name, approvalUrl}`;
    const fields = entry as Record<string, unknown>;
    for (const field of ['email', 'name', 'approvalUrl'] as const) {
      const text = fields[field];
      if (typeof text !== 'string' || text.trim() === '') return `"approvers[${i}].${field}" must be a non-empty string`;
      if (text.length > LIMITS[field]) return `"approvers[${i}].${field}" may be at most ${LIMITS[field]} characters`;
    }
    approvers.push({ email: fields.email as string, name: fields.name as string, approvalUrl: fields.approvalUrl as string });
  }
  return approvers;
}

/** The request a JSON body holds, or why it is refused (naming the field). */
export function approvalRequestFromBody(body: string): ApprovalRequest | string {
  let posted: unknown;
  try {
    posted = JSON.parse(body);
  } catch {
    return 'the body is not JSON: post the JSON object the Request Approval node sends';
  }
  if (typeof posted !== 'object' || posted === null || Array.isArray(posted))
    return 'the body must be a JSON object with sendingId and approvalUrl (or approvers)';
  const { sendingId, approvalUrl, approvers, text, messages } = posted as Record<string, unknown>;
  const named = approvers !== undefined;
  for (const [field, value, required] of [
    ['sendingId', sendingId, true],
    ['approvalUrl', approvalUrl, !named],
    ['text', text, false],
  ] as const) {
    if (value === undefined && !required) continue;
    if (typeof value !== 'string' || (required && value.trim() === '')) return `"${field}" must be a${required ? ' non-empty' : ''} string`;
    if (value.length > LIMITS[field]) return `"${field}" may be at most ${LIMITS[field]} characters`;
  }
  const links = named ? approversFrom(approvers) : undefined;
  if (typeof links === 'string') return links;
  if (messages !== undefined && !(Number.isSafeInteger(messages) && (messages as number) >= 0))
    return '"messages" must be a whole number of messages (0 or more)';
  return {
    receivedAt: new Date().toISOString(),
    sendingId: sendingId as string,
    ...(approvalUrl === undefined ? {} : { approvalUrl: approvalUrl as string }),
    ...(links ? { approvers: links } : {}),
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
