/** Starts bench/support/timed-endpoint.ts as a child process; its report per sending. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'timed-endpoint.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /\[endpoint\] (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the endpoint exited with ${code} before listening`)));
  });
  return {
    httpUrl: `${url}/messages`,
    pid: child.pid!,
    async report(sendingId) {
      return (await (await fetch(`${url}/report?sendingId=${encodeURIComponent(sendingId)}`)).json()) as EndpointReport;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
