import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { SendingError } from '../../client/sending-client';
import { samePerson } from '../../domain/identity';
import type { IdentityEstablished, SendingStatus } from '../../workflows/messages';
import { statusItem } from '../shared/output';
import { sendingsFor } from '../shared/transport';
import { APPROVAL_PAGE_CSP, renderApprovalPage, renderMessagePage, utc, type LinkIdentity } from './approval-page';
import { checkLinkQuery } from './link-query';

const DECIDED_APPROVED = ['approved', 'scheduled', 'sending', 'paused', 'completed'];
const DECIDED_REJECTED = ['rejected', 'cancelled', 'failed'];

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): HttpResponse;
  send(body: string): void;
}

function respond(context: IWebhookFunctions, code: number, html: string): IWebhookResponseData {
  const res = context.getResponseObject() as unknown as HttpResponse;
  res
    .status(code)
    .setHeader('Content-Type', 'text/html; charset=utf-8')
    .setHeader('Content-Security-Policy', APPROVAL_PAGE_CSP)
    .setHeader('Cache-Control', 'no-store');
  res.send(html);
  return { noWebhookResponse: true };
}

/** Resumes the node: output 0 Approved, output 1 Rejected (also when the link is out of date). */
function resume(status: SendingStatus, html: string, outcome?: 'superseded'): IWebhookResponseData {
  const approved = !outcome && DECIDED_APPROVED.includes(status.state);
  const decision: IDataObject = approved
    ? {
        decision: 'approved',
        approver: status.approval?.approver ?? null,
        approvers: status.approvals.map((a) => a.approver),
        decidedAtMs: status.approval?.atMs ?? null,
      }
    : outcome === 'superseded'
      ? {
          decision: 'superseded',
          approver: null,
          reason: 'The sending changed after the approval link was sent; a new approval is needed.',
          decidedAtMs: null,
        }
      : {
          decision: 'rejected',
          approver: status.rejection?.approver ?? status.cancellation?.actor ?? null,
          reason: status.rejection?.reason ?? status.cancellation?.reason ?? status.failure,
          decidedAtMs: status.rejection?.atMs ?? status.cancellation?.atMs ?? null,
        };
  const item = { json: { ...statusItem(status), ...decision }, pairedItem: { item: 0 } };
  return { webhookResponse: html, workflowData: approved ? [[item], []] : [[], [item]] };
}

/** Where a decided sending stands and who decided, for a link used again. */
function decidedText(status: SendingStatus): string {
  const pause = status.pause;
  const approvals = status.approvals.map((a) => `${a.approver} at ${utc(a.atMs)}`).join(', ');
  const who = status.rejection
    ? ` Rejected by ${status.rejection.approver} at ${utc(status.rejection.atMs)}: ${status.rejection.reason}`
    : status.cancellation
      ? ` Cancelled by ${status.cancellation.actor} at ${utc(status.cancellation.atMs)}: ${status.cancellation.reason}`
      : approvals
        ? ` Approved by ${approvals}.`
        : '';
  if (status.state === 'paused' && pause) {
    return `This sending was approved and is paused ${pause.automatic ? 'automatically' : `by ${pause.by}`} since ${utc(pause.atMs)}: ${pause.reason}. An operator resumes it once the cause is fixed.${who}`;
  }
  return `This sending is already ${status.state}.${who}`;
}

const invalidLink = (context: IWebhookFunctions, why: string) =>
  respond(
    context,
    401,
    renderMessagePage(
      'Invalid approval link',
      `This link is not a valid approval link (${why}). Nothing was changed. Use the link exactly as you received it, or ask for a new one.`,
    ),
  );

/** Engine refusals that no retry on this page can change: shown as a page of their own. */
const FINAL_REFUSALS: Record<string, string> = {
  SelfApproval: 'You cannot approve this sending',
  NotAnApprover: 'You are not an approver of this sending',
  SignedLinkRequired: 'Approve from your own link',
  AlreadyApproved: 'You have already decided',
};

/**
 * GET shows the page and keeps the execution waiting; POST applies the decision (or a proof send) to
 * the sending and resumes when it is decided. Never throws: n8n would resume the node on its first output.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
  try {
    const request = this.getRequestObject() as unknown as { method: string; url: string; originalUrl?: string };
    const rawUrl = request.originalUrl ?? request.url;
    // n8n checked the signature over the raw URL: act only on the raw query's values, and only on a
    // query shaped like the links Request Approval issues (see link-query.ts).
    const checked = checkLinkQuery(rawUrl);
    if (!checked.ok) return invalidLink(this, checked.reason);
    const parsed = this.getQueryData() as Record<string, unknown>;
    // A resume token in place of the signature skips n8n's check of the signed query: refuse it.
    if (String(parsed.signature ?? '').includes('/') || checked.query.signature.includes('/'))
      return invalidLink(this, 'the signature is not a signature');
    const { sendingId, hash, approver: linkApprover } = checked.query;
    if (parsed.sendingId !== sendingId || parsed.hash !== hash || parsed.approver !== linkApprover)
      return invalidLink(this, 'its query was read differently');

    const sendings = await sendingsFor(this);
    let status = await sendings.status(sendingId);
    if (DECIDED_APPROVED.includes(status.state) || DECIDED_REJECTED.includes(status.state)) {
      return resume(status, renderMessagePage('No action required', decidedText(status)));
    }
    // The link was sent for what the sending was then; after a change a new approval is needed.
    if (status.approvalHash !== hash) {
      return resume(
        status,
        renderMessagePage(
          'This link is out of date',
          'The sending changed after this link was sent (its message, recipients or schedule). This link can no longer approve it; a new approval request is needed.',
        ),
        'superseded',
      );
    }
    if (status.state !== 'awaiting_approval') {
      return respond(
        this,
        409,
        renderMessagePage(
          'Not waiting for approval',
          `This sending is ${status.state}; it needs to be prepared and sent for approval again.`,
        ),
      );
    }
    let identity: LinkIdentity | undefined;
    if (linkApprover !== undefined) {
      const named = (status.prepared!.approvalRules.approvers ?? []).find((a) => samePerson(a.email, linkApprover));
      if (!named)
        return respond(
          this,
          403,
          renderMessagePage(
            FINAL_REFUSALS.NotAnApprover,
            `${linkApprover} is not one of the approvers of this sending's project. Nothing was changed.`,
          ),
        );
      identity = { email: named.email, name: named.name, hasPhone: named.hasPhone === true };
      // A link decides once: the engine would refuse a second approval (AlreadyApproved); say who decided and when.
      const mine = status.approvals.find((a) => samePerson(a.approver, named.email));
      if (mine) {
        const needed = status.prepared!.approvalRules.approvalsRequired;
        return respond(
          this,
          409,
          renderMessagePage(
            FINAL_REFUSALS.AlreadyApproved,
            `${named.name} (${named.email}) approved this sending at ${utc(mine.atMs)} (${status.approvals.length} of ${needed} approvals). This link has decided and cannot approve again; the sending waits for other approvers.`,
          ),
        );
      }
    }
    const formAction = `?${rawUrl.slice(rawUrl.indexOf('?') + 1)}`;
    const showPage = async (code: number, page: { error?: string; notice?: string; approver?: string; reason?: string } = {}) => {
      const preview = await sendings.lookup({ kind: 'preview', sendingId, limit: 5 });
      return respond(this, code, renderApprovalPage({ status, preview, formAction, identity, ...page }));
    };
    if (request.method !== 'POST') return await showPage(200);

    const body = this.getBodyData() as Record<string, string | undefined>;
    const approver = identity ? identity.email : String(body.approver ?? '').trim();
    const established: IdentityEstablished = identity ? 'signedLink' : 'selfDeclared';
    const who = identity ? identity.name : approver;
    const reason = String(body.reason ?? '').trim();
    if (!approver) return await showPage(422, { error: 'Enter your name or e-mail: it is recorded with your decision.', approver, reason });
    try {
      if (body.decision === 'proofSend') {
        if (!identity)
          return await showPage(422, {
            error: 'Test messages go only to a named approver, from the link issued for them.',
            approver,
            reason,
          });
        const sent = await sendings.proofSend(sendingId, { approver, established });
        return await showPage(200, {
          notice: `A test message was sent to ${sent.sentTo}: the message as recipient #${sent.sampleSeq} gets it, marked [TEST] and not counted in the sending. ${sent.left} more test message(s) possible in this approval round.`,
          reason,
        });
      }
      if (body.decision === 'approve') status = await sendings.approve(sendingId, { approver, established, hash });
      else if (body.decision === 'reject') {
        if (!reason) return await showPage(422, { error: 'A reason is required to reject: say what must change.', approver, reason });
        status = await sendings.reject(sendingId, { approver, reason, established });
      } else return await showPage(422, { error: 'Choose Approve or Reject.', approver, reason });
    } catch (err) {
      if (!(err instanceof SendingError)) return unavailable(this, err);
      const title = identity ? FINAL_REFUSALS[err.type] : undefined;
      if (title)
        return respond(this, err.type === 'AlreadyApproved' ? 409 : 403, renderMessagePage(title, `${err.message} Nothing was changed.`));
      return await showPage(422, { error: err.message, approver, reason });
    }
    if (status.state === 'awaiting_approval') {
      const needed = status.prepared!.approvalRules.approvalsRequired;
      return respond(
        this,
        200,
        renderMessagePage(
          'Approval recorded',
          `Thank you, ${who}: your approval is recorded (${status.approvals.length} of ${needed}). The sending waits for ${needed - status.approvals.length} more approval(s) from other people.`,
        ),
      );
    }
    const approved = status.state === 'approved';
    return resume(
      status,
      renderMessagePage(
        approved ? 'Approved' : 'Rejected',
        approved ? `Thank you, ${who}: the sending is approved.` : `Thank you, ${who}: the sending is rejected.`,
      ),
    );
  } catch (err) {
    return unavailable(this, err);
  }
}

function unavailable(context: IWebhookFunctions, err: unknown): IWebhookResponseData {
  return respond(
    context,
    503,
    renderMessagePage(
      'Cannot record the decision now',
      `The sending service did not answer (${(err as Error).message}). Nothing was changed; try the link again in a moment.`,
    ),
  );
}
