/** What a fake provider records of each request it received, and a summary of them. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './scenario';

export type FakeApi = 'twilio' | 'http' | 'unknown';

export interface ReceivedRequest {
  api: FakeApi;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The recipient the body names (Twilio's `To`, the generic API's `to`), or null. */
  to: string | null;
  /** The status the fake answered; null when it gave none (a hang or a reset). */
  status: number | null;
  /** True when the generic endpoint answered from its idempotency cache. */
  replayed: boolean;
  /** The fault the scenario injected, null when the request was answered normally. */
  fault: FaultKind | null;
  /** How long the answer was held back (latency or a `late` fault). */
  delayMs: number;
  at: number;
}

export interface RequestsSummary {
  total: number;
  replayed: number;
  byApi: Record<string, number>;
  /** Per status answered; `none` for hangs and resets. */
  byStatus: Record<string, number>;
  /** Per injected fault; `none` for requests answered normally. */
  byFault: Record<string, number>;
}

export function summarize(requests: readonly ReceivedRequest[]): RequestsSummary {
  const summary: RequestsSummary = { total: requests.length, replayed: 0, byApi: {}, byStatus: {}, byFault: {} };
  const add = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const r of requests) {
    if (r.replayed) summary.replayed++;
    add(summary.byApi, r.api);
    add(summary.byStatus, r.status === null ? 'none' : String(r.status));
    add(summary.byFault, r.fault ?? 'none');
  }
  return summary;
}
