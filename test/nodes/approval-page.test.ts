import { renderApprovalPage } from '../../nodes/DurableSmsRequestApproval/approval-page';
import type { SendingStatus } from '../../workflows/messages';

/** The parts of a status the page reads. */
const status = {
  sendingId: 's-1',
  state: 'awaiting_approval',
  selection: { projectId: 'demo', audience: 'all', groups: [], duplicatePolicy: 'perNumber' },
  prepared: {
    message: 'Hi [[firstName]]',
    summary: { messages: 4, targeted: 7, excluded: { inactive: 1, missingNumber: 2, invalidNumber: 0, optedOut: 0, duplicateNumber: 1 } },
    schedule: { mode: 'now' },
    preparedBy: 'paula',
    approvalRules: { approvalsRequired: 2, allowSelfApproval: false },
    report: {
      points: [
        { level: 'pass', code: 'FIELDS_RESOLVE', message: 'All fields resolve' },
        { level: 'warn', code: 'SENDER_ID', message: 'No sender ID' },
        { level: 'pass', code: 'OPT_OUT_WORDING', message: 'Says how to opt out' },
        { level: 'fail', code: 'QUIET_HOURS', message: 'Inside quiet hours' },
        { level: 'warn', code: 'COST', message: 'Over budget' },
      ],
    },
  },
  approvals: [{ approver: 'dana@demo-shop.example', atMs: Date.UTC(2026, 10, 29, 13, 40) }],
  approvalHash: 'abcdef0123456789abcdef',
} as unknown as SendingStatus;

const render = (identity?: { email: string; name: string; hasPhone: boolean }) =>
  renderApprovalPage({ status, preview: [], formAction: '?sendingId=s-1', identity });

describe('the approval page', () => {
  it('asks for a typed name once, for either decision, and none on a named link', () => {
    expect(render().match(/name="approver"/g)).toHaveLength(1);
    expect(render().match(/<form /g)).toHaveLength(1);
    expect(render().match(/name="decision" value="(approve|reject)"/g)).toHaveLength(2);
    expect(render({ email: 'dana@demo-shop.example', name: 'Dana', hasPhone: false })).not.toContain('name="approver"');
  });

  it('says why contacts are excluded in words, not keys', () => {
    const html = render();
    expect(html).toContain('<th>Excluded</th><td>1 inactive, 2 missing number, 1 duplicate number</td>');
    expect(html).not.toMatch(/missingNumber|duplicateNumber/);
  });

  it('lists failures, then warnings, then passes, each check named in words', () => {
    const rows = [...render().matchAll(/<td class="(\w+)">\w+<\/td><td class="check" title="(\w+)">([^<]+)<\/td>/g)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    expect(rows).toEqual([
      'fail QUIET_HOURS Quiet hours',
      'warn SENDER_ID Sender id',
      'warn COST Cost',
      'pass FIELDS_RESOLVE Fields resolve',
      'pass OPT_OUT_WORDING Opt out wording',
    ]);
  });

  it('says who approved so far and when', () => {
    expect(render()).toContain('1 of 2 (dana@demo-shop.example at 2026-11-29 13:40 UTC)');
  });
});
