/** Where benchmark figures go: printed as a table and written as JSON to bench/results/<name>[.quick].json. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const BENCH_ROOT = join(__dirname, '..');
export const QUICK = process.argv.includes('--quick');

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export type Row = Record<string, string | number | boolean | null>;

/** Prints the rows as an aligned table and writes { name, quick, date, revision, machine, rows, notes }. */
export function report(name: string, rows: Row[], notes: Record<string, unknown> = {}): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) =>
    value === undefined || value === null ? '' : typeof value === 'number' ? formatNumber(value) : String(value);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => cell(row[c]))));
  const dir = join(BENCH_ROOT, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}${QUICK ? '.quick' : ''}.json`);
  const result = { name, quick: QUICK, date: new Date().toISOString(), revision: gitRevision(), machine: machine(), rows, notes };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`→ ${file}`);
  return file;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Runs a benchmark's `main`: exit 0 when it resolves, 1 with the error printed when it throws. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
