/**
 * However `npm start 2>&1 | tee <file>` is stopped, every piece it started stops with it: Ctrl-C (tee dies
 * in the same instant), a closed terminal, `kill` of npm alone, the reader of the output going away, and
 * Ctrl-C twice while n8n is still starting. Checked by pid (the pipeline's processes, the Temporal dev
 * server's and n8n's pid files) and by port. One data folder: the first start provisions, the next ones reuse it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeStackPorts, stackEnv, startPiped, type PipedStart, type StackPorts } from '../support/npm-start';
import { killAll, portsInUse, stillRunning, type ProcessRef } from '../support/processes';

const UP = 'durable SMS demo is up';
/** How long a stop may take: n8n still starting ignores SIGTERM until it is killed after its 30 s grace (38 s when loaded). */
const STOP_WITHIN_MS = 90_000;

describe('npm start stops everything it started', () => {
  const data = mkdtempSync(join(tmpdir(), 'durable-sms-start-stop-'));
  let ports: StackPorts;
  let env: NodeJS.ProcessEnv;
  let stack: PipedStart | undefined;
  let seen: ProcessRef[] = [];
  let starts = 0;

  beforeAll(async () => {
    ports = await freeStackPorts();
    env = stackEnv(data, ports);
  });

  afterEach(() => {
    // What a failing case left running, so the next one starts on free ports.
    if (stack) killAll([...seen, ...stack.processes()]);
    stack = undefined;
    seen = [];
  });

  afterAll(() => {
    if (process.env.DURABLE_SMS_KEEP_N8N !== '1') rmSync(data, { recursive: true, force: true });
  });

  async function startUntil(marker: string, timeoutMs: number): Promise<PipedStart> {
    stack = startPiped(env, data, ports, join(data, `npm-start-${++starts}.log`));
    await stack.untilOutput(marker, timeoutMs);
    return stack;
  }

  /** The stack's processes now, checked to hold the Temporal dev server and n8n (else the case proves nothing). */
  function snapshot(s: PipedStart): ProcessRef[] {
    seen = s.processes();
    const pidIn = (file: string) => Number(readFileSync(join(data, file), 'utf8').trim());
    expect(seen.map((p) => p.pid)).toEqual(
      expect.arrayContaining([pidIn(`temporal-${ports.TEMPORAL_PORT}.pid`), pidIn(`n8n-${ports.N8N_PORT}.pid`)]),
    );
    return seen;
  }

  async function expectNothingLeft(pids: ProcessRef[]): Promise<void> {
    const allPorts = Object.values(ports);
    const deadline = Date.now() + STOP_WITHIN_MS;
    let left = { processes: stillRunning(pids), ports: await portsInUse(allPorts) };
    while ((left.processes.length > 0 || left.ports.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = { processes: stillRunning(pids), ports: await portsInUse(allPorts) };
    }
    expect(left).toEqual({ processes: [], ports: [] });
  }

  test(
    'Ctrl-C (SIGINT to the group, tee included) stops every piece',
    async () => {
      const s = await startUntil(UP, 1_200_000);
      const pids = snapshot(s);
      s.signalGroup('SIGINT');
      await expectNothingLeft(pids);
    },
    1_200_000 + STOP_WITHIN_MS + 10_000,
  );

  test(
    'closing the terminal (SIGHUP to the group) stops every piece',
    async () => {
      const s = await startUntil(UP, 300_000);
      const pids = snapshot(s);
      s.signalGroup('SIGHUP');
      await expectNothingLeft(pids);
    },
    300_000 + STOP_WITHIN_MS + 10_000,
  );

  test(
    'kill of npm alone (SIGTERM) stops every piece, and tee ends',
    async () => {
      const s = await startUntil(UP, 300_000);
      const pids = snapshot(s);
      process.kill(s.npmPid(), 'SIGTERM');
      await expectNothingLeft(pids);
    },
    300_000 + STOP_WITHIN_MS + 10_000,
  );

  test(
    'when the reader of the output goes away (tee killed), the stack stops instead of running on unseen',
    async () => {
      const s = await startUntil(UP, 300_000);
      const pids = snapshot(s);
      process.kill(s.teePid(), 'SIGTERM');
      await expectNothingLeft(pids);
      expect(readFileSync(join(data, 'start-stop.log'), 'utf8')).toMatch(/nobody reads[^\n]*\n(.*\n)*\[start\] everything stopped/);
    },
    300_000 + STOP_WITHIN_MS + 10_000,
  );

  test(
    'Ctrl-C twice while n8n is still starting leaves nothing behind',
    async () => {
      const s = await startUntil('[n8n] starting', 300_000);
      const n8nPidFile = join(data, `n8n-${ports.N8N_PORT}.pid`);
      for (const end = Date.now() + 10_000; Date.now() < end; ) {
        try {
          if (readFileSync(n8nPidFile, 'utf8').trim()) break;
        } catch {
          // not written yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const pids = snapshot(s);
      expect(s.output()).not.toContain(UP);
      s.signalGroup('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      s.signalGroup('SIGINT');
      await expectNothingLeft(pids);
    },
    300_000 + STOP_WITHIN_MS + 10_000,
  );
});
