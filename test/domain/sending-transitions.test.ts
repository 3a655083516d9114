/** The state machine's one table: the docs show the diagram rendered from it, and every state is reachable and has a way out. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSITIONS, allowedFrom, isAllowed, renderStateDiagram } from '../../domain/sending-transitions';
import { TERMINAL_STATES, type SendingState } from '../../domain/types';
import { ROOT } from '../support/paths';

const STATES: SendingState[] = [
  'draft',
  'prepared',
  'awaiting_approval',
  'approved',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'rejected',
  'cancelled',
  'failed',
];

test('docs/architecture.md shows the diagram rendered from the table', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const block = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)\n```/.exec(doc);
  expect(block?.[1]).toBe(renderStateDiagram());
});

test('every state is reached from draft, and only the final ones have no way on (a completed sending takes a retry)', () => {
  const reached = new Set<SendingState>(['draft']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of TRANSITIONS) {
      if (t.to && !reached.has(t.to) && t.from.some((s) => reached.has(s))) {
        reached.add(t.to);
        grew = true;
      }
    }
  }
  expect([...reached].sort()).toEqual([...STATES].sort());
  const leaving = (state: SendingState) => TRANSITIONS.some((t) => t.from.includes(state) && t.to !== null && t.to !== state);
  expect(STATES.filter((s) => !leaving(s))).toEqual(['rejected', 'cancelled', 'failed']);
  expect(TERMINAL_STATES).toEqual(['completed', 'rejected', 'cancelled', 'failed']);
});

test('what a person may do: cancel in every state before the end, pause only while sending, resume only while paused', () => {
  expect(allowedFrom('cancel').sort()).toEqual(['approved', 'awaiting_approval', 'draft', 'paused', 'prepared', 'scheduled', 'sending']);
  expect(allowedFrom('pause')).toEqual(['sending']);
  expect(allowedFrom('resume')).toEqual(['paused']);
  expect(allowedFrom('retryRecipients').sort()).toEqual(['completed', 'paused']);
  expect(isAllowed('send', 'awaiting_approval')).toBe(false);
  expect(isAllowed('send', 'approved')).toBe(true);
  for (const end of ['rejected', 'cancelled', 'failed'] as SendingState[])
    expect(TRANSITIONS.filter((t) => t.from.includes(end))).toEqual([]);
});
