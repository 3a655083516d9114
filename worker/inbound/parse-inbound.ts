/**
 * Reading an inbound message from a request body: Twilio's inbound message webhook (form-encoded
 * `From`, `To`, `Body`, `MessageSid`, …) or a generic JSON `{ "from": "+33…", "body": "STOP" }` with
 * the provider's optional `id` and `sentAt`. Errors name the field and the fix, never the values
 * (they are phone numbers).
 */

export type InboundFormat = 'form' | 'json';

export interface InboundMessage {
  format: InboundFormat;
  /** The sender's number as received. */
  from: string;
  /** The message text ('' for a message with media only). */
  body: string;
  /**
   * Twilio's own reading of the message when Advanced Opt-Out is on for the Messaging Service
   * (`OptOutType`: STOP, START or HELP), which covers keywords configured in Twilio.
   */
  optOutType?: string;
  /** The provider's id of the message (Twilio `MessageSid`, JSON `id`): a message seen once is not applied again. */
  messageId?: string;
  /** When the provider received the message (JSON `sentAt`), ms since the epoch: orders STOP and START. */
  sentAt?: number;
}

/** A request the caller has to change: HTTP status and a message naming the field and the fix. */
export class InboundRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'InboundRequestError';
  }
}

const JSON_EXAMPLE = '{"from": "+15145551234", "body": "STOP"}';
const MAX_ID_LENGTH = 200;
/** How far ahead of this server's clock a provider's `sentAt` may be (clocks differ a little). */
export const SENT_AT_MAX_AHEAD_MS = 5 * 60_000;

/** The body format from a Content-Type header, or undefined when it is neither form nor JSON. */
export function inboundFormat(contentType: string | undefined): InboundFormat | undefined {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType)) return 'json';
  return undefined;
}

export function unsupportedFormatError(contentType: string | undefined): InboundRequestError {
  const given = contentType ? `Content-Type "${contentType.split(';')[0].trim().slice(0, 80)}"` : 'no Content-Type';
  return new InboundRequestError(
    415,
    `Unsupported body (${given}): post Twilio's inbound message webhook as application/x-www-form-urlencoded, or JSON ${JSON_EXAMPLE} as application/json.`,
  );
}

/** Form parameters in order (the Twilio signature is computed over them). */
export function formParams(raw: Buffer): [string, string][] {
  return [...new URLSearchParams(raw.toString('utf8'))];
}

export function messageFromForm(params: readonly (readonly [string, string])[]): InboundMessage {
  const field = (name: string): string | undefined => {
    const values = params.filter(([key]) => key === name);
    if (values.length > 1)
      throw new InboundRequestError(
        400,
        `"${name}" is given ${values.length} times: post each inbound message parameter once, as Twilio does.`,
      );
    return values[0]?.[1];
  };
  const from = plusRestored(field('From') ?? '').trim();
  if (!from) {
    throw new InboundRequestError(
      400,
      '"From" is missing: post the inbound message webhook parameters (From, Body) form-encoded, as Twilio does.',
    );
  }
  const body = field('Body') ?? '';
  const optOutType = field('OptOutType')?.trim();
  const messageId = checkedId('MessageSid', field('MessageSid'));
  return { format: 'form', from, body, ...(optOutType ? { optOutType } : {}), ...(messageId ? { messageId } : {}) };
}

export function messageFromJson(raw: Buffer, now: number = Date.now()): InboundMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InboundRequestError(400, `The body is not valid JSON: send ${JSON_EXAMPLE}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InboundRequestError(400, `The body must be a JSON object: send ${JSON_EXAMPLE}.`);
  }
  const fields = parsed as Record<string, unknown>;
  const { from, body } = fields;
  if (from === undefined || from === null || (typeof from === 'string' && from.trim() === '')) {
    throw new InboundRequestError(400, `"from" is missing: give the sender's number, in E.164 preferably, e.g. ${JSON_EXAMPLE}.`);
  }
  if (typeof from !== 'string') {
    throw new InboundRequestError(400, `"from" must be a string (the sender's number in quotes), e.g. ${JSON_EXAMPLE}.`);
  }
  if (typeof body !== 'string') {
    throw new InboundRequestError(
      400,
      `"body" ${body === undefined || body === null ? 'is missing' : 'must be a string'}: give the text of the reply, e.g. ${JSON_EXAMPLE}.`,
    );
  }
  const messageId = checkedId('id', typeof fields.id === 'number' && Number.isSafeInteger(fields.id) ? String(fields.id) : fields.id);
  const sentAt = checkedSentAt(fields.sentAt, now);
  return { format: 'json', from: from.trim(), body, ...(messageId ? { messageId } : {}), ...(sentAt === undefined ? {} : { sentAt }) };
}

/**
 * A message authenticated by Twilio's signature must carry its id: that is what recognises a captured
 * request posted again. (A token holder may leave it out; then each post counts.)
 */
export function requireMessageId(message: InboundMessage): void {
  if (message.messageId) return;
  throw new InboundRequestError(
    400,
    message.format === 'form'
      ? '"MessageSid" is missing: a Twilio-signed message must carry its MessageSid (Twilio always sends it), so that a message posted twice is applied once.'
      : `"id" is missing: a Twilio-signed JSON body must carry the message's id (its MessageSid), e.g. {"id": "SM…", "from": "+15145551234", "body": "STOP"}, so that a message posted twice is applied once.`,
  );
}

function checkedId(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InboundRequestError(
      400,
      `"${name}" must be a string: the provider's id of the message, e.g. "SM0123456789abcdef0123456789abcdef".`,
    );
  const id = value.trim();
  if (id.length > MAX_ID_LENGTH || /[\p{Cc}\p{Cf}]/u.test(id) || id === '') {
    throw new InboundRequestError(
      400,
      `"${name}" is not a message id: give the provider's id as it sent it (1 to ${MAX_ID_LENGTH} visible characters).`,
    );
  }
  return id;
}

/** Date.parse reads 2025-02-30 as 2 March. */
function isCalendarDate(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function checkedSentAt(value: unknown, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const example = 'e.g. "2025-05-14T09:30:00Z"';
  const at =
    typeof value === 'string' && ISO_WITH_ZONE.test(value.trim()) && isCalendarDate(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw new InboundRequestError(
      400,
      `"sentAt" must be the time the provider received the reply, in ISO 8601 with a time zone, ${example} (or leave it out: then the order of arrival counts).`,
    );
  }
  if (at > now + SENT_AT_MAX_AHEAD_MS) {
    throw new InboundRequestError(
      400,
      `"sentAt" is more than ${SENT_AT_MAX_AHEAD_MS / 60_000} minutes ahead of this server's clock: send the provider's time of the reply with its time zone, ${example}.`,
    );
  }
  return at;
}

/**
 * A `+` written unencoded in a form body (`curl -d From=+1514…`) decodes to a space; a number never
 * starts with a space, so the sign is put back. Twilio encodes it (`%2B`) and is unaffected.
 */
function plusRestored(from: string): string {
  return /^ \d/.test(from) ? `+${from.slice(1)}` : from;
}
