/**
 * `npm start` the way a user runs it: in a shell of their own (none of the test run's settings), on
 * free ports, with its output piped into tee (`npm start 2>&1 | tee <file>`) in a process group of its
 * own, so a test can act as the terminal (Ctrl-C: SIGINT to the group; closing it: SIGHUP to the group).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './n8n';
import { ROOT } from './paths';
import { childrenOf, commandOf, withDescendants, type ProcessRef } from './processes';

export const STACK_PORT_SETTINGS = [
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'TEMPORAL_HTTP_PORT',
  'N8N_PORT',
  'N8N_RUNNERS_BROKER_PORT',
  'DEMO_INBOX_PORT',
] as const;
export type StackPorts = Record<(typeof STACK_PORT_SETTINGS)[number], number>;

/** A free port for each of the stack's port settings, no two the same. */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = {} as StackPorts;
  const used = new Set<number>();
  for (const name of STACK_PORT_SETTINGS) {
    let port = await freePort();
    while (used.has(port)) port = await freePort();
    used.add(port);
    ports[name] = port;
  }
  return ports;
}

/** The environment of a user's shell: none of the test run's Temporal, directory or n8n settings. */
export function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TEMPORAL_|DIRECTORY_|N8N_|DURABLE_SMS_DATA|DEMO_|NODE_ENV|JEST_|SMS_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The settings a user gives `npm start` (and `npm run sms` beside it) to run on these ports with this data folder. */
export function stackEnv(data: string, ports: StackPorts): NodeJS.ProcessEnv {
  return userEnv({
    DURABLE_SMS_DATA: data,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    DIRECTORY_SQLITE_PATH: join(data, 'directory.sqlite'),
  });
}

export interface PipedStart {
  /** The shell running the pipeline; it leads the pipeline's process group. */
  shell: ChildProcess;
  exited: Promise<void>;
  /** What tee has written to its file so far. */
  output(): string;
  /** As the terminal does (Ctrl-C, closing it); nothing when the group has ended. */
  signalGroup(signal: NodeJS.Signals): void;
  npmPid(): number;
  teePid(): number;
  /** Every process of the stack now: the pipeline and its descendants, the Temporal dev server and n8n (from their pid files), theirs. */
  processes(): ProcessRef[];
  untilOutput(marker: string, timeoutMs: number): Promise<void>;
}

export function startPiped(env: NodeJS.ProcessEnv, data: string, ports: StackPorts, logFile: string): PipedStart {
  const shell = spawn('bash', ['-c', 'npm start 2>&1 | tee "$1" >/dev/null', 'pipeline', logFile], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: 'ignore',
  });
  let ended = false;
  const exited = new Promise<void>((resolve) =>
    shell.once('exit', () => {
      ended = true;
      resolve();
    }),
  );
  const output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const child = (isTee: boolean) => {
    const pid = childrenOf(shell.pid!).find((p) => commandOf(p).startsWith('tee') === isTee);
    if (pid === undefined) throw new Error(`no ${isTee ? 'tee' : 'npm'} process under the pipeline's shell`);
    return pid;
  };
  const pidFromFile = (file: string) => {
    const path = join(data, file);
    return existsSync(path) ? [Number(readFileSync(path, 'utf8').trim())] : [];
  };
  return {
    shell,
    exited,
    output,
    signalGroup(signal) {
      try {
        process.kill(-shell.pid!, signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // the group has ended: nothing left in it to signal
      }
    },
    npmPid: () => child(false),
    teePid: () => child(true),
    processes: () =>
      withDescendants([shell.pid!, ...pidFromFile(`temporal-${ports.TEMPORAL_PORT}.pid`), ...pidFromFile(`n8n-${ports.N8N_PORT}.pid`)]),
    async untilOutput(marker, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!output().includes(marker)) {
        if (ended) throw new Error(`npm start ended before "${marker}":\n${output()}`);
        if (Date.now() > deadline) throw new Error(`no "${marker}" from npm start within ${timeoutMs / 1000} s:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  };
}
