import {
  NodeConnectionTypes,
  NodeOperationError,
  SEND_AND_WAIT_OPERATION,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, sendingIdProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { requireSendingId, runPerItem } from '../shared/run-per-item';
import { approvalWebhook } from './approval-webhook';
import { approvalWebhooks } from './webhooks';

export class DurableSmsRequestApproval implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Request Approval',
    name: 'durableSmsRequestApproval',
    icon: { light: 'file:../../icons/request-approval.svg', dark: 'file:../../icons/request-approval.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Send approval link and wait',
    description: 'Send a signed approval link to each named approver of a prepared sending and wait: resumes on Approved or Rejected',
    defaults: { name: 'Request Approval' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [
      { type: NodeConnectionTypes.Main, displayName: 'Approved' },
      { type: NodeConnectionTypes.Main, displayName: 'Rejected' },
    ],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    webhooks: approvalWebhooks,
    // n8n evaluates this against the node's parameters while the execution waits: it says where the link went.
    waitingNodeTooltip:
      '={{ "Waiting for an approver to open the link and decide. The link went to " + String($parameter.webhookUrl).split("/")[2] + "." }}',
    properties: [
      // n8n validates the signed approve/reject links only for an operation named exactly sendAndWait.
      // Hidden, so n8n does not also generate an AI "HITL tool" variant of this node.
      { displayName: 'Operation', name: 'operation', type: 'hidden', default: SEND_AND_WAIT_OPERATION },
      {
        displayName:
          'If nobody decides before the wait limit, the item leaves on <b>Approved</b> without a <code>decision</code> field (Send SMS then refuses the unapproved sending). Branch on the decision: an If node with <code>{{ $json.decision }}</code> is equal to <code>approved</code> before Send SMS.',
        name: 'timeoutNotice',
        type: 'notice',
        default: '',
      },
      sendingIdProperty,
      {
        displayName: 'Send Link To',
        name: 'channel',
        type: 'options',
        default: 'webhook',
        options: [
          {
            name: 'Webhook',
            value: 'webhook',
            description: 'POST the link(s) as JSON to Slack, Teams or another n8n workflow: {text, approvers or approvalUrl, sendingId, …}',
          },
        ],
      },
      {
        displayName: 'Webhook URL',
        name: 'webhookUrl',
        type: 'string',
        default: '',
        required: true,
        placeholder: 'https://hooks.slack.com/services/…',
        displayOptions: { show: { channel: ['webhook'] } },
        description:
          'Receives {text, approvers: [{email, name, approvalUrl}], sendingId, message, messages, schedule}: one signed link per named approver of the project, for a following workflow to route to each (e-mail, Slack, Teams). Without named approvers: {text, approvalUrl, …}, one link where the approver types a name. Slack and Teams incoming webhooks show the text.',
      },
      {
        displayName: 'Wait Limit (Hours)',
        name: 'waitLimitHours',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 72,
        description:
          "After this (or when the approval request expires, per the project, at the latest at the scheduled time) the node stops waiting; n8n then passes the input item on Approved without a decision field, and Send SMS refuses the unapproved sending (0: only the request's own expiry)",
      },
      actorProperty,
    ],
  };

  methods = { credentialTest };

  webhook = approvalWebhook;

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    let expiresAtMs: number | undefined;
    const [items] = await runPerItem(this, async (sendings, i) => {
      // n8n waits once per execution: the first item's sending is the one to approve.
      if (i > 0) return { skipped: 'only the first item is sent for approval' };
      const sendingId = requireSendingId(this, i);
      const webhookUrl = String(this.getNodeParameter('webhookUrl', i)).trim();
      if (!/^https?:\/\//.test(webhookUrl)) {
        throw new NodeOperationError(this.getNode(), 'Webhook URL must start with http:// or https://', {
          itemIndex: i,
          description: 'Paste the incoming-webhook URL of Slack, Teams or an n8n Webhook node.',
        });
      }
      const status = await sendings.requestApproval(sendingId, this.getNodeParameter('actor', i) as string);
      const prepared = status.prepared!;
      const schedule = prepared.schedule.mode === 'now' ? 'now' : `${prepared.schedule.localDateTime} ${prepared.schedule.timeZone}`;
      // A link carries what it approves (after a change, e.g. a reschedule, it can no longer approve)
      // and, for a named approver, who approves: both inside what n8n signs.
      const sign = (approver?: string) =>
        this.getSignedResumeUrl({ sendingId, hash: status.approvalHash!, ...(approver ? { approver } : {}) });
      const what = `SMS sending ${sendingId} (${prepared.summary.messages} messages, send ${schedule})`;
      const named = prepared.approvalRules.approvers ?? [];
      const approverLinks = named.map((a) => ({ email: a.email, name: a.name, approvalUrl: sign(a.email) }));
      const links = approverLinks.length ? { approvers: approverLinks } : { approvalUrl: sign() };
      const text = approverLinks.length
        ? `${what} awaits approval (${prepared.approvalRules.approvalsRequired} of ${approverLinks.length}). Each approver has their own link:\n${approverLinks.map((a) => `${a.name} <${a.email}>: ${a.approvalUrl}`).join('\n')}`
        : `${what} awaits your approval: ${links.approvalUrl}`;
      await this.helpers.httpRequest({
        method: 'POST',
        url: webhookUrl,
        json: true,
        body: { text, ...links, sendingId, message: prepared.message, messages: prepared.summary.messages, schedule },
      });
      expiresAtMs = status.approvalRequest!.expiresAtMs;
      // Kept in the waiting execution's data (the editor shows the tooltip instead): where the link(s) went, and to whom.
      return { sendingId, state: status.state, linkSentTo: new URL(webhookUrl).host, ...links };
    });
    // The request failed (and the node continues on fail): nothing to wait for.
    if (expiresAtMs === undefined) return [items.slice(0, 1), []];
    const hours = this.getNodeParameter('waitLimitHours', 0, 72) as number;
    const waitTill = Math.min(hours > 0 ? Date.now() + hours * 3_600_000 : Infinity, expiresAtMs);
    await this.putExecutionToWait(new Date(waitTill));
    // When the wait ends without a decision, n8n passes the input item through on the first output
    // (Approved) without running the node again; the sending is not approved, so Send SMS refuses it.
    return [items.slice(0, 1), []];
  }
}
