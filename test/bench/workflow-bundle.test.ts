import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeWorkflowBundle } from '../../bench/support/workflow-bundle';

describe('the workflow bundle of a benchmark', () => {
  const saved = process.env.BENCH_WORKFLOW_BUNDLE;
  afterEach(() => {
    if (saved === undefined) delete process.env.BENCH_WORKFLOW_BUNDLE;
    else process.env.BENCH_WORKFLOW_BUNDLE = saved;
  });

  test('under bench/run.sh it is the run’s one bundle (BENCH_WORKFLOW_BUNDLE), not a new one', async () => {
    const shared = join(mkdtempSync(join(tmpdir(), 'bench-bundle-test-')), 'workflow-bundle.js');
    writeFileSync(shared, '// the run’s bundle');
    process.env.BENCH_WORKFLOW_BUNDLE = shared;
    expect(await writeWorkflowBundle()).toBe(shared);
    rmSync(dirname(shared), { recursive: true });
  });

  test('run on its own (no BENCH_WORKFLOW_BUNDLE, or its file gone) it bundles the workflows itself', async () => {
    process.env.BENCH_WORKFLOW_BUNDLE = join(tmpdir(), 'no-such-folder', 'workflow-bundle.js');
    const path = await writeWorkflowBundle();
    expect(path).not.toBe(process.env.BENCH_WORKFLOW_BUNDLE);
    expect(readFileSync(path, 'utf8')).toContain('smsSendingWorkflow');
    rmSync(dirname(path), { recursive: true }); // jest's process does not run the removal at exit
  });
});
