/**
 * The workflow code bundled ahead for every worker process (WORKER_WORKFLOW_BUNDLE): workers then start in a
 * second or two. bench/run.sh bundles once per run and names the file in BENCH_WORKFLOW_BUNDLE; a benchmark
 * run on its own bundles itself.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bundles the workflows (workflows/index.ts) into `path`. */
export async function bundleWorkflowsTo(path: string): Promise<void> {
  // Imported here: a benchmark given BENCH_WORKFLOW_BUNDLE does not load the bundler at all.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silent as never });
  writeFileSync(path, code);
}

/** BENCH_WORKFLOW_BUNDLE when that file exists; otherwise a new bundle's file, removed when this process exits. */
export async function writeWorkflowBundle(): Promise<string> {
  const shared = process.env.BENCH_WORKFLOW_BUNDLE;
  if (shared && existsSync(shared)) return shared;
  const folder = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'workflow-bundle.js');
  await bundleWorkflowsTo(path);
  return path;
}
