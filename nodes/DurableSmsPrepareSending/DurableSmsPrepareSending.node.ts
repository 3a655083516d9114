import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type NodeExecutionHint,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { actorProperty, scheduleProperties, sendingIdProperty, simplifyProperty } from '../shared/descriptions';
import { credentialTest, loadOptions } from '../shared/methods';
import { preparedHints, preparedItem, simplePreparedItem } from '../shared/output';
import { messageParameter } from '../shared/message-parameter';
import { scheduleFromParameters } from '../shared/parameters';
import { requireSendingId, runPerItem } from '../shared/run-per-item';

export class DurableSmsPrepareSending implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Prepare Sending',
    name: 'durableSmsPrepareSending',
    icon: { light: 'file:../../icons/prepare-sending.svg', dark: 'file:../../icons/prepare-sending.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle:
      '={{ $parameter["when"] === "later" ? "Send " + $parameter["localDateTime"] + " " + ($parameter["timeZone"] === "project" ? "(project\'s zone)" : $parameter["timeZone"]) : "Send now" }}',
    description: 'Set the message and the schedule, check them, and freeze the list of recipients',
    defaults: { name: 'Prepare Sending' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      sendingIdProperty,
      {
        displayName: 'Message',
        name: 'message',
        type: 'string',
        typeOptions: { rows: 4 },
        default: '',
        required: true,
        placeholder: 'Hi [[firstName]], our sale starts tomorrow. Reply STOP to opt out.',
        description:
          "SMS text. [[fieldName]] is replaced by each contact's profile field (e.g. [[firstName]]); in expression mode {{ }} belongs to n8n.",
        hint: "Personalize with [[fieldName]], e.g. [[firstName]]: n8n leaves [[ ]] alone, also in expression mode. Select Recipients lists the project's fields in its output (contactFields).",
      },
      {
        displayName: 'Sender ID',
        name: 'senderId',
        type: 'string',
        default: '',
        description: "Alphanumeric sender or phone number; empty uses the project's sender",
      },
      ...scheduleProperties,
      {
        displayName: 'Refresh Recipients at Send Time',
        name: 'refreshAtSend',
        type: 'boolean',
        default: false,
        description:
          'Whether to resolve the recipients again when the send time comes: new contacts are added, contacts no longer targeted are removed',
        displayOptions: { show: { when: ['later'] } },
      },
      actorProperty,
      simplifyProperty,
    ],
  };

  methods = { loadOptions, credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData().length;
    const hints: NodeExecutionHint[] = [];
    const output = await runPerItem(this, async (sendings, i) => {
      const sendingId = requireSendingId(this, i);
      const schedule = await scheduleFromParameters(this, i, sendings, sendingId);
      const status = await sendings.prepare(
        sendingId,
        {
          message: messageParameter(this, i),
          senderId: (this.getNodeParameter('senderId', i, '') as string) || null,
          schedule,
          refreshAtSend: schedule.mode === 'later' && (this.getNodeParameter('refreshAtSend', i, false) as boolean),
        },
        this.getNodeParameter('actor', i) as string,
      );
      hints.push(...preparedHints(status).map((hint) => (items > 1 ? { ...hint, message: `${sendingId}: ${hint.message}` } : hint)));
      return (this.getNodeParameter('simplify', i, true) as boolean) ? simplePreparedItem(status) : preparedItem(status);
    });
    if (hints.length > 0) this.addExecutionHints(...hints);
    return output;
  }
}
