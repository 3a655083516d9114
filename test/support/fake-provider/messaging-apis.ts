/**
 * The two messaging APIs the fake speaks, acting on a request as the real provider would:
 * - Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json (basic auth, form body);
 * - a generic JSON endpoint: POST /messages (its deduplication by Idempotency-Key is the server's).
 * Also the answers of injected faults, in each API's error format.
 */
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { AcceptedMessage } from './ledger';
import type { FakeApi } from './request-log';
import type { MessagingApi, Refusal } from './scenario';

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the APIs need from the provider they run in. */
export interface ProviderState {
  accountSid: string;
  validTwilioAuthorizations: ReadonlySet<string>;
  /** When set, the generic endpoint requires exactly this Authorization header. */
  httpAuthorization?: string;
  refusalFor(to: string): Refusal | undefined;
  /** Records the message with the next id (`prefix` + a counter) and returns that id. */
  accept(message: Omit<AcceptedMessage, 'id' | 'at'>, prefix: (n: number) => string): string;
}

export const GENERIC_PATH = '/messages';
const TWILIO_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export function apiOf(method: string, path: string): FakeApi {
  if (method !== 'POST') return 'unknown';
  if (TWILIO_PATH.test(path)) return 'twilio';
  return path === GENERIC_PATH ? 'http' : 'unknown';
}

/** The recipient a request names, or null when its body names none. */
export function recipientOf(api: MessagingApi, body: string): string | null {
  if (api === 'twilio') return new URLSearchParams(body).get('To') || null;
  const to = asObject(parseJson(body)).to;
  return typeof to === 'string' && to !== '' ? to : null;
}

export function actOn(api: MessagingApi, path: string, request: ApiRequest, state: ProviderState): Answer {
  return api === 'twilio' ? twilio(decodeURIComponent(TWILIO_PATH.exec(path)![1]), request, state) : generic(request, state);
}

export function statusAnswer(api: MessagingApi, status: number, retryAfterSeconds?: number): Answer {
  const message = STATUS_CODES[status] ?? 'Error';
  const answer = api === 'twilio' ? twilioError(status, status === 429 ? 20429 : 20500, message) : genericError(status, message);
  return retryAfterSeconds === undefined ? answer : { ...answer, headers: { 'Retry-After': String(retryAfterSeconds) } };
}

/** Credentials refused: Twilio always answers 401 with code 20003; the generic API `status`. */
export function unauthorizedAnswer(api: MessagingApi, status: 401 | 403 = 401): Answer {
  return api === 'twilio' ? twilioError(401, 20003, 'Authenticate') : genericError(status, STATUS_CODES[status]!);
}

function twilio(pathAccountSid: string, request: ApiRequest, state: ProviderState): Answer {
  if (!state.validTwilioAuthorizations.has(request.headers.authorization ?? '')) return unauthorizedAnswer('twilio');
  if (pathAccountSid !== state.accountSid) return twilioError(404, 20404, 'The requested resource was not found');
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return twilioError(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(request.body);
  const to = form.get('To');
  const body = form.get('Body');
  const from = form.get('From');
  const messagingServiceSid = form.get('MessagingServiceSid');
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!body) return twilioError(400, 21602, 'Message body is required.');
  if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
  const refusal = state.refusalFor(to);
  if (refusal) return twilioError(refusal.status ?? 400, refusal.code, refusal.message);
  if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);

  const message = { api: 'twilio' as const, to, from, body, messagingServiceSid, idempotencyKey: null, sendingId: null };
  const sid = state.accept(message, (n) => `SM${String(n).padStart(32, '0')}`);
  return {
    status: 201,
    body: {
      sid,
      account_sid: state.accountSid,
      to,
      from,
      body,
      messaging_service_sid: messagingServiceSid,
      status: 'queued',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${state.accountSid}/Messages/${sid}.json`,
    },
  };
}

function generic(request: ApiRequest, state: ProviderState): Answer {
  if (state.httpAuthorization !== undefined && request.headers.authorization !== state.httpAuthorization) return unauthorizedAnswer('http');
  const payload = parseJson(request.body);
  if (payload === undefined) return genericError(400, 'The body is not JSON.');
  const message = asObject(payload);
  if (typeof message.to !== 'string' || message.to === '') return genericError(400, '"to" is required.');
  if (typeof message.body !== 'string' || message.body === '') return genericError(400, '"body" is required.');
  const refusal = state.refusalFor(message.to);
  if (refusal) return genericError(refusal.status ?? 400, refusal.message, refusal.code);

  const id = state.accept(
    {
      api: 'http',
      to: message.to,
      from: typeof message.from === 'string' ? message.from : null,
      body: message.body,
      messagingServiceSid: null,
      idempotencyKey: idempotencyKeyOf(request.headers),
      sendingId: typeof message.sendingId === 'string' ? message.sendingId : null,
    },
    (n) => `msg_${n}`,
  );
  return { status: 201, body: { id, status: 'accepted' } };
}

export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | null {
  const value = headers['idempotency-key'];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

function twilioError(status: number, code: number, message: string): Answer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function genericError(status: number, message: string, code?: number): Answer {
  return { status, body: code === undefined ? { error: message } : { error: message, code } };
}

/** undefined when the body is not JSON. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
