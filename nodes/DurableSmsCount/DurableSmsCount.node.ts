import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, sendingIdProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { countItem } from '../shared/output';
import { requireSendingId, runPerItem } from '../shared/run-per-item';

export class DurableSmsCount implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Count',
    name: 'durableSmsCount',
    icon: { light: 'file:../../icons/count.svg', dark: 'file:../../icons/count.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Count recipients',
    description: 'Count the recipients of a sending: targeted, excluded by reason, messages that will be sent',
    defaults: { name: 'Count' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [sendingIdProperty, actorProperty],
  };

  methods = { credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runPerItem(this, async (sendings, i) => {
      const sendingId = requireSendingId(this, i);
      return countItem(sendingId, await sendings.count(sendingId, this.getNodeParameter('actor', i) as string));
    });
  }
}
