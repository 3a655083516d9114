/** Processes and ports as Linux shows them (/proc), to check that a stack left nothing running behind. */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

interface ProcessEntry {
  pid: number;
  ppid: number;
  state: string;
}

function entry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), state };
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
export function withDescendants(roots: number[]): number[] {
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
  return [...found];
}

/** The direct children of a process. */
export function childrenOf(pid: number): number[] {
  return allProcesses().filter((p) => p.ppid === pid).map((p) => p.pid);
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Of the given pids, those still running (a zombie holds nothing: it is not counted), with their command lines. */
export function stillRunning(pids: number[]): string[] {
  return pids.filter((pid) => {
    const e = entry(pid);
    return e !== undefined && e.state !== 'Z';
  }).map((pid) => `${pid} ${commandOf(pid)}`);
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

/** SIGKILL to each still-running process of the list (and its process group when it leads one): what a failed case left. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    const e = entry(pid);
    if (!e || e.state === 'Z') continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
