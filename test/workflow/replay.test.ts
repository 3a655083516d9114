/**
 * Determinism guard: histories recorded from real sendings (test/support/record-histories.ts) must
 * replay through the current workflow code without a non-determinism error, and must fail to replay
 * through the same code with one deliberate change to its commands (test/support/replay-changes/).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWithChange } from '../support/bundle-with-change';
import { payloadJson } from '../support/history-text';
import { ROOT, WORKFLOW_BUNDLE_PATH } from '../support/paths';

const DIR = join(ROOT, 'test', 'fixtures', 'histories');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the recorded histories cover every ending, a timer, continue-as-new, an expired approval, quiet hours, a pause, a cancel mid-send, a retry, parallel batches, batches sized by time, a batch cut by its time limit, and the patched branch of every patch', () => {
  expect(files).toEqual([
    'approval-expired.json',
    'approval-signals-checked.json', // signal-input-checks
    'batches-sized-by-time-resumed.json', // answers with calls, a pause and resume
    'batches-sized-by-time.json', // batches-sized-by-time
    'cancelled-while-scheduled.json',
    'cancelled-while-sending.json',
    'completed-now.json',
    'continued-as-new-first-run.json',
    'continued-as-new-last-run.json',
    'held-by-quiet-hours-audited.json', // held-by-quiet-hours-audited
    'held-by-quiet-hours.json',
    'parallel-batches-bounded-first-run.json', // parallel-batches-bounded-run
    'parallel-batches-bounded-last-run.json',
    'parallel-batches-first-run.json', // parallel-batches, operator-stop-before-auto-pause
    'parallel-batches-last-run.json',
    'pause-refused-while-cancelling.json', // pause-and-resume-refused-while-cancelling
    'paused-resumed.json', // progress-from-directory-at-the-end
    'rejected.json',
    'rescheduled-refreshed.json',
    'resume-refused-while-cancelling.json',
    'retried-after-completion.json',
    'time-limited-batches-counted-first-run.json', // time-limited-batches-counted: a cut attempt ends a long run
  ]);
});

/** The ids of the patches a recorded history went through (its `core_patch` markers). */
function patchesIn(file: string): string[] {
  const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    return Object.values(marker.details ?? {})
      .flatMap((d) => d.payloads ?? [])
      .map((p) => String((payloadJson(p) as { id: unknown }).id));
  });
}

/** The ids of the patches in the workflow code: `patched('id')`, or `patched(NAME)` with `const NAME = 'id'` in the same file. */
function patchesInWorkflows(): string[] {
  const dir = join(ROOT, 'workflows');
  const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return sources.flatMap((file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    return [...source.matchAll(/\bpatched\(\s*(?:'([^']+)'|(\w+))\s*\)/g)].map(([call, literal, name]) => {
      const id = literal ?? new RegExp(`\\b${name} = '([^']+)'`).exec(source)?.[1];
      if (!id) throw new Error(`${file}: cannot tell the patch id of ${call}`);
      return id;
    });
  });
}

test('every patch of the workflow code (a patched() call) has its marker in at least one recorded history, so a change behind it is replayed', () => {
  const recorded = new Set(files.flatMap(patchesIn));
  const patches = [...new Set(patchesInWorkflows())].sort();
  expect(patches.length).toBeGreaterThanOrEqual(7);
  expect(patches.filter((id) => !recorded.has(id))).toEqual([]);
});

const workflowIdOf = (file: string): string => file.replace(/\.json$/, '');

async function replayAll(workflowBundle: ReplayWorkerOptions['workflowBundle']): Promise<{ workflowId: string; error: unknown }[]> {
  const histories = files.map((file) => ({
    workflowId: workflowIdOf(file),
    history: historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8'))),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories))
    results.push({ workflowId: result.workflowId, error: result.error ?? null });
  return results;
}

test('every recorded history replays without a non-determinism error', async () => {
  const results = await replayAll({ code: readFileSync(WORKFLOW_BUNDLE_PATH, 'utf8') });
  expect(results.map(({ workflowId, error }) => ({ workflowId, error: error ? String(error) : null }))).toEqual(
    files.map((file) => ({ workflowId: workflowIdOf(file), error: null })),
  );
});

test('the workflow with an interceptor that changes nothing still replays every history (the control of the next tests)', async () => {
  const results = await replayAll(await bundleWithChange('unchanged'));
  expect(results.map(({ workflowId, error }) => ({ workflowId, error: error ? String(error) : null }))).toEqual(
    files.map((file) => ({ workflowId: workflowIdOf(file), error: null })),
  );
});

test.each([
  {
    change: 'timer-before-activities',
    what: 'a timer started before each activity',
    message: /Timer machine does not handle this event: HistoryEvent\(id: \d+, ActivityTaskScheduled\)/,
  },
  {
    change: 'renamed-activities',
    what: 'every activity scheduled under another name',
    message: /Activity type of scheduled event '(\w+)' does not match activity type of activity command '\1Renamed'/,
  },
])('the workflow changed by $what fails to replay every history with a non-determinism error', async ({ change, message }) => {
  const results = await replayAll(await bundleWithChange(change));
  expect(results.map(({ workflowId }) => workflowId)).toEqual(files.map(workflowIdOf));
  for (const { workflowId, error } of results) {
    expect({ workflowId, determinismViolation: error instanceof DeterminismViolationError }).toEqual({
      workflowId,
      determinismViolation: true,
    });
    expect(String(error)).toMatch(message);
  }
});
