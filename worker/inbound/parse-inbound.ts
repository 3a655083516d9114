/**
 * Reading an inbound message from a request body: Twilio's inbound message webhook (form-encoded
 * `From`, `To`, `Body`, `MessageSid`, …) or a generic JSON `{ "from": "+33…", "body": "STOP" }`.
 * Errors name the field and the fix, never the values (they are phone numbers).
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
  const field = (name: string): string | undefined => params.find(([key]) => key === name)?.[1];
  const from = plusRestored(field('From') ?? '').trim();
  if (!from) {
    throw new InboundRequestError(400, '"From" is missing: post the inbound message webhook parameters (From, Body) form-encoded, as Twilio does.');
  }
  const optOutType = field('OptOutType')?.trim();
  return { format: 'form', from, body: field('Body') ?? '', ...(optOutType ? { optOutType } : {}) };
}

export function messageFromJson(raw: Buffer): InboundMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InboundRequestError(400, `The body is not valid JSON: send ${JSON_EXAMPLE}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InboundRequestError(400, `The body must be a JSON object: send ${JSON_EXAMPLE}.`);
  }
  const { from, body } = parsed as Record<string, unknown>;
  if (from === undefined || from === null || (typeof from === 'string' && from.trim() === '')) {
    throw new InboundRequestError(400, `"from" is missing: give the sender's number, in E.164 preferably, e.g. ${JSON_EXAMPLE}.`);
  }
  if (typeof from !== 'string') {
    throw new InboundRequestError(400, `"from" must be a string (the sender's number in quotes), e.g. ${JSON_EXAMPLE}.`);
  }
  if (typeof body !== 'string') {
    throw new InboundRequestError(400, `"body" ${body === undefined || body === null ? 'is missing' : 'must be a string'}: give the text of the reply, e.g. ${JSON_EXAMPLE}.`);
  }
  return { format: 'json', from: from.trim(), body };
}

/**
 * A `+` written unencoded in a form body (`curl -d From=+1514…`) decodes to a space; a number never
 * starts with a space, so the sign is put back. Twilio encodes it (`%2B`) and is unaffected.
 */
function plusRestored(from: string): string {
  return /^ \d/.test(from) ? `+${from.slice(1)}` : from;
}
