/**
 * A Temporal dev server of a test's own, on free ports with its data in a file, started and stopped through
 * scripts/temporal-dev.sh (the same flags and search attributes as `npm start`), so it can be restarted — or
 * killed — in the middle of a sending and keep what it had.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './n8n';
import { ROOT } from './paths';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 'temporal-dev.sh');

export interface DevServer {
  address: string;
  start(): Promise<void>;
  /** SIGTERM, as an operator's restart does. */
  stop(): Promise<void>;
  /** SIGKILL: the server dies mid-write. */
  kill(): void;
}

export async function devServer(dataFolder: string): Promise<DevServer> {
  const port = await freePort();
  const env = {
    ...process.env,
    DURABLE_SMS_DATA: dataFolder,
    TEMPORAL_PORT: String(port),
    TEMPORAL_UI_PORT: '0',
    TEMPORAL_HTTP_PORT: String(await freePort()),
    TEMPORAL_DB_FILE: join(dataFolder, 'temporal.db'),
  };
  const script = (command: string) => run('bash', [SCRIPT, command], { env, timeout: 120_000 });
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      await script('start');
    },
    async stop() {
      await script('stop');
    },
    kill() {
      process.kill(Number(readFileSync(join(dataFolder, `temporal-${port}.pid`), 'utf8')), 'SIGKILL');
    },
  };
}
