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
}

export interface TimedEndpoint {
  httpUrl: string;
  pid: number;
  report(sendingId: string): Promise<EndpointReport>;
  close(): Promise<void>;
}

/** `delayMs`: every answer to a message this late (a provider API's latency). */
export async function startTimedEndpoint(options: { delayMs?: number } = {}): Promise<TimedEndpoint> {
  const { child, url, stop } = await startListeningChild(join(__dirname, 'timed-endpoint.ts'), {
    ...process.env,
    ENDPOINT_DELAY_MS: String(options.delayMs ?? 0),
  });
  return {
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async report(sendingId) {
      return (await (await fetch(`${url}/report?sendingId=${encodeURIComponent(sendingId)}`)).json()) as EndpointReport;
    },
    close: stop,
  };
}
