/**
 * The sending's state machine, in one table: which action is allowed in which states and where it leads.
 * The workflow's validators read it, docs/architecture.md shows the diagram rendered from it (a test
 * checks they agree), and the errors quote it. Pure data.
 */
import type { SendingState } from './types';

export type SendingAction =
  | 'select'
  | 'count'
  | 'prepare'
  | 'requestApproval'
  | 'approve'
  | 'reject'
  | 'proofSend'
  | 'expireApproval'
  | 'send'
  | 'reschedule'
  | 'reachSendTime'
  | 'pause'
  | 'autoPause'
  | 'resume'
  | 'retryRecipients'
  | 'complete'
  | 'cancel'
  | 'fail';

export interface Transition {
  action: SendingAction;
  from: readonly SendingState[];
  /** null: the state does not change. */
  to: SendingState | null;
  /** `person`: an update someone sends (n8n node, CLI, approval page); `workflow`: the workflow itself. */
  by: 'person' | 'workflow';
  /** When it takes this edge, if the action has several. */
  when?: string;
}

const EDITABLE: readonly SendingState[] = ['draft', 'prepared', 'awaiting_approval', 'approved'];

export const TRANSITIONS: readonly Transition[] = [
  { action: 'select', from: EDITABLE, to: 'draft', by: 'person' },
  { action: 'count', from: EDITABLE, to: null, by: 'person' },
  { action: 'prepare', from: EDITABLE, to: 'prepared', by: 'person' },
  { action: 'requestApproval', from: ['prepared', 'awaiting_approval'], to: 'awaiting_approval', by: 'person' },
  { action: 'approve', from: ['awaiting_approval'], to: null, by: 'person', when: 'more approvals needed' },
  { action: 'approve', from: ['awaiting_approval'], to: 'approved', by: 'person', when: 'the last approval needed' },
  { action: 'reject', from: ['prepared', 'awaiting_approval'], to: 'rejected', by: 'person' },
  { action: 'proofSend', from: ['awaiting_approval'], to: null, by: 'person', when: "to an approver's own phone" },
  { action: 'expireApproval', from: ['awaiting_approval'], to: 'prepared', by: 'workflow' },
  { action: 'send', from: ['approved'], to: 'sending', by: 'person', when: 'now' },
  { action: 'send', from: ['approved'], to: 'scheduled', by: 'person', when: 'later' },
  { action: 'reschedule', from: ['prepared'], to: null, by: 'person' },
  {
    action: 'reschedule',
    from: ['awaiting_approval', 'approved', 'scheduled'],
    to: 'awaiting_approval',
    by: 'person',
    when: 'approvals void',
  },
  { action: 'reachSendTime', from: ['scheduled'], to: 'sending', by: 'workflow' },
  { action: 'pause', from: ['sending'], to: 'paused', by: 'person' },
  { action: 'autoPause', from: ['sending'], to: 'paused', by: 'workflow', when: 'account refused, breaker or backoffs' },
  { action: 'resume', from: ['paused'], to: 'sending', by: 'person' },
  { action: 'retryRecipients', from: ['paused'], to: null, by: 'person', when: 'sent at the resume' },
  { action: 'retryRecipients', from: ['completed'], to: 'sending', by: 'person', when: 'within the retry window' },
  { action: 'complete', from: ['sending'], to: 'completed', by: 'workflow' },
  {
    action: 'cancel',
    from: ['draft', 'prepared', 'awaiting_approval', 'approved', 'scheduled', 'sending', 'paused'],
    to: 'cancelled',
    by: 'person',
  },
  { action: 'fail', from: ['scheduled', 'sending'], to: 'failed', by: 'workflow', when: 'directory or refresh unusable' },
  { action: 'fail', from: ['paused'], to: 'failed', by: 'workflow', when: 'paused past its limit' },
];

/** The states an action is allowed in. */
export function allowedFrom(action: SendingAction): SendingState[] {
  const states = new Set<SendingState>();
  for (const t of TRANSITIONS) if (t.action === action) for (const s of t.from) states.add(s);
  return [...states];
}

export function isAllowed(action: SendingAction, state: SendingState): boolean {
  return TRANSITIONS.some((t) => t.action === action && t.from.includes(state));
}

/** The table as a mermaid state diagram (docs/architecture.md holds the same text). */
export function renderStateDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> draft: select'];
  for (const t of TRANSITIONS) {
    const label = `${t.action}${t.when ? ` (${t.when})` : ''}${t.by === 'workflow' ? ' ⚙' : ''}`;
    for (const from of t.from) lines.push(`  ${from} --> ${t.to ?? from}: ${label}`);
  }
  for (const end of ['completed', 'rejected', 'cancelled', 'failed']) lines.push(`  ${end} --> [*]`);
  return lines.join('\n');
}
