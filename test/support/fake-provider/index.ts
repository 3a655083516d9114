/**
 * A local SMS provider that injects faults, for tests, benchmarks and chaos runs. It listens on
 * 127.0.0.1 only (random port unless told) and speaks:
 * - Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json (basic auth, form body);
 * - a generic JSON endpoint: POST /messages, deduplicated by the Idempotency-Key header (the same
 *   key is one message: a repeat is answered as the first time, without a new message).
 * It records every request (`requests`) and every message it accepted (`accepted`, the ledger).
 *
 * What goes wrong is a scenario (scenario.ts has the JSON shape): fault rules, the first matching a
 * request deciding its fault (a status such as 429 + Retry-After or 5xx; 401 "credentials revoked";
 * a hang or a connection reset, before or after the message is accepted; an answer sent late),
 * matched by API, by number, for the next N requests or a seeded fraction of them; a latency
 * distribution for every answer; numbers the provider refuses. Draws come from the seed and the
 * request's index since the scenario was set, so a scenario replays the same faults.
 * Faults apply to the messaging APIs only; other routes answer 404.
 *
 * Control API (same server, for another process; `controlFakeProvider` in control-client.ts calls it):
 * - GET  /_control/scenario: the scenario being played;
 * - POST /_control/scenario: replaces it with the JSON scenario of the body (400 names a wrong field);
 *   the ledger and the idempotency keys stay;
 * - POST /_control/reset: forgets requests, messages, idempotency keys and the scenario; ids start at 1;
 * - GET  /_control/ledger[?sendingId=…][&messages=0]: `{ accepted, distinctNumbers, countsByNumber,
 *   duplicates: { numbers, idempotencyKeys }, messages }`;
 * - GET  /_control/requests: `{ total, replayed, byApi, byStatus, byFault }`.
 * main.ts runs one as a process of its own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, controlAnswer } from './control-api';
import { FaultPlan } from './fault-plan';
import { countsByNumber, duplicates, type AcceptedMessage, type Duplicates } from './ledger';
import {
  actOn,
  apiOf,
  idempotencyKeyOf,
  recipientOf,
  statusAnswer,
  unauthorizedAnswer,
  type Answer,
  type ProviderState,
} from './messaging-apis';
import { summarize, type ReceivedRequest, type RequestsSummary } from './request-log';
import { parseScenario, type FaultKind, type FaultRule, type Refusal, type Scenario } from './scenario';

export type { AcceptedMessage, Duplicates } from './ledger';
export type { FakeApi, ReceivedRequest, RequestsSummary } from './request-log';
export type { Fault, FaultKind, FaultRule, Latency, RequestMatch, Scenario, Stage } from './scenario';
export { controlFakeProvider, type FakeProviderControl } from './control-client';
export type { LedgerReport } from './control-api';

export interface FakeProviderOptions {
  /** Twilio account the fake serves; default {@link DEFAULT_ACCOUNT_SID}. */
  accountSid?: string;
  /** Default {@link DEFAULT_AUTH_TOKEN}. */
  authToken?: string;
  /** Also accept this Twilio API key (basic auth with its SID and secret). */
  apiKey?: { sid: string; secret: string };
  /** When set, the generic endpoint requires exactly this Authorization header. */
  httpAuthorization?: string;
  /** The scenario to play from the start. */
  scenario?: Scenario;
  /** Default 0: a free port. */
  port?: number;
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
  /** Replaces the scenario (validated like the control API's); starts its request count and rule counts again. */
  setScenario(scenario: Scenario): void;
  scenario(): Scenario;
  /** The next `count` requests (either API) answer `status` (default 503), optionally with Retry-After; replaces an earlier failNext. */
  failNext(count: number, status?: number, options?: { retryAfterSeconds?: number }): void;
  /** Messages to `to` are refused with this provider error code and message (HTTP `status`, default 400). */
  rejectNumber(to: string, code: number, message: string, status?: number): void;
  /** Every answer waits this long (after the request has been recorded and acted on): the scenario's fixed latency. */
  setDelay(ms: number): void;
  /** Forgets requests, messages, idempotency keys and the scenario; ids start again at 1. */
  reset(): void;
  /** Messages per number, of one sending when `sendingId` is given. */
  countsByNumber(sendingId?: string): Record<string, number>;
  /** Numbers and idempotency keys accepted more than once, of one sending when `sendingId` is given. */
  duplicates(sendingId?: string): Duplicates;
  requestsSummary(): RequestsSummary;
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once at least `count` requests were received; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const DEFAULT_AUTH_TOKEN = 'fake-auth-token';

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
  const authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
  const validTwilioAuthorizations = new Set([basic(accountSid, authToken)]);
  if (options.apiKey) validTwilioAuthorizations.add(basic(options.apiKey.sid, options.apiKey.secret));

  const requests: ReceivedRequest[] = [];
  const accepted: AcceptedMessage[] = [];
  const answersByKey = new Map<string, Answer>();
  const refusals = new Map<string, Refusal>();
  const pendingAnswers = new Set<NodeJS.Timeout>();
  let plan = new FaultPlan();
  let failNextRule: FaultRule | undefined;
  let nextId = 1;

  const state: ProviderState = {
    accountSid,
    validTwilioAuthorizations,
    httpAuthorization: options.httpAuthorization,
    refusalFor: (to) => refusals.get(to),
    accept(message, prefix) {
      const id = prefix(nextId++);
      accepted.push({ ...message, id, at: Date.now() });
      return id;
    },
  };

  const answerAfter = (res: ServerResponse, answer: Answer, delayMs: number): void => {
    if (delayMs <= 0) return write(res, answer);
    const timer = setTimeout(() => {
      pendingAnswers.delete(timer);
      write(res, answer);
    }, delayMs);
    pendingAnswers.add(timer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const method = req.method ?? '';
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (path.startsWith(CONTROL_PREFIX)) return write(res, controlAnswer(method, path, new URLSearchParams(query), raw, provider));

    const api = apiOf(method, path);
    const to = api === 'unknown' ? null : recipientOf(api, raw);
    const record = (status: number | null, replayed: boolean, fault: FaultKind | null, delayMs: number) =>
      requests.push({ api, method, path, headers: req.headers, body: raw, to, status, replayed, fault, delayMs, at: Date.now() });
    if (api === 'unknown') {
      const answer = { status: 404, body: { error: `No route for ${method} ${path}` } };
      record(answer.status, false, null, 0);
      return write(res, answer);
    }

    const { fault, delayMs } = plan.decide({ api, to });
    if (fault?.kind === 'status' || fault?.kind === 'unauthorized') {
      const answer =
        fault.kind === 'status' ? statusAnswer(api, fault.status, fault.retryAfterSeconds) : unauthorizedAnswer(api, fault.status);
      record(answer.status, false, fault.kind, delayMs);
      return answerAfter(res, answer, delayMs);
    }
    const breaksOff = fault?.kind === 'hang' || fault?.kind === 'reset';
    if (breaksOff && fault.stage === 'before-accept') {
      record(null, false, fault.kind, 0);
      return breakOff(req, fault.kind);
    }

    const key = api === 'http' ? idempotencyKeyOf(req.headers) : null;
    const cached = key === null ? undefined : answersByKey.get(key);
    const answer = cached ?? actOn(api, path, { headers: req.headers, body: raw }, state);
    if (key !== null && !cached) answersByKey.set(key, answer);
    if (breaksOff) {
      record(null, cached !== undefined, fault.kind, 0);
      return breakOff(req, fault.kind);
    }
    record(answer.status, cached !== undefined, fault?.kind ?? null, delayMs);
    answerAfter(res, answer, delayMs);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => write(res, { status: 500, body: { error: 'fake provider failure' } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ofSending = (sendingId?: string) => (sendingId === undefined ? accepted : accepted.filter((m) => m.sendingId === sendingId));

  const provider: FakeProvider = {
    url,
    httpUrl: `${url}/messages`,
    accountSid,
    authToken,
    requests,
    accepted,
    setScenario(scenario) {
      const checked = parseScenario(scenario);
      plan = new FaultPlan(checked.seed, checked.faults, checked.latency);
      failNextRule = undefined;
      refusals.clear();
      for (const refusal of checked.refuse ?? []) refusals.set(refusal.to, refusal);
    },
    scenario() {
      const { seed, rules, latency } = plan;
      return {
        seed,
        ...(rules.length > 0 ? { faults: rules } : {}),
        ...(latency ? { latency } : {}),
        ...(refusals.size > 0 ? { refuse: [...refusals.values()] } : {}),
      };
    },
    failNext(count, status = 503, failOptions = {}) {
      if (failNextRule) plan.remove(failNextRule);
      const retryAfter = failOptions.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failOptions.retryAfterSeconds };
      failNextRule = plan.prepend({ when: { next: count }, fault: { kind: 'status', status, ...retryAfter } });
    },
    rejectNumber(to, code, message, status = 400) {
      refusals.set(to, { to, code, message, status });
    },
    setDelay(ms) {
      plan.latency = ms > 0 ? { kind: 'fixed', ms } : undefined;
    },
    reset() {
      requests.length = 0;
      accepted.length = 0;
      answersByKey.clear();
      provider.setScenario({});
      nextId = 1;
    },
    countsByNumber: (sendingId) => countsByNumber(ofSending(sendingId)),
    duplicates: (sendingId) => duplicates(ofSending(sendingId)),
    requestsSummary: () => summarize(requests),
    waitForAccepted: (count, timeoutMs = 10_000) => waitForLength(accepted, count, timeoutMs, 'accepted', 'message(s)'),
    waitForRequests: (count, timeoutMs = 10_000) => waitForLength(requests, count, timeoutMs, 'received', 'request(s)'),
    close() {
      for (const timer of pendingAnswers) clearTimeout(timer);
      pendingAnswers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  if (options.scenario) provider.setScenario(options.scenario);
  return provider;
}

async function waitForLength(list: readonly unknown[], count: number, timeoutMs: number, verb: string, noun: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (list.length < count) {
    if (Date.now() > deadline) throw new Error(`The fake provider ${verb} ${list.length} ${noun} in ${timeoutMs} ms, expected ${count}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A hang keeps the connection open until the client gives up; a reset sends a TCP RST. */
function breakOff(req: IncomingMessage, kind: 'hang' | 'reset'): void {
  if (kind === 'reset') req.socket.resetAndDestroy();
}

function write(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
