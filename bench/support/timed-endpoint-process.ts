/** Starts bench/support/timed-endpoint.ts as a child process; its report per sending. */
import { join } from 'node:path';
import { startListeningChild } from './listening-child';

export interface EndpointReport {
  requests: number;
  replayed: number;
  accepted: number;
  distinctNumbers: number;
  numbersSentTwice: number;
  spanSeconds: number;
  perSecond: number;
  maxPerSecondWindow: number;
  perWorker: Record<string, number>;
  /** When the first message arrived (epoch ms), null when none did. */
  firstAtMs: number | null;
  /** When the last message arrived (epoch ms), null when none did. */
  lastAtMs: number | null;
}

export interface TimedEndpoint {
  httpUrl: string;
  pid: number;
  /** Of one sending, or of several together (a number counts once per sending). */
  report(sendingIds: string | string[]): Promise<EndpointReport>;
  /** Messages of these sendings accepted so far, or within [fromMs, toMs] (epoch ms). */
  accepted(sendingIds: string | string[], window?: { fromMs: number; toMs: number }): Promise<number>;
  /** Messages of these sendings accepted within [fromMs, toMs] (epoch ms), per worker. */
  acceptedPerWorker(sendingIds: string | string[], window: { fromMs: number; toMs: number }): Promise<Record<string, number>>;
  /** Polls `accepted` until it reaches `count`; throws after `timeoutMs`. */
  waitForAccepted(sendingIds: string | string[], count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const idsQuery = (sendingIds: string | string[]) =>
  [sendingIds]
    .flat()
    .map((id) => `sendingId=${encodeURIComponent(id)}`)
    .join('&');

/** `delayMs`: every answer to a message this late (a provider API's latency). */
export async function startTimedEndpoint(options: { delayMs?: number } = {}): Promise<TimedEndpoint> {
  const { child, url, stop } = await startListeningChild(join(__dirname, 'timed-endpoint.ts'), {
    ...process.env,
    ENDPOINT_DELAY_MS: String(options.delayMs ?? 0),
  });
  const counted = async (sendingIds: string | string[], window?: { fromMs: number; toMs: number }) => {
    const range = window ? `&fromMs=${window.fromMs}&toMs=${window.toMs}` : '';
    return (await (await fetch(`${url}/count?${idsQuery(sendingIds)}${range}`)).json()) as {
      accepted: number;
      perWorker: Record<string, number>;
    };
  };
  const accepted: TimedEndpoint['accepted'] = async (sendingIds, window) => (await counted(sendingIds, window)).accepted;
  return {
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async report(sendingIds) {
      return (await (await fetch(`${url}/report?${idsQuery(sendingIds)}`)).json()) as EndpointReport;
    },
    accepted,
    acceptedPerWorker: async (sendingIds, window) => (await counted(sendingIds, window)).perWorker,
    async waitForAccepted(sendingIds, count, timeoutMs = 60 * 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (let seen = await accepted(sendingIds); seen < count; seen = await accepted(sendingIds)) {
        if (Date.now() > deadline) throw new Error(`The endpoint accepted ${seen} of ${count} messages within ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: stop,
  };
}
