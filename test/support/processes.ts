/**
 * Processes and ports as Linux shows them (/proc), to check that a stack left nothing running behind.
 * A process is known by its pid and its start time, so a pid the kernel gives again later is not taken for it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcessRef {
  pid: number;
  /** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat). */
  started: string;
}

interface ProcessEntry extends ProcessRef {
  ppid: number;
  state: string;
}

function entry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0], ppid: Number(fields[1]), started: fields[19] };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcessEntry[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => entry(Number(name)))
    .filter((e): e is ProcessEntry => e !== undefined);
}

/** The given processes and all their descendants. */
export function withDescendants(roots: number[]): ProcessRef[] {
  const table = allProcesses();
  const found = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return table.filter((p) => found.has(p.pid)).map(({ pid, started }) => ({ pid, started }));
}

/** The direct children of a process. */
export function childrenOf(pid: number): number[] {
  return allProcesses()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Whether the process is still running (a zombie holds nothing: it does not count). */
function running(ref: ProcessRef): boolean {
  const e = entry(ref.pid);
  return e !== undefined && e.started === ref.started && e.state !== 'Z';
}

/** Of the given processes, those still running, as "pid command line". */
export function stillRunning(refs: ProcessRef[]): string[] {
  return refs.filter(running).map((ref) => `${ref.pid} ${commandOf(ref.pid)}`);
}

/** Of the given ports, those something still listens on at 127.0.0.1. */
export async function portsInUse(ports: number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}

/** SIGKILL to each of the given processes still running: what a failed case left. */
export function killAll(refs: ProcessRef[]): void {
  for (const ref of refs.filter(running)) {
    try {
      process.kill(ref.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
