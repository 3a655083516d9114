import {
  NodeConnectionTypes,
  NodeOperationError,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeProperties,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, scheduleProperties, sendingIdProperty } from '../shared/descriptions';
import { credentialTest, loadOptions } from '../shared/methods';
import { statusItem } from '../shared/output';
import { scheduleFromParameters } from '../shared/parameters';
import { requireSendingId, runPerItem } from '../shared/run-per-item';

const withReason = { show: { operation: ['cancel', 'pause'] } };

const [when, ...timeProperties] = scheduleProperties;
/**
 * The schedule fields, for Reschedule. A Reschedule node never moves the send time to now unless told:
 * from version 2 When defaults to Later, whose date and time are required (version 1 nodes keep Now,
 * as they were saved with it).
 */
const rescheduleProperties: INodeProperties[] = [
  { ...when, displayOptions: { show: { operation: ['reschedule'], '@version': [1] } } },
  {
    ...when,
    default: 'later',
    description:
      'The new send time: Later needs the new date, time and zone below (until they are set the node does not run); Now sends as soon as the sending is approved and sent',
    displayOptions: { show: { operation: ['reschedule'], '@version': [{ _cnd: { gte: 2 } }] } },
  },
  ...timeProperties.map((p) => ({ ...p, displayOptions: { show: { ...p.displayOptions?.show, operation: ['reschedule'] } } })),
];

export class DurableSmsSending implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Sending',
    name: 'durableSmsSending',
    icon: { light: 'file:../../icons/sending.svg', dark: 'file:../../icons/sending.dark.svg' },
    group: ['transform'],
    // Version 2: Reschedule asks for the new time (When defaults to Later), instead of defaulting to Now.
    version: [1, 2],
    defaultVersion: 2,
    subtitle: '={{ $parameter["operation"] }}',
    description: 'Get the status of a sending; cancel, pause, resume or reschedule it; send its failed recipients again',
    defaults: { name: 'Sending' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        default: 'sending',
        // Approving is not here (this node is an AI agent's tool): see Durable SMS: Record Decision.
        options: [{ name: 'Sending', value: 'sending', description: 'Status, schedule and delivery of a sending' }],
      },
      {
        displayName: 'Operation',
        name: 'operation',
        type: 'options',
        noDataExpression: true,
        default: 'getStatus',
        displayOptions: { show: { resource: ['sending'] } },
        options: [
          {
            name: 'Cancel',
            value: 'cancel',
            action: 'Cancel a sending',
            description: 'Stop a sending before or while it sends; a reason is required',
          },
          {
            name: 'Get Status',
            value: 'getStatus',
            action: 'Get the status of a sending',
            description: 'State, counts, schedule and delivery progress',
          },
          {
            name: 'Pause',
            value: 'pause',
            action: 'Pause a sending',
            description: 'Stop starting messages until it is resumed; a reason is required',
          },
          {
            name: 'Reschedule',
            value: 'reschedule',
            action: 'Reschedule a sending',
            description: 'Move the send time, also while it waits for it',
          },
          {
            name: 'Resume',
            value: 'resume',
            action: 'Resume a paused sending',
            description: 'Continue sending once the cause of the pause is fixed',
          },
          {
            name: 'Retry Recipients',
            value: 'retryRecipients',
            action: 'Send failed recipients again',
            description: 'Of a paused sending, or a completed one within its retry window',
          },
        ],
      },
      sendingIdProperty,
      {
        displayName: 'Reason',
        name: 'reason',
        type: 'string',
        default: '',
        required: true,
        displayOptions: withReason,
        description: 'Why; written to the audit log',
      },
      {
        displayName: 'Include Unknown Recipients',
        name: 'includeUnknown',
        type: 'boolean',
        default: false,
        displayOptions: { show: { operation: ['retryRecipients'] } },
        description:
          'Whether to also send again to recipients whose outcome is unknown (the provider may already have delivered to them: they may get a second copy)',
      },
      ...rescheduleProperties,
      { ...actorProperty, displayOptions: { hide: { operation: ['getStatus'] } } },
    ],
  };

  methods = { loadOptions, credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const resource = this.getNodeParameter('resource', 0, 'sending') as string;
    const operation = resource === 'sending' ? (this.getNodeParameter('operation', 0) as string) : '';
    return runPerItem(this, async (sendings, i) => {
      if (resource !== 'sending') {
        // Saved before approving moved out of this node (an AI agent could call it as a tool).
        throw new NodeOperationError(this.getNode(), `The Sending node no longer approves or rejects (resource "${resource}")`, {
          itemIndex: i,
          description:
            'Approvers decide from their signed link (Request Approval); to record a decision made elsewhere, use the "Durable SMS: Record Decision" node.',
        });
      }
      const sendingId = requireSendingId(this, i);
      const actor = () => this.getNodeParameter('actor', i) as string;
      const reason = () => this.getNodeParameter('reason', i) as string;
      switch (operation) {
        case 'cancel':
          return statusItem(await sendings.cancel(sendingId, reason(), actor()));
        case 'reschedule':
          return statusItem(await sendings.reschedule(sendingId, await scheduleFromParameters(this, i, sendings, sendingId), actor()));
        case 'pause':
          return statusItem(await sendings.pause(sendingId, reason(), actor()));
        case 'resume':
          return statusItem(await sendings.resume(sendingId, actor()));
        case 'retryRecipients': {
          const includeUnknown = this.getNodeParameter('includeUnknown', i) as boolean;
          const include: ('failed' | 'unknown')[] = includeUnknown ? ['failed', 'unknown'] : ['failed'];
          return statusItem(await sendings.retryRecipients(sendingId, { include, confirmPossibleDuplicates: includeUnknown }, actor()));
        }
        default:
          return statusItem(await sendings.status(sendingId));
      }
    });
  }
}
