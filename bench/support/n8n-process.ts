/** Stopping and restarting the n8n of test/support/n8n.ts the way an operator would: signals to its process group, then `scripts/n8n.sh start` on the same user folder. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { N8N_SCRIPT, freePort, type N8n } from '../../test/support/n8n';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function port(n8n: N8n): number {
  return Number(new URL(n8n.url).port);
}

/** The pid of n8n's main process, which leads its process group (its task runner included). */
export function n8nPid(n8n: N8n): number {
  return Number(readFileSync(join(n8n.dataDir, `n8n-${port(n8n)}.pid`), 'utf8').trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the whole group and waits for the main process to exit; seconds it took, or null if it was still running after `timeoutMs`. */
export async function signalN8n(n8n: N8n, signal: 'SIGTERM' | 'SIGKILL', timeoutMs = 120_000): Promise<number | null> {
  const pid = n8nPid(n8n);
  const started = performance.now();
  process.kill(-pid, signal);
  while (alive(pid)) {
    if (performance.now() - started > timeoutMs) return null;
    await sleep(50);
  }
  return (performance.now() - started) / 1000;
}

export async function restartN8n(n8n: N8n): Promise<void> {
  const env = {
    ...process.env,
    DURABLE_SMS_DATA: n8n.dataDir,
    N8N_USER_FOLDER: n8n.userFolder,
    N8N_PORT: String(port(n8n)),
    N8N_RUNNERS_BROKER_PORT: String(await freePort()),
  };
  await run('bash', [N8N_SCRIPT, 'start'], { env, maxBuffer: 16 * 1024 * 1024 });
}
