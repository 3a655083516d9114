/** The approval page: plain HTML and CSS, no script, served by the node's restart webhook. */
import type { DirectoryOption, SendingStatus } from '../../workflows/messages';

export const escapeHtml = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** No script may run, forms post only back to n8n, nothing loads from elsewhere. */
export const APPROVAL_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1f2937}
main{max-width:760px;margin:32px auto;background:#fff;border-radius:10px;padding:28px 32px;box-shadow:0 1px 3px #0002}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.muted{color:#6b7280}.sms{white-space:pre-wrap;background:#ecfdf5;border:1px solid #a7f3d0;border-radius:10px;padding:12px 14px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
.error{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;padding:10px 14px;border-radius:8px}
.actions{display:flex;gap:24px;flex-wrap:wrap;margin-top:12px}.actions>div{flex:1;min-width:260px}
label{display:block;font-weight:600;margin:8px 0 4px}input,textarea{width:100%;box-sizing:border-box;padding:8px;border:1px solid #d1d5db;border-radius:6px;font:inherit}
button{margin-top:10px;padding:10px 18px;border:0;border-radius:6px;font-weight:600;font-size:15px;cursor:pointer}
.approve{background:#059669;color:#fff}.reject{background:#dc2626;color:#fff}.proof{background:#e5e7eb;color:#111827}
.identity{background:#eff6ff;border:1px solid #bfdbfe;padding:10px 14px;border-radius:8px}.notice{background:#ecfdf5;border:1px solid #a7f3d0;padding:10px 14px;border-radius:8px}
.check{white-space:nowrap}.pass{color:#047857;font-weight:600}.warn{color:#b45309;font-weight:600}.fail{color:#b91c1c;font-weight:600}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export const utc = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

function scheduleText(status: SendingStatus): string {
  const prepared = status.prepared;
  if (!prepared || prepared.schedule.mode === 'now') return 'As soon as it is sent (now)';
  const { localDateTime, timeZone } = prepared.schedule;
  return `${localDateTime} ${timeZone} (${new Date(prepared.sendAtMs!).toISOString().replace('T', ' ').slice(0, 16)} UTC)${prepared.refreshAtSend ? ' — recipients refreshed at send time' : ''}`;
}

function approvalsText(status: SendingStatus): string {
  const rules = status.prepared!.approvalRules;
  const given = status.approvals.map((a) => `${a.approver} at ${utc(a.atMs)}`);
  const request = status.approvalRequest;
  return [
    `${given.length} of ${rules.approvalsRequired}${given.length ? ` (${given.join(', ')})` : ''}`,
    rules.allowSelfApproval ? '' : `not by ${status.prepared!.preparedBy}, who prepared it`,
    request ? `expires ${utc(request.expiresAtMs)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The named approver a signed link was issued for (from the sending's approval rules). */
export interface LinkIdentity {
  email: string;
  name: string;
  hasPhone: boolean;
}

export interface ApprovalPageInput {
  status: SendingStatus;
  preview: DirectoryOption[];
  /** Signed URL the forms post to. */
  formAction: string;
  error?: string;
  /** A line shown above the decision, e.g. the result of a proof send. */
  notice?: string;
  /** Set for a named approver's link: the page has no name field, the decision is theirs. */
  identity?: LinkIdentity;
  approver?: string;
  reason?: string;
}

/** One form: the typed name is asked once, for either decision; the server requires a reason to reject. */
function decisionForms(
  action: string,
  identity: LinkIdentity | undefined,
  approver: string | undefined,
  reason: string | undefined,
): string {
  const nameField = identity
    ? ''
    : `<label for="approver">Your name or e-mail</label><input id="approver" name="approver" required value="${escapeHtml(approver)}">`;
  const proof = identity?.hasPhone
    ? `<form method="post" action="${action}"><input type="hidden" name="decision" value="proofSend">
<p class="muted">Receive the message, rendered for the first recipient and marked [TEST], on your own phone before deciding. It is not counted in the sending.</p>
<button class="proof" type="submit">Send me a test message</button></form>`
    : '';
  return `<form method="post" action="${action}">
${nameField}
<div class="actions">
<div><button class="approve" type="submit" name="decision" value="approve">Approve</button></div>
<div><label for="reason">Reason for rejecting (required to reject)</label><textarea id="reason" name="reason" rows="3">${escapeHtml(reason)}</textarea>
<button class="reject" type="submit" name="decision" value="reject">Reject</button></div>
</div></form>${proof}`;
}

/** What the page says for a contact left out of the sending (the keys of the count's excluded). */
export const EXCLUSION_LABELS: Record<string, string> = {
  inactive: 'Inactive',
  missingNumber: 'Missing number',
  invalidNumber: 'Invalid number',
  optedOut: 'Opted out',
  duplicateNumber: 'Duplicate number',
};

/** A report code as words: OPT_OUT_WORDING → "Opt out wording". */
export const checkLabel = (code: string): string => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');

const LEVEL_ORDER: Record<string, number> = { fail: 0, warn: 1 };

/** Failures first, then warnings, then passes; the report's order within each. */
export function pointsByConcern<T extends { level: string }>(points: readonly T[]): T[] {
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (LEVEL_ORDER[a.p.level] ?? 2) - (LEVEL_ORDER[b.p.level] ?? 2) || a.i - b.i)
    .map(({ p }) => p);
}

export function renderApprovalPage({ status, preview, formAction, error, notice, identity, approver, reason }: ApprovalPageInput): string {
  const prepared = status.prepared!;
  const summary = prepared.summary;
  const excluded = Object.entries(summary.excluded).filter(([, n]) => n > 0);
  const selection = status.selection!;
  const rows = [
    ['Project', selection.projectId],
    ['Recipients', selection.audience === 'all' ? 'All active contacts' : `Groups: ${selection.groups.join(', ')}`],
    ['Same number', selection.duplicatePolicy === 'perNumber' ? 'One SMS per number' : 'One SMS per contact'],
    ['Messages to send', String(summary.messages)],
    ['Contacts targeted', String(summary.targeted)],
    ['Excluded', excluded.length ? excluded.map(([k, n]) => `${n} ${(EXCLUSION_LABELS[k] ?? k).toLowerCase()}`).join(', ') : 'none'],
    ['Sender', prepared.senderId ?? 'project default'],
    ['When', scheduleText(status)],
    ['Prepared by', prepared.preparedBy],
    ['Approvals', approvalsText(status)],
    ['Approval hash', `${status.approvalHash?.slice(0, 16)}… (what you approve; any change voids the approval)`],
  ];
  const action = escapeHtml(formAction);
  return page(
    `Approve SMS sending ${status.sendingId}`,
    `<h1>Approve this SMS sending?</h1><p class="muted">Sending ${escapeHtml(status.sendingId)} is waiting for your decision.</p>
${identity ? `<p class="identity">You are approving as <strong>${escapeHtml(identity.name)}</strong> (${escapeHtml(identity.email)}). This link was issued for you alone: your decision is recorded under this name.</p>` : ''}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
${notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : ''}
<h2>Message</h2><div class="sms">${escapeHtml(prepared.message)}</div>
<h2>Details</h2><table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>Validation report</h2>
<table>${pointsByConcern(prepared.report?.points ?? [])
      .map(
        (p) =>
          `<tr><td class="${escapeHtml(p.level)}">${escapeHtml(p.level.toUpperCase())}</td><td class="check" title="${escapeHtml(p.code)}">${escapeHtml(checkLabel(p.code))}</td><td>${escapeHtml(p.message)}</td></tr>`,
      )
      .join('')}</table>
<h2>Preview for the first recipients</h2>
<table><tr><th>To</th><th>Message</th></tr>${preview.map((p) => `<tr><td>${escapeHtml(p.description)}</td><td class="sms">${escapeHtml(p.name)}</td></tr>`).join('') || '<tr><td colspan="2">No recipient</td></tr>'}</table>
<h2>Your decision</h2>
${decisionForms(action, identity, approver, reason)}`,
  );
}

export function renderMessagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
