import type { ContactStore, ProjectStore, SendingStore, SnapshotStore } from '../directory/roles';
import { DirectoryInputError } from '../directory/errors';
import { maskE164, maskPhoneNumbers } from '../../domain/mask-numbers';
import { renderMessage } from '../../domain/template';
import { pickerTimeZones } from '../../domain/time-zones';
import type { DirectoryAnswer, DirectoryLookup } from '../../workflows/messages';
import { lookupDeliverySummary, lookupEvents, type EventsDirectory } from './lookup-events';

export type LookupDirectory = ProjectStore &
  Pick<ContactStore, 'listGroups' | 'contactFieldNames'> &
  SendingStore &
  SnapshotStore &
  EventsDirectory;

export async function lookupDirectory(directory: LookupDirectory, request: DirectoryLookup): Promise<DirectoryAnswer> {
  switch (request.kind) {
    case 'projects':
      return (await directory.listProjects()).map((p) => ({
        name: p.name,
        value: p.id,
        description: `${p.id} · ${p.smsEnabled ? 'SMS enabled' : 'SMS disabled'} · ${p.defaultCountry} · ${p.timeZone}`,
      }));
    case 'groups': {
      if (!(await directory.getProject(request.projectId)))
        throw new DirectoryInputError(`Unknown project "${request.projectId}": pick a project first.`);
      return (await directory.listGroups(request.projectId)).map((g) => ({
        name: `${g.name} (${g.memberCount})`,
        value: g.name,
        description: `${g.memberCount} member(s)`,
      }));
    }
    case 'preview': {
      // Only the sending's own prepared message, as frozen for each recipient, with numbers masked: the
      // answer lands in Temporal's history, where no phone number may be.
      const message = await directory.preparedMessage(request.sendingId);
      if (message === null) throw new DirectoryInputError(`Sending "${request.sendingId}" has not been prepared: nothing to preview.`);
      const rows = await directory.readSnapshot(request.sendingId, 0, Math.min(Math.max(1, request.limit), 50));
      return rows.map((row) => ({
        name: maskPhoneNumbers(renderMessage(message, row.frozenFields ?? row.fields).body),
        value: String(row.seq),
        description: maskE164(row.e164),
      }));
    }
    case 'contactFields':
      return (await directory.contactFieldNames(request.projectId)).map((name) => ({ name: `[[${name}]]`, value: name }));
    case 'projectTimeZone': {
      const sending = await directory.getSending(request.sendingId);
      if (!sending) throw new DirectoryInputError(`Unknown sending "${request.sendingId}": create it with Select Recipients first.`);
      const project = await directory.getProject(sending.projectId);
      if (!project) throw new DirectoryInputError(`Unknown project "${sending.projectId}" of sending "${request.sendingId}".`);
      return [{ name: project.timeZone, value: project.timeZone, description: `the time zone of project ${project.id}` }];
    }
    case 'timeZones':
      return pickerTimeZones(Intl.supportedValuesOf('timeZone')).map((zone) => ({ name: zone, value: zone }));
    case 'events':
      return lookupEvents(directory, request);
    case 'deliverySummary':
      return lookupDeliverySummary(directory, request);
    default:
      throw new DirectoryInputError(`Unknown lookup ${JSON.stringify(request)}.`);
  }
}
