/**
 * Determinism guard: histories recorded from real sendings (test/support/record-histories.ts) must
 * replay through the current workflow code without a non-determinism error.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { ROOT, WORKFLOW_BUNDLE_PATH } from '../support/paths';

const DIR = join(ROOT, 'test', 'fixtures', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('the recorded histories cover every ending, a timer, continue-as-new, an expired approval, quiet hours, a pause, a cancel mid-send and a retry', () => {
  expect(files).toEqual([
    'approval-expired.json',
    'cancelled-while-scheduled.json',
    'cancelled-while-sending.json',
    'completed-now.json',
    'continued-as-new-first-run.json',
    'continued-as-new-last-run.json',
    'held-by-quiet-hours.json',
    'paused-resumed.json',
    'rejected.json',
    'rescheduled-refreshed.json',
    'retried-after-completion.json',
  ]);
});

test('every recorded history replays without a non-determinism error', async () => {
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8'))) }));
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code: readFileSync(WORKFLOW_BUNDLE_PATH, 'utf8') } }, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : null });
  }
  expect(results).toEqual(files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), error: null })));
});
