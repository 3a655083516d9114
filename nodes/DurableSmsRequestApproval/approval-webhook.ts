import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { SendingError } from '../../client/sending-client';
import type { SendingStatus } from '../../workflows/messages';
import { statusItem } from '../shared/output';
import { sendingsFor } from '../shared/transport';
import { APPROVAL_PAGE_CSP, renderApprovalPage, renderMessagePage } from './approval-page';

const DECIDED_APPROVED = ['approved', 'scheduled', 'sending', 'paused', 'completed'];
const DECIDED_REJECTED = ['rejected', 'cancelled', 'failed'];

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): HttpResponse;
  send(body: string): void;
}

function respond(context: IWebhookFunctions, code: number, html: string): IWebhookResponseData {
  const res = context.getResponseObject() as unknown as HttpResponse;
  res.status(code).setHeader('Content-Type', 'text/html; charset=utf-8').setHeader('Content-Security-Policy', APPROVAL_PAGE_CSP).setHeader('Cache-Control', 'no-store');
  res.send(html);
  return { noWebhookResponse: true };
}

/** Resumes the node: output 0 Approved, output 1 Rejected (also when the link is out of date). */
function resume(status: SendingStatus, html: string, outcome?: 'superseded'): IWebhookResponseData {
  const approved = !outcome && DECIDED_APPROVED.includes(status.state);
  const decision: IDataObject = approved
    ? { decision: 'approved', approver: status.approval?.approver ?? null, approvers: status.approvals.map((a) => a.approver), decidedAtMs: status.approval?.atMs ?? null }
    : outcome === 'superseded'
      ? { decision: 'superseded', approver: null, reason: 'The sending changed after the approval link was sent; a new approval is needed.', decidedAtMs: null }
      : { decision: 'rejected', approver: status.rejection?.approver ?? status.cancellation?.actor ?? null, reason: status.rejection?.reason ?? status.cancellation?.reason ?? status.failure, decidedAtMs: status.rejection?.atMs ?? status.cancellation?.atMs ?? null };
  const item = { json: { ...statusItem(status), ...decision }, pairedItem: { item: 0 } };
  return { webhookResponse: html, workflowData: approved ? [[item], []] : [[], [item]] };
}

/** Where a decided sending stands, for a link used again. */
function decidedText(status: SendingStatus): string {
  const pause = status.pause;
  if (status.state === 'paused' && pause) {
    return `This sending was approved and is paused ${pause.automatic ? 'automatically' : `by ${pause.by}`} since ${new Date(pause.atMs).toISOString().replace('T', ' ').slice(0, 16)} UTC: ${pause.reason}. An operator resumes it once the cause is fixed.`;
  }
  return `This sending is already ${status.state}.`;
}

/**
 * GET shows the page and keeps the execution waiting; POST applies the decision to the sending and
 * resumes. Never throws: n8n would resume the node on its first output.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
  try {
    const query = this.getQueryData() as Record<string, string | undefined>;
    // A resume token in place of the signature skips n8n's check of the signed query: refuse it.
    if (String(query.signature ?? '').includes('/') || !query.sendingId) {
      return respond(this, 401, renderMessagePage('Invalid approval link', 'This link is not a valid approval link. Ask for a new one.'));
    }
    const sendingId = query.sendingId;
    const sendings = await sendingsFor(this);
    let status = await sendings.status(sendingId);
    if (DECIDED_APPROVED.includes(status.state) || DECIDED_REJECTED.includes(status.state)) {
      return resume(status, renderMessagePage('No action required', decidedText(status)));
    }
    const request = this.getRequestObject() as unknown as { method: string };
    const formAction = `?${new URLSearchParams(query as Record<string, string>).toString()}`;
    const showPage = async (code: number, error?: string, approver?: string, reason?: string) => {
      const preview = await sendings.lookup({ kind: 'preview', sendingId, limit: 5 });
      return respond(this, code, renderApprovalPage({ status, preview, formAction, error, approver, reason }));
    };
    // The link was sent for what the sending was then; after a change a new approval is needed.
    if (query.hash && status.approvalHash !== query.hash) {
      return resume(
        status,
        renderMessagePage('This link is out of date', 'The sending changed after this link was sent (its message, recipients or schedule). This link can no longer approve it; a new approval request is needed.'),
        'superseded',
      );
    }
    if (status.state !== 'awaiting_approval') {
      return respond(this, 409, renderMessagePage('Not waiting for approval', `This sending is ${status.state}; it needs to be prepared and sent for approval again.`));
    }
    if (request.method !== 'POST') return await showPage(200);

    const body = this.getBodyData() as Record<string, string | undefined>;
    const approver = String(body.approver ?? '').trim();
    const reason = String(body.reason ?? '').trim();
    if (!approver) return await showPage(422, 'Enter your name or e-mail: it is recorded with your decision.', approver, reason);
    try {
      if (body.decision === 'approve') status = await sendings.approve(sendingId, { approver, established: 'selfDeclared', ...(query.hash ? { hash: query.hash } : {}) });
      else if (body.decision === 'reject') {
        if (!reason) return await showPage(422, 'A reason is required to reject: say what must change.', approver, reason);
        status = await sendings.reject(sendingId, { approver, reason, established: 'selfDeclared' });
      } else return await showPage(422, 'Choose Approve or Reject.', approver, reason);
    } catch (err) {
      if (!(err instanceof SendingError)) return unavailable(this, err);
      return await showPage(422, err.message, approver, reason);
    }
    if (status.state === 'awaiting_approval') {
      const needed = status.prepared!.approvalRules.approvalsRequired;
      return respond(this, 200, renderMessagePage('Approval recorded', `Thank you, ${approver}: your approval is recorded (${status.approvals.length} of ${needed}). The sending waits for ${needed - status.approvals.length} more approval(s) from other people.`));
    }
    const approved = status.state === 'approved';
    return resume(status, renderMessagePage(approved ? 'Approved' : 'Rejected', approved ? `Thank you, ${approver}: the sending is approved.` : `Thank you, ${approver}: the sending is rejected.`));
  } catch (err) {
    return unavailable(this, err);
  }
}

function unavailable(context: IWebhookFunctions, err: unknown): IWebhookResponseData {
  return respond(context, 503, renderMessagePage('Cannot record the decision now', `The sending service did not answer (${(err as Error).message}). Nothing was changed; try the link again in a moment.`));
}
