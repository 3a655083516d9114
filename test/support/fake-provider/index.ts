/**
 * A local SMS provider for tests and benchmarks (127.0.0.1, random port). It speaks:
 * - Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json (basic auth, form body);
 * - a generic JSON endpoint: POST /messages, deduplicated by the Idempotency-Key header.
 * It records every request (`requests`) and every message it accepted (`accepted`), and can be told
 * to refuse numbers, fail the next requests with 429/5xx, or answer slowly.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeApi = 'twilio' | 'http' | 'unknown';

export interface ReceivedRequest {
  api: FakeApi;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the fake answered. */
  status: number;
  /** True when the generic endpoint answered from its idempotency cache. */
  replayed: boolean;
  at: number;
}

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

export interface FakeProviderOptions {
  /** Twilio account the fake serves; default `AC00000000000000000000000000000001`. */
  accountSid?: string;
  /** Default `fake-auth-token`. */
  authToken?: string;
  /** Also accept this Twilio API key (basic auth with its SID and secret). */
  apiKey?: { sid: string; secret: string };
  /** When set, the generic endpoint requires exactly this Authorization header. */
  httpAuthorization?: string;
}

export interface FakeProvider {
  /** Base URL, e.g. `http://127.0.0.1:41234`: Twilio's `baseUrl`. */
  readonly url: string;
  /** The generic JSON endpoint: `${url}/messages`. */
  readonly httpUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** Every request received, in arrival order (failed, refused and replayed ones included). */
  readonly requests: ReceivedRequest[];
  /** Every message accepted, once per idempotency key on the generic endpoint. */
  readonly accepted: AcceptedMessage[];
  /** The next `count` requests (either API) answer `status` (default 503), optionally with Retry-After. */
  failNext(count: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  /** Messages to `to` are refused with this provider error code and message (HTTP `status`, default 400). */
  rejectNumber(to: string, code: number, message: string, status?: number): void;
  /** Every answer waits this long (after the request has been recorded and acted on). */
  setDelay(ms: number): void;
  /** Forgets requests, messages, idempotency keys, failures, rejections and delay; ids start again at 1. */
  reset(): void;
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const TWILIO_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const accountSid = options.accountSid ?? 'AC00000000000000000000000000000001';
  const authToken = options.authToken ?? 'fake-auth-token';
  const validAuthorizations = new Set([basic(accountSid, authToken)]);
  if (options.apiKey) validAuthorizations.add(basic(options.apiKey.sid, options.apiKey.secret));

  const requests: ReceivedRequest[] = [];
  const accepted: AcceptedMessage[] = [];
  const answersByKey = new Map<string, Answer>();
  const rejections = new Map<string, { code: number; message: string; status: number }>();
  let failures: { remaining: number; status: number; retryAfterSeconds?: number } = { remaining: 0, status: 503 };
  let delayMs = 0;
  let nextId = 1;

  const injectedFailure = (api: FakeApi): Answer | undefined => {
    if (failures.remaining <= 0) return undefined;
    failures.remaining--;
    const { status, retryAfterSeconds } = failures;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
    const message = status === 429 ? 'Too Many Requests' : 'Service Unavailable';
    const body = api === 'twilio' ? { code: status === 429 ? 20429 : 20500, message, status } : { error: message };
    return { status, body, headers };
  };

  const twilio = (pathAccountSid: string, req: IncomingMessage, raw: string): Answer => {
    const error = (status: number, code: number, message: string): Answer => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } });
    if (!validAuthorizations.has(req.headers.authorization ?? '')) return error(401, 20003, 'Authenticate');
    if (decodeURIComponent(pathAccountSid) !== accountSid) return error(404, 20404, 'The requested resource was not found');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return error(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(raw);
    const to = form.get('To');
    const body = form.get('Body');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (!body) return error(400, 21602, 'Message body is required.');
    if (!from && !messagingServiceSid) return error(400, 21603, "A 'From' phone number is required.");
    const rejection = rejections.get(to);
    if (rejection) return error(rejection.status, rejection.code, rejection.message);
    if (!E164.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);

    const sid = `SM${String(nextId++).padStart(32, '0')}`;
    accepted.push({ api: 'twilio', id: sid, to, from, body, messagingServiceSid, idempotencyKey: null, sendingId: null, at: Date.now() });
    return {
      status: 201,
      body: {
        sid,
        account_sid: accountSid,
        to,
        from,
        body,
        messaging_service_sid: messagingServiceSid,
        status: 'queued',
        api_version: '2010-04-01',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      },
    };
  };

  const generic = (req: IncomingMessage, raw: string): Answer => {
    const error = (status: number, message: string, code?: number): Answer => ({ status, body: code === undefined ? { error: message } : { error: message, code } });
    if (options.httpAuthorization !== undefined && req.headers.authorization !== options.httpAuthorization) return error(401, 'Unauthorized');
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return error(400, 'The body is not JSON.');
    }
    const message = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    if (typeof message.to !== 'string' || message.to === '') return error(400, '"to" is required.');
    if (typeof message.body !== 'string' || message.body === '') return error(400, '"body" is required.');
    const rejection = rejections.get(message.to);
    if (rejection) return error(rejection.status, rejection.message, rejection.code);

    const id = `msg_${nextId++}`;
    accepted.push({
      api: 'http',
      id,
      to: message.to,
      from: typeof message.from === 'string' ? message.from : null,
      body: message.body,
      messagingServiceSid: null,
      idempotencyKey: headerValue(req.headers['idempotency-key']),
      sendingId: typeof message.sendingId === 'string' ? message.sendingId : null,
      at: Date.now(),
    });
    return { status: 201, body: { id, status: 'accepted' } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    const twilioMatch = TWILIO_PATH.exec(path);
    const api: FakeApi = req.method === 'POST' && twilioMatch ? 'twilio' : req.method === 'POST' && path === '/messages' ? 'http' : 'unknown';
    const key = api === 'http' ? headerValue(req.headers['idempotency-key']) : null;

    let answer: Answer;
    let replayed = false;
    const cached = key === null ? undefined : answersByKey.get(key);
    const failure = injectedFailure(api);
    if (failure) answer = failure;
    else if (cached) [answer, replayed] = [cached, true];
    else if (api === 'twilio') answer = twilio(twilioMatch![1], req, raw);
    else if (api === 'http') answer = generic(req, raw);
    else answer = { status: 404, body: { error: `No route for ${req.method} ${path}` } };
    if (key !== null && !failure && !cached) answersByKey.set(key, answer);

    requests.push({ api, method: req.method ?? '', path, headers: req.headers, body: raw, status: answer.status, replayed, at: Date.now() });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'fake provider failure' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    httpUrl: `${url}/messages`,
    accountSid,
    authToken,
    requests,
    accepted,
    failNext(count, status = 503, failOptions = {}) {
      failures = { remaining: count, status, retryAfterSeconds: failOptions.retryAfterSeconds };
    },
    rejectNumber(to, code, message, status = 400) {
      rejections.set(to, { code, message, status });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    reset() {
      requests.length = 0;
      accepted.length = 0;
      answersByKey.clear();
      rejections.clear();
      failures = { remaining: 0, status: 503 };
      delayMs = 0;
      nextId = 1;
    },
    async waitForAccepted(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted.length < count) {
        if (Date.now() > deadline) throw new Error(`The fake provider accepted ${accepted.length} message(s) in ${timeoutMs} ms, expected ${count}.`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function headerValue(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
