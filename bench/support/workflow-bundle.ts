/** The workflow code bundled once per benchmark, for every worker process (WORKER_WORKFLOW_BUNDLE): workers then start in a second or two. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** The bundle's file, removed when this process exits. */
export async function writeWorkflowBundle(): Promise<string> {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silent as never });
  const folder = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
