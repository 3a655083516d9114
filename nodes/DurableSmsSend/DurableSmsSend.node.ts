import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, sendingIdProperty, simplifyProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { waitForReceipts } from '../../client/delivery-wait';
import { simpleSendItem, statusItem, withDelivery } from '../shared/output';
import { requireSendingId, runPerItem } from '../shared/run-per-item';

export class DurableSmsSend implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Send SMS',
    name: 'durableSmsSend',
    icon: { light: 'file:../../icons/send.svg', dark: 'file:../../icons/send.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["waitForCompletion"] ? "Send and wait" : "Send" }}',
    description: 'Send an approved sending now or at its scheduled time; refused when it is not approved',
    defaults: { name: 'Send SMS' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      sendingIdProperty,
      {
        displayName: 'Wait for Completion',
        name: 'waitForCompletion',
        type: 'boolean',
        default: false,
        description:
          'Whether to wait until every message is handled and output the counts and the delivery summary (a scheduled sending is waited for too)',
      },
      {
        displayName: 'Wait Limit (Minutes)',
        name: 'waitLimitMinutes',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 60,
        displayOptions: { show: { waitForCompletion: [true] } },
        description: 'Fail this node when the sending has not finished by then (the sending itself goes on)',
      },
      {
        displayName: 'Wait for Receipts',
        name: 'waitForReceipts',
        type: 'boolean',
        default: false,
        displayOptions: { show: { waitForCompletion: [true] } },
        description:
          "Whether to wait, once the sending has finished, until every accepted message has its delivery receipt or the deadline below passes; the output's receiptsComplete says which",
      },
      {
        displayName: 'Receipts Deadline',
        name: 'receiptsDeadline',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 10,
        displayOptions: { show: { waitForCompletion: [true], waitForReceipts: [true] } },
        description: 'How long to wait for receipts after the sending has finished',
      },
      {
        displayName: 'Receipts Deadline Unit',
        name: 'receiptsDeadlineUnit',
        type: 'options',
        default: 'minutes',
        options: [
          { name: 'Seconds', value: 'seconds' },
          { name: 'Minutes', value: 'minutes' },
        ],
        displayOptions: { show: { waitForCompletion: [true], waitForReceipts: [true] } },
      },
      actorProperty,
      simplifyProperty,
    ],
  };

  methods = { credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runPerItem(this, async (sendings, i) => {
      const sendingId = requireSendingId(this, i);
      const started = await sendings.send(sendingId, this.getNodeParameter('actor', i) as string);
      const simplify = this.getNodeParameter('simplify', i, true) as boolean;
      const item = simplify ? simpleSendItem : statusItem;
      if (!(this.getNodeParameter('waitForCompletion', i, false) as boolean)) return item(started);
      const timeoutMs = (this.getNodeParameter('waitLimitMinutes', i, 60) as number) * 60_000;
      const ended = await sendings.waitFor(sendingId, ['completed', 'cancelled', 'failed'], { timeoutMs });
      // The delivery summary comes from the directory (receipts never pass through the sending's history).
      const receiptsMs = (this.getNodeParameter('waitForReceipts', i, false) as boolean)
        ? (this.getNodeParameter('receiptsDeadline', i, 10) as number) *
          ((this.getNodeParameter('receiptsDeadlineUnit', i, 'minutes') as string) === 'seconds' ? 1_000 : 60_000)
        : 0;
      return withDelivery(item(ended), await waitForReceipts(sendings, sendingId, receiptsMs), simplify);
    });
  }
}
