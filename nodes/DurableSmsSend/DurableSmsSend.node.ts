import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, sendingIdProperty, simplifyProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { simpleSendItem, statusItem } from '../shared/output';
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
          'Whether to wait until every message is handled and output the delivery summary (a scheduled sending is waited for too)',
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
      actorProperty,
      simplifyProperty,
    ],
  };

  methods = { credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runPerItem(this, async (sendings, i) => {
      const sendingId = requireSendingId(this, i);
      const started = await sendings.send(sendingId, this.getNodeParameter('actor', i) as string);
      const item = (this.getNodeParameter('simplify', i, true) as boolean) ? simpleSendItem : statusItem;
      if (!(this.getNodeParameter('waitForCompletion', i, false) as boolean)) return item(started);
      const timeoutMs = (this.getNodeParameter('waitLimitMinutes', i, 60) as number) * 60_000;
      return item(await sendings.waitFor(sendingId, ['completed', 'cancelled', 'failed'], { timeoutMs }));
    });
  }
}
