/**
 * The kernel's high-water mark of this process's resident memory (Linux VmHWM). Unlike sampling
 * from a timer, it also sees memory used while the event loop is blocked in a synchronous call
 * (a long better-sqlite3 statement).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MiB = 2 ** 20;

/** Starts a new high-water mark at the current RSS; false where the kernel does not allow it. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The high-water mark in MiB, or null off Linux. */
export function peakRssMiB(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? (Number(match[1]) * 1024) / MiB : null;
  } catch {
    return null;
  }
}
