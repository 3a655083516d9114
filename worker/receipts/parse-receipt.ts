/**
 * Reading a delivery receipt from a request body: Twilio's status callback (form-encoded `MessageSid`,
 * `MessageStatus`, `ErrorCode`) or the http provider's JSON `{"messageId", "status", "errorCode"}`
 * (docs/receipts.md). Errors name the field and the fix.
 */
import type { DeliveryReceipt, DeliveryState } from '../directory/deliveries';
import { InboundRequestError } from '../inbound/parse-inbound';

/** Twilio's MessageStatus values of an outbound message, as delivery states (queued … sent: accepted, awaiting the final word). */
const TWILIO_STATUSES: Readonly<Record<string, DeliveryState>> = {
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

const JSON_STATUSES: readonly DeliveryState[] = ['sent', 'delivered', 'read', 'undelivered', 'failed'];
const JSON_EXAMPLE = '{"messageId": "msg-123", "status": "undelivered", "errorCode": "30003"}';
const MAX_ID_LENGTH = 200;

export function receiptFromTwilioForm(params: readonly (readonly [string, string])[]): DeliveryReceipt {
  const get = (name: string) => params.find(([key]) => key === name)?.[1]?.trim();
  const id = get('MessageSid') || get('SmsSid');
  if (!id || id.length > MAX_ID_LENGTH)
    throw new InboundRequestError(
      400,
      `"MessageSid" is missing or longer than ${MAX_ID_LENGTH} characters: post Twilio's status callback unchanged.`,
    );
  const raw = (get('MessageStatus') || get('SmsStatus') || '').toLowerCase();
  const state = Object.hasOwn(TWILIO_STATUSES, raw) ? TWILIO_STATUSES[raw] : undefined;
  if (!state) {
    throw new InboundRequestError(
      400,
      `"MessageStatus" ${JSON.stringify(raw.slice(0, 30))} is not the status of an outbound message: expected one of ${Object.keys(TWILIO_STATUSES).join(', ')}.`,
    );
  }
  return { providerMessageId: id, state, ...errorCode(get('ErrorCode'), 'ErrorCode') };
}

export function receiptFromJson(raw: Buffer): DeliveryReceipt {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InboundRequestError(400, `The body is not valid JSON: post ${JSON_EXAMPLE}.`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InboundRequestError(400, `The body must be a JSON object such as ${JSON_EXAMPLE}.`);
  const { messageId, status, errorCode: code } = body as Record<string, unknown>;
  const id = typeof messageId === 'number' ? String(messageId) : messageId;
  if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_ID_LENGTH)
    throw new InboundRequestError(
      400,
      `"messageId" must be the id the provider answered at send (1 to ${MAX_ID_LENGTH} characters), e.g. ${JSON_EXAMPLE}.`,
    );
  if (typeof status !== 'string' || !JSON_STATUSES.includes(status as DeliveryState))
    throw new InboundRequestError(400, `"status" must be one of ${JSON_STATUSES.join(', ')}.`);
  const codeText = typeof code === 'number' && Number.isInteger(code) ? String(code) : code;
  if (codeText !== undefined && codeText !== null && typeof codeText !== 'string')
    throw new InboundRequestError(400, '"errorCode" must be a string or a whole number such as "30003", or be left out.');
  return { providerMessageId: id.trim(), state: status as DeliveryState, ...errorCode(codeText ?? undefined, 'errorCode') };
}

function errorCode(value: string | undefined, field: string): { errorCode?: string } {
  const code = value?.trim();
  if (!code) return {};
  if (!/^[A-Za-z0-9_.-]{1,20}$/.test(code)) throw new InboundRequestError(400, `"${field}" is not a provider error code such as 30003.`);
  return { errorCode: code };
}
