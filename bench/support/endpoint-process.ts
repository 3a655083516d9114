/** The benchmark provider endpoint (provider-endpoint.ts) as a child process, and its counters. */
import { join } from 'node:path';
import { cpuSeconds } from './cpu';
import { startListeningChild } from './listening-child';

export interface EndpointStats {
  requests: number;
  accepted: number;
  replayed: number;
  distinctNumbers: number;
  numbersSentTwice: number;
  extraMessages: number;
  firstAt: number;
  lastAt: number;
}

export interface Endpoint {
  url: string;
  /** The generic JSON API: `${url}/messages`. */
  httpUrl: string;
  pid: number;
  stats(sendingId: string): Promise<EndpointStats>;
  cpuSeconds(): number;
  close(): Promise<void>;
}

export async function startEndpoint(options: { delayMs?: number } = {}): Promise<Endpoint> {
  const { child, url, stop } = await startListeningChild(join(__dirname, 'provider-endpoint.ts'), {
    ...process.env,
    ENDPOINT_DELAY_MS: String(options.delayMs ?? 0),
  });
  return {
    url,
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async stats(sendingId) {
      const response = await fetch(`${url}/stats?sendingId=${encodeURIComponent(sendingId)}`);
      return (await response.json()) as EndpointStats;
    },
    cpuSeconds: () => cpuSeconds(child.pid!),
    close: stop,
  };
}
