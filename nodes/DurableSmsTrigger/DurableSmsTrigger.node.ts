import {
  NodeConnectionTypes,
  NodeOperationError,
  type ILoadOptionsFunctions,
  type INodeExecutionData,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
  type IPollFunctions,
} from 'n8n-workflow';
import { SENDING_EVENTS, type SendingEventName } from '../../domain/sending-events';
import { simplifyProperty } from '../shared/descriptions';
import { credentialTest } from '../shared/methods';
import { eventItem } from '../shared/output';
import { sendingsFor } from '../shared/transport';
import { newestEvent, pollEvents, type EventCursor, type EventFilter, type EventsLookup } from './poll-events';

/** The Events parameter as names: the list the picker gives, or an expression's comma-separated text. */
const eventNames = (value: unknown): string[] =>
  (Array.isArray(value) ? value : String(value ?? '').split(',')).map((name) => String(name).trim()).filter((name) => name !== '');

/**
 * Starts a workflow on a sending's events. A polling trigger: the nodes only talk to Temporal, and a
 * cursor kept by n8n loses no event while n8n is down (docs/decisions.md).
 */
export class DurableSmsTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Durable SMS Trigger',
    name: 'durableSmsTrigger',
    icon: { light: 'file:../../icons/trigger.svg', dark: 'file:../../icons/trigger.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ [].concat($parameter["events"] || []).join(", ") || "every event" }}',
    description: 'Starts the workflow when a sending is approved, rejected, held, paused, completed (with its delivery summary) …',
    defaults: { name: 'Durable SMS Trigger' },
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'durableSmsTemporalApi', required: true, testedBy: 'temporalConnectionTest' }],
    properties: [
      {
        displayName: 'Project Name or ID',
        name: 'projectId',
        type: 'options',
        typeOptions: { loadOptionsMethod: 'getProjectsOrAll' },
        default: '',
        description:
          'The project whose sendings start the workflow, or all projects. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        default: [],
        options: (Object.keys(SENDING_EVENTS) as SendingEventName[]).map((value) => ({
          name: SENDING_EVENTS[value].name,
          value,
          description: SENDING_EVENTS[value].description,
        })),
        description: 'The events that start the workflow; none chosen: every event',
      },
      {
        ...simplifyProperty,
        description: 'Whether to return the event, its sending, time and detail in short instead of the whole event (audit ID, hashes)',
      },
    ],
  };

  methods = {
    credentialTest,
    loadOptions: {
      async getProjectsOrAll(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        const projects = await (await sendingsFor(this)).lookup({ kind: 'projects' });
        return [{ name: 'All Projects', value: '', description: 'Events of every project' }, ...projects];
      },
    },
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const filter: EventFilter = {
      projectId: String(this.getNodeParameter('projectId', '') ?? '').trim(),
      events: eventNames(this.getNodeParameter('events', [])),
    };
    const simplify = this.getNodeParameter('simplify', true) as boolean;
    const sendings = await sendingsFor(this);
    const lookup: EventsLookup = (request) => sendings.lookup(request);

    if (this.getMode() === 'manual') {
      const newest = await newestEvent(lookup, filter);
      if (!newest) {
        throw new NodeOperationError(this.getNode(), 'No event of this kind yet', {
          description: 'Run a sending that has such an event (or choose more events), then fetch again.',
        });
      }
      return [[{ json: eventItem(newest, simplify) }]];
    }
    const cursor = this.getWorkflowStaticData('node') as EventCursor;
    const events = await pollEvents(lookup, cursor, filter);
    return events.length > 0 ? [events.map((event) => ({ json: eventItem(event, simplify) }))] : null;
  }
}
