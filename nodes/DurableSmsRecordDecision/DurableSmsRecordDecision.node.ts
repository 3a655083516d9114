import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, sendingIdProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { statusItem } from '../shared/output';
import { requireSendingId, runPerItem } from '../shared/run-per-item';

/**
 * An approval decision made outside the approval page (a meeting, a ticket), recorded as an operator
 * action: the approver is "Acting As", established as a node parameter. Deliberately not usableAsTool,
 * so an AI agent in n8n cannot approve.
 */
// Not a tool on purpose (issue 13: no approval by machine); n8n's type has no `usableAsTool: false`.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class DurableSmsRecordDecision implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Record Decision',
    name: 'durableSmsRecordDecision',
    icon: { light: 'file:../../icons/record-decision.svg', dark: 'file:../../icons/record-decision.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["decision"] }}',
    description:
      'Record an approval or rejection decided elsewhere, as an operator action by "Acting As" (recorded as established by a node parameter). A project that requires named approvers refuses approvals from here (SignedLinkRequired): its approvers decide from their own signed link.',
    defaults: { name: 'Record Decision' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      {
        displayName: 'Decision',
        name: 'decision',
        type: 'options',
        noDataExpression: true,
        default: 'approve',
        options: [
          {
            name: 'Approve',
            value: 'approve',
            description: 'Record an approval by "Acting As" (refused when the project requires named approvers)',
          },
          { name: 'Reject', value: 'reject', description: 'Record a rejection by "Acting As"; a reason is required' },
        ],
      },
      sendingIdProperty,
      {
        displayName: 'Reason',
        name: 'reason',
        type: 'string',
        default: '',
        required: true,
        displayOptions: { show: { decision: ['reject'] } },
        description: 'Why it is rejected; written to the audit log',
      },
      {
        ...actorProperty,
        description:
          "Who decided (an expression giving an e-mail from the trigger's data); the audit log records it as established by a node parameter, and four-eyes and distinct-approver rules apply to it",
      },
    ],
  };

  methods = { credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const decision = this.getNodeParameter('decision', 0) as string;
    return runPerItem(this, async (sendings, i) => {
      const sendingId = requireSendingId(this, i);
      const approver = this.getNodeParameter('actor', i) as string;
      if (decision === 'reject')
        return statusItem(await sendings.reject(sendingId, { approver, reason: this.getNodeParameter('reason', i) as string }));
      return statusItem(await sendings.approve(sendingId, { approver }));
    });
  }
}
