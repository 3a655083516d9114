/**
 * The approval hash is unchanged: every hash the recorded histories (test/fixtures/histories, written by
 * earlier code) hold for a prepared sending is what approvalHashOf computes today for the same content.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { approvalHashOf } from '../../domain/approval-hash';
import { historyText } from '../support/history-text';
import { ROOT } from '../support/paths';

const DIR = join(ROOT, 'test', 'fixtures', 'histories');

interface RecordedStatus {
  selection: Parameters<typeof approvalHashOf>[0]['selection'];
  prepared: Omit<Parameters<typeof approvalHashOf>[0], 'selection'> | null;
  approvalHash: string | null;
}

/** Sending statuses with a hash, wherever a payload holds one (an update's result, a continue-as-new input). */
function recordedStatuses(file: string): RecordedStatus[] {
  const found: RecordedStatus[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (typeof (node as RecordedStatus).approvalHash === 'string') found.push(node as RecordedStatus);
    Object.values(node).forEach(walk);
  };
  historyText(JSON.parse(readFileSync(join(DIR, file), 'utf8')))
    .split('\n')
    .filter((payload) => payload.includes('"approvalHash":"'))
    .forEach((payload) => walk(JSON.parse(payload)));
  return found;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test.each(files)('the approval hashes recorded in %s are recomputed unchanged', (file) => {
  const statuses = recordedStatuses(file).filter((status) => status.prepared !== null);
  expect(statuses.length).toBeGreaterThan(0);
  const recorded = statuses.map((status) => status.approvalHash);
  const recomputed = statuses.map(({ selection, prepared }) => approvalHashOf({ selection, ...prepared! }));
  expect(recomputed).toEqual(recorded);
});

test('the histories record approval hashes of several distinct prepared sendings', () => {
  const hashes = new Set(files.flatMap((file) => recordedStatuses(file).map((status) => status.approvalHash)));
  expect(hashes.size).toBeGreaterThanOrEqual(5);
});
