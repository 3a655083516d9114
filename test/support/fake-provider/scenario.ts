/** The scenario a fake provider plays (its JSON shape) and its validation, for tests and the control API. */

export type MessagingApi = 'twilio' | 'http';

export interface Scenario {
  /** Seeds every random draw (fractions, latencies); default 1. */
  seed?: number;
  /** The first rule that matches a request decides its fault; a request no rule matches is answered normally. */
  faults?: FaultRule[];
  /** How long each answer is held back after the request was acted on; a `late` fault replaces it. */
  latency?: Latency;
  /** Numbers the provider refuses: a provider decision, so replayed for a repeated Idempotency-Key. */
  refuse?: Refusal[];
}

export interface FaultRule {
  /** Every condition given must hold; `{}` or no `when` matches every request. */
  when?: RequestMatch;
  fault: Fault;
}

export interface RequestMatch {
  api?: MessagingApi;
  /** The request's `To` (Twilio) or `to` (generic API) is one of these. */
  numbers?: string[];
  /** Each request has this chance of matching, drawn from the seed and the request's index. */
  fraction?: number;
  /** Only the first `next` requests that meet the other conditions match. */
  next?: number;
}

/** `before-accept`: nothing is recorded; `after-accept`: the request is acted on (a message recorded) first. */
export type Stage = 'before-accept' | 'after-accept';

export type Fault =
  /** Answer this status (429, 500, 502, 503, 504…), optionally with Retry-After in seconds. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Credentials revoked: Twilio answers 401 with code 20003; the generic API `status` (default 401). */
  | { kind: 'unauthorized'; status?: 401 | 403 }
  /** Keep the connection open and never answer. */
  | { kind: 'hang'; stage: Stage }
  /** Reset the TCP connection without answering. */
  | { kind: 'reset'; stage: Stage }
  /** Act on the request now, answer after `afterMs`. */
  | { kind: 'late'; afterMs: number };

export type FaultKind = Fault['kind'];

export type Latency =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  /** `[percentile, ms]` from `[0, min]` to `[100, max]`; between two points the latency is linear. */
  | { kind: 'percentiles'; points: Array<[number, number]> };

export interface Refusal {
  to: string;
  /** The provider's error code (Twilio's `21610`, …). */
  code: number;
  message: string;
  /** HTTP status, default 400. */
  status?: number;
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Checks a scenario from JSON; throws {@link ScenarioError} naming the first wrong field. */
export function parseScenario(value: unknown): Scenario {
  const scenario = record(value, 'the scenario');
  const known = ['seed', 'faults', 'latency', 'refuse'];
  for (const key of Object.keys(scenario))
    if (!known.includes(key)) fail(`the scenario has an unknown field "${key}" (known: ${known.join(', ')})`);
  const result: Scenario = {};
  if (scenario.seed !== undefined) result.seed = integer(scenario.seed, 'seed', 0, 2 ** 32 - 1);
  if (scenario.faults !== undefined) result.faults = list(scenario.faults, 'faults').map((rule, i) => faultRule(rule, `faults[${i}]`));
  if (scenario.latency !== undefined) result.latency = latency(scenario.latency, 'latency');
  if (scenario.refuse !== undefined) result.refuse = list(scenario.refuse, 'refuse').map((entry, i) => refusal(entry, `refuse[${i}]`));
  return result;
}

function faultRule(value: unknown, path: string): FaultRule {
  const rule = record(value, path);
  const when = rule.when === undefined ? undefined : requestMatch(rule.when, `${path}.when`);
  return { ...(when ? { when } : {}), fault: fault(rule.fault, `${path}.fault`) };
}

function requestMatch(value: unknown, path: string): RequestMatch {
  const match = record(value, path);
  const result: RequestMatch = {};
  if (match.api !== undefined) result.api = oneOf(match.api, `${path}.api`, ['twilio', 'http'] as const);
  if (match.numbers !== undefined) result.numbers = list(match.numbers, `${path}.numbers`).map((n, i) => text(n, `${path}.numbers[${i}]`));
  if (match.fraction !== undefined) result.fraction = number(match.fraction, `${path}.fraction`, 0, 1);
  if (match.next !== undefined) result.next = integer(match.next, `${path}.next`, 1);
  return result;
}

function fault(value: unknown, path: string): Fault {
  const f = record(value, path);
  const kind = oneOf(f.kind, `${path}.kind`, ['status', 'unauthorized', 'hang', 'reset', 'late'] as const);
  switch (kind) {
    case 'status': {
      const retryAfter =
        f.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: number(f.retryAfterSeconds, `${path}.retryAfterSeconds`, 0) };
      return { kind, status: integer(f.status, `${path}.status`, 400, 599), ...retryAfter };
    }
    case 'unauthorized':
      return f.status === undefined ? { kind } : { kind, status: oneOf(f.status, `${path}.status`, [401, 403] as const) };
    case 'hang':
    case 'reset':
      return { kind, stage: oneOf(f.stage, `${path}.stage`, ['before-accept', 'after-accept'] as const) };
    case 'late':
      return { kind, afterMs: number(f.afterMs, `${path}.afterMs`, 0) };
  }
}

function latency(value: unknown, path: string): Latency {
  const l = record(value, path);
  const kind = oneOf(l.kind, `${path}.kind`, ['fixed', 'uniform', 'percentiles'] as const);
  switch (kind) {
    case 'fixed':
      return { kind, ms: number(l.ms, `${path}.ms`, 0) };
    case 'uniform': {
      const minMs = number(l.minMs, `${path}.minMs`, 0);
      return { kind, minMs, maxMs: number(l.maxMs, `${path}.maxMs`, minMs) };
    }
    case 'percentiles': {
      const points = list(l.points, `${path}.points`).map((point, i): [number, number] => {
        const pair = list(point, `${path}.points[${i}]`);
        if (pair.length !== 2) fail(`${path}.points[${i}] must be a pair [percentile, ms]`);
        return [number(pair[0], `${path}.points[${i}][0]`, 0, 100), number(pair[1], `${path}.points[${i}][1]`, 0)];
      });
      if (points.length < 2 || points[0][0] !== 0 || points[points.length - 1][0] !== 100)
        fail(`${path}.points must run from percentile 0 to percentile 100`);
      for (let i = 1; i < points.length; i++) {
        if (points[i][0] <= points[i - 1][0] || points[i][1] < points[i - 1][1])
          fail(`${path}.points must rise: percentiles strictly, milliseconds never down`);
      }
      return { kind, points };
    }
  }
}

function refusal(value: unknown, path: string): Refusal {
  const r = record(value, path);
  const status = r.status === undefined ? {} : { status: integer(r.status, `${path}.status`, 400, 499) };
  return { to: text(r.to, `${path}.to`), code: integer(r.code, `${path}.code`, 0), message: text(r.message, `${path}.message`), ...status };
}

function fail(message: string): never {
  throw new ScenarioError(message);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${path} must be a JSON object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(`${path} must be an array`);
  return value;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') fail(`${path} must be a non-empty string`);
  return value;
}

function number(value: unknown, path: string, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    fail(`${path} must be a number from ${min}${max === Infinity ? '' : ` to ${max}`}`);
  return value;
}

function integer(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    fail(`${path} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
  return value as number;
}

function oneOf<T extends string | number>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(`${path} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}
