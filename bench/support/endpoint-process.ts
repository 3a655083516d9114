/** The benchmark provider endpoint (provider-endpoint.ts) as a child process, and its counters. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds } from './cpu';

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
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'provider-endpoint.ts')], {
    env: { ...process.env, ENDPOINT_DELAY_MS: String(options.delayMs ?? 0) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /\[endpoint\] (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the endpoint exited with ${code} before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async stats(sendingId) {
      const response = await fetch(`${url}/stats?sendingId=${encodeURIComponent(sendingId)}`);
      return (await response.json()) as EndpointStats;
    },
    cpuSeconds: () => cpuSeconds(child.pid!),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
