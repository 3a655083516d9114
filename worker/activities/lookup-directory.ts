import type { Directory } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import type { DirectoryLookup, DirectoryOption } from '../../workflows/messages';

export async function lookupDirectory(directory: Directory, request: DirectoryLookup): Promise<DirectoryOption[]> {
  switch (request.kind) {
    case 'projects':
      return (await directory.listProjects()).map((p) => ({
        name: p.name,
        value: p.id,
        description: `${p.id} · ${p.smsEnabled ? 'SMS enabled' : 'SMS disabled'} · ${p.defaultCountry} · ${p.timeZone}`,
      }));
    case 'groups': {
      if (!(await directory.getProject(request.projectId))) throw new DirectoryInputError(`Unknown project "${request.projectId}": pick a project first.`);
      return (await directory.listGroups(request.projectId)).map((g) => ({ name: `${g.name} (${g.memberCount})`, value: g.name, description: `${g.memberCount} member(s)` }));
    }
    case 'timeZones':
      return Intl.supportedValuesOf('timeZone').map((zone) => ({ name: zone, value: zone }));
    default:
      throw new DirectoryInputError(`Unknown lookup ${JSON.stringify(request)}.`);
  }
}
