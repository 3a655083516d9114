import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import type { AudienceSelection } from '../../domain/types';
import { DEFAULT_PARALLEL_BATCHES, MAX_PARALLEL_BATCHES } from '../../workflows/tuning';
import { actorProperty } from '../shared/descriptions';
import { credentialTest, loadOptions } from '../shared/methods';
import { contactFieldsHint, selectedItem } from '../shared/output';
import { runPerItem } from '../shared/run-per-item';

export class DurableSmsSelectRecipients implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS: Select Recipients',
    name: 'durableSmsSelectRecipients',
    icon: { light: 'file:../../icons/select-recipients.svg', dark: 'file:../../icons/select-recipients.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["audience"] === "all" ? "All active contacts" : "Groups: " + ($parameter["groups"] || []).join(", ") }}',
    description: 'Start a durable SMS sending: pick the project, the audience and the duplicate-number policy',
    defaults: { name: 'Select Recipients' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      {
        displayName: 'Project Name or ID',
        name: 'projectId',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getProjects' },
        default: '',
        required: true,
        description:
          'Project whose contacts receive the SMS. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Audience',
        name: 'audience',
        type: 'options',
        default: 'all',
        options: [
          { name: 'All Active Contacts', value: 'all' },
          { name: 'Groups', value: 'groups', description: 'A contact in several selected groups gets one message' },
        ],
      },
      {
        displayName: 'Group Names or IDs',
        name: 'groups',
        type: 'multiOptions',
        typeOptions: { loadOptionsMethod: 'getGroups', loadOptionsDependsOn: ['projectId'] },
        default: [],
        required: true,
        displayOptions: { show: { audience: ['groups'] } },
        description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
      },
      {
        displayName: 'Contacts Sharing a Number',
        name: 'duplicatePolicy',
        type: 'options',
        default: 'perContact',
        options: [
          { name: 'One SMS per Contact', value: 'perContact', description: 'Three contacts with the same number get three SMS' },
          { name: 'One SMS per Number', value: 'perNumber', description: 'Each number gets one copy' },
        ],
      },
      actorProperty,
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add option',
        default: {},
        options: [
          {
            displayName: 'Batches in Flight',
            name: 'parallelBatches',
            type: 'number',
            typeOptions: { minValue: 1, maxValue: MAX_PARALLEL_BATCHES, numberPrecision: 0 },
            default: DEFAULT_PARALLEL_BATCHES,
            description:
              "How many batches of this sending are sent at once, on any of the workers. Raise it (e.g. 3–4) when the provider answers slowly and allows more messages per second than one batch reaches (the worker's SMS_CONCURRENCY ÷ the provider's answer time).",
          },
        ],
      },
    ],
  };

  methods = { loadOptions, credentialTest };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    /** The contact fields of each project, read once per execution (one lookup workflow each). */
    const fieldsOf = new Map<string, string[]>();
    const output = await runPerItem(this, async (sendings, i) => {
      const audience = this.getNodeParameter('audience', i) as AudienceSelection['audience'];
      const selection: AudienceSelection = {
        projectId: this.getNodeParameter('projectId', i) as string,
        audience,
        groups: audience === 'groups' ? (this.getNodeParameter('groups', i, []) as string[]) : [],
        duplicatePolicy: this.getNodeParameter('duplicatePolicy', i) as AudienceSelection['duplicatePolicy'],
      };
      const { parallelBatches } = this.getNodeParameter('options', i, {}) as { parallelBatches?: number };
      const status = await sendings.create(
        selection,
        this.getNodeParameter('actor', i) as string,
        parallelBatches === undefined ? {} : { tuning: { parallelBatches } },
      );
      let contactFields = fieldsOf.get(selection.projectId);
      if (!contactFields) {
        contactFields = (await sendings.lookup({ kind: 'contactFields', projectId: selection.projectId })).map((field) => field.value);
        fieldsOf.set(selection.projectId, contactFields);
      }
      return selectedItem(status, contactFields);
    });
    if (fieldsOf.size > 0) this.addExecutionHints(...[...fieldsOf].map(([projectId, fields]) => contactFieldsHint(projectId, fields)));
    return output;
  }
}
