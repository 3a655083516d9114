/**
 * Prepare at scale: Count and Prepare (resolve, normalize, dedup, snapshot, then the validation
 * report) of generated directories of 10k, 100k and 1M contacts on SQLite and PostgreSQL, through
 * the sending workflow with a real worker. Each case runs in a fresh process (bench/support/prepare-run.ts)
 * so its peak RSS is its own; in that process the audience is also prepared with a message holding
 * emoji, personalized with each contact's number so that every body differs. `--quick`: 10k and 100k.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AudienceSelection } from '../domain/types';
import { loadDirectories, type BenchStore, type LoadedDirectory } from './support/bulk-load';
import type { RunInput, RunResult } from './support/prepare-run';
import { loadAverage } from './support/cpu';
import { QUICK, report, runBenchmark, type Row } from './support/results';
import { writeWorkflowBundle } from './support/workflow-bundle';

const SIZES = process.env.BENCH_PREPARE_SIZES?.split(',').map(Number) ?? (QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
const STORES: BenchStore[] = ['sqlite', 'postgres'];
const PROJECT = 'bench';
const MESSAGE = 'Hi {{firstName}}, your order is ready for pickup in {{city}} until Saturday. Reply STOP to opt out.';
const EMOJI_MESSAGE =
  'Hi {{firstName}} 🎉 the order for {{mobile}} is ready for pickup in {{city}} until Saturday 👍🏽 Reply STOP to opt out.';

const ALL: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perNumber' };

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sum = (values: Record<string, number>, names: string[]) => names.reduce((total, name) => total + (values[name] ?? 0), 0);

function runCase(input: RunInput): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(__dirname, 'support', 'prepare-run.ts'), JSON.stringify(input)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as RunResult[]);
      else reject(new Error(`prepare-run exited with ${code}:\n${out}`));
    });
  });
}

function rowOf(store: BenchStore, contacts: number, result: RunResult): Row {
  const { count, prepare } = result;
  const snapshot = sum(prepare.directory, ['prepareSnapshot']);
  const pages = sum(prepare.directory, ['readSnapshot', 'skipRecipients']);
  return {
    store,
    contacts,
    audience: result.label,
    targeted: result.targeted,
    messages: result.messages,
    excluded: Object.values(result.excluded).reduce((a, b) => a + b, 0),
    countSeconds: round(count.seconds),
    prepareSeconds: round(prepare.seconds),
    snapshotSqlSeconds: round(snapshot),
    readPagesSeconds: round(pages),
    checksSeconds: round(prepare.seconds - snapshot - pages),
    peakRssMiB: Math.round(prepare.peakRssMiB),
    peakGrowthMiB: Math.round(prepare.peakGrowthMiB),
    countPeakGrowthMiB: Math.round(count.peakGrowthMiB),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const loading: Record<string, number> = {};
  const excludedByReason: Record<string, Record<string, number>> = {};
  const loadBefore = loadAverage();
  const bundlePath = await writeWorkflowBundle();
  for (const size of SIZES) {
    const started = performance.now();
    const directories: LoadedDirectory[] = await loadDirectories(STORES, PROJECT, size);
    loading[String(size)] = round((performance.now() - started) / 1000, 1);
    console.log(`generated ${size} contacts on ${STORES.join(' and ')} in ${loading[String(size)]} s`);
    try {
      for (const loaded of STORES.map((store) => directories.find((d) => d.store === store)!)) {
        const results = await runCase({
          config: loaded.config,
          projectId: PROJECT,
          bundlePath,
          taskQueue: `bench-prepare-${process.pid}-${loaded.store}-${size}`,
          message: MESSAGE,
          selections: [
            { label: 'all', selection: ALL },
            { label: 'all, emoji message', selection: ALL, message: EMOJI_MESSAGE },
          ],
        });
        for (const result of results) {
          const row = rowOf(loaded.store, size, result);
          console.log(JSON.stringify(row));
          rows.push(row);
          excludedByReason[`${loaded.store} ${size} ${result.label}`] = result.excluded;
        }
      }
    } finally {
      for (const loaded of directories) await loaded.drop();
    }
  }
  report('prepare', rows, {
    load: { before: loadBefore, after: loadAverage() },
    message: MESSAGE,
    emojiMessage: EMOJI_MESSAGE,
    selection: 'audience all, one SMS per number (perNumber), quiet hours off, sender +15145550000',
    generationSeconds: loading,
    excludedByReason,
    columns: {
      countSeconds: 'Count through the workflow (update round trip): one SQL aggregate',
      prepareSeconds: 'Prepare through the workflow (update round trip): snapshot activity + validation activity',
      snapshotSqlSeconds: 'of which the snapshot SQL (resolve, dedup, insert into sending_recipients)',
      readPagesSeconds: 'of which reading the snapshot pages (and marking policy exclusions) in the validation activity',
      checksSeconds: 'the rest: per-recipient checks (country/type, personalization, segments) and Temporal round trips',
      peakRssMiB: 'peak RSS of the worker process during Prepare (kernel high-water mark)',
      peakGrowthMiB: 'peak RSS during Prepare minus RSS just before',
    },
  });
}

runBenchmark(main);
