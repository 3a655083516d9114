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
}

export interface TimedEndpoint {
  httpUrl: string;
  pid: number;
  report(sendingId: string): Promise<EndpointReport>;
  close(): Promise<void>;
}

export async function startTimedEndpoint(): Promise<TimedEndpoint> {
  const { child, url, stop } = await startListeningChild(join(__dirname, 'timed-endpoint.ts'));
  return {
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async report(sendingId) {
      return (await (await fetch(`${url}/report?sendingId=${encodeURIComponent(sendingId)}`)).json()) as EndpointReport;
    },
    close: stop,
  };
}
