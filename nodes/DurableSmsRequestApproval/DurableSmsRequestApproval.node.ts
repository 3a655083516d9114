import {
  NodeConnectionTypes,
  NodeOperationError,
  SEND_AND_WAIT_OPERATION,
  WAIT_INDEFINITELY,
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
    icon: { light: 'file:../../icons/durable-sms.svg', dark: 'file:../../icons/durable-sms.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Send approval link and wait',
    description: 'Send an approval link for a prepared sending and wait: resumes on Approved or Rejected',
    defaults: { name: 'Request Approval' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [
      { type: NodeConnectionTypes.Main, displayName: 'Approved' },
      { type: NodeConnectionTypes.Main, displayName: 'Rejected' },
    ],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    webhooks: approvalWebhooks,
    waitingNodeTooltip: '={{ "Waiting for an approver to open the link and decide" }}',
    properties: [
      // n8n validates the signed approve/reject links only for an operation named exactly sendAndWait.
      // Hidden, so n8n does not also generate an AI "HITL tool" variant of this node.
      { displayName: 'Operation', name: 'operation', type: 'hidden', default: SEND_AND_WAIT_OPERATION },
      sendingIdProperty,
      {
        displayName: 'Send Link To',
        name: 'channel',
        type: 'options',
        default: 'webhook',
        options: [{ name: 'Webhook', value: 'webhook', description: 'POST the link as JSON to Slack, Teams or another n8n workflow: {text, approvalUrl, sendingId, …}' }],
      },
      {
        displayName: 'Webhook URL',
        name: 'webhookUrl',
        type: 'string',
        default: '',
        required: true,
        placeholder: 'https://hooks.slack.com/services/…',
        displayOptions: { show: { channel: ['webhook'] } },
        description: 'Receives {text, approvalUrl, sendingId, message, messages, schedule}; Slack and Teams incoming webhooks show the text',
      },
      {
        displayName: 'Wait Limit (Hours)',
        name: 'waitLimitHours',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 72,
        description: 'After this the node stops waiting (0: wait without limit). A sending that was not approved cannot be sent.',
      },
      actorProperty,
    ],
  };

  methods = { credentialTest };

  webhook = approvalWebhook;

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const [items] = await runPerItem(this, async (sendings, i) => {
        // n8n waits once per execution: the first item's sending is the one to approve.
        if (i > 0) return { skipped: 'only the first item is sent for approval' };
        const sendingId = requireSendingId(this, i);
        const status = await sendings.requestApproval(sendingId, this.getNodeParameter('actor', i) as string);
        const approvalUrl = this.getSignedResumeUrl({ sendingId });
        const prepared = status.prepared!;
        const schedule = prepared.schedule.mode === 'now' ? 'now' : `${prepared.schedule.localDateTime} ${prepared.schedule.timeZone}`;
        const webhookUrl = String(this.getNodeParameter('webhookUrl', i)).trim();
        if (!/^https?:\/\//.test(webhookUrl)) {
          throw new NodeOperationError(this.getNode(), 'Webhook URL must start with http:// or https://', { itemIndex: i, description: 'Paste the incoming-webhook URL of Slack, Teams or an n8n Webhook node.' });
        }
        await this.helpers.httpRequest({
          method: 'POST',
          url: webhookUrl,
          json: true,
          body: {
            text: `SMS sending ${sendingId} (${prepared.summary.messages} messages, send ${schedule}) awaits your approval: ${approvalUrl}`,
            approvalUrl,
            sendingId,
            message: prepared.message,
            messages: prepared.summary.messages,
            schedule,
          },
        });
        return { sendingId, approvalUrl, state: status.state };
    });
    const hours = this.getNodeParameter('waitLimitHours', 0, 72) as number;
    await this.putExecutionToWait(hours > 0 ? new Date(Date.now() + hours * 3_600_000) : WAIT_INDEFINITELY);
    return [items.slice(0, 1), []];
  }
}
