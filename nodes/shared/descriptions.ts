import type { INodeProperties } from 'n8n-workflow';

export const sendingIdProperty: INodeProperties = {
  displayName: 'Sending ID',
  name: 'sendingId',
  type: 'string',
  default: '={{ $json.sendingId }}',
  required: true,
  description:
    'The sending to act on. Items from Select Recipients carry it; set an expression to continue a sending from another workflow.',
};

export const actorProperty: INodeProperties = {
  displayName: 'Acting As',
  name: 'actor',
  type: 'string',
  // Never a bare "n8n": without a person, the workflow that acted is named.
  default: "={{ $workflow.name + ' (n8n workflow ' + $workflow.id + ')' }}",
  description:
    "Who does this, for the audit log. Set an expression giving an e-mail from the trigger's data when a person started the workflow; by default the n8n workflow's name and ID. Four-eyes compares it with the approvers.",
};

export const simplifyProperty: INodeProperties = {
  displayName: 'Simplify',
  name: 'simplify',
  type: 'boolean',
  default: true,
  description: 'Whether to return a short summary instead of the full status of the sending (approvals, audit entries, hashes)',
};

export const scheduleProperties: INodeProperties[] = [
  {
    displayName: 'When',
    name: 'when',
    type: 'options',
    noDataExpression: true,
    default: 'now',
    options: [
      { name: 'Now', value: 'now', description: 'As soon as the sending is approved and sent' },
      { name: 'Later', value: 'later', description: 'At a local date and time in a chosen time zone' },
    ],
  },
  {
    displayName: 'Local Date and Time',
    name: 'localDateTime',
    type: 'dateTime',
    default: '',
    description:
      "Wall-clock time in the time zone below (the picker's date and time are read in that zone; an expression such as {{ $now.plus({ days: 1 }) }} is the time it shows there). A time skipped by a daylight-saving change is refused; a repeated one takes its first occurrence.",
    displayOptions: { show: { when: ['later'] } },
    required: true,
  },
  {
    displayName: 'Time Zone Name or ID',
    name: 'timeZone',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getTimeZones' },
    default: 'project',
    description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    hint: "The Project's Time Zone is read from the sending's project when the node runs",
    displayOptions: { show: { when: ['later'] } },
    required: true,
  },
  {
    displayName: 'Allow More Than One Year Ahead',
    name: 'allowBeyondOneYear',
    type: 'boolean',
    default: false,
    description: 'Whether to accept a send time more than one year from now (refused otherwise, as a likely typo in the year)',
    displayOptions: { show: { when: ['later'] } },
  },
];
