import type { Directory } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';
import { renderMessage } from '../../domain/template';
import type { DirectoryLookup, DirectoryOption } from '../../workflows/messages';

/** `+1514•••••01`: enough to recognise a test phone, not enough to read the number. */
const maskNumber = (e164: string): string => `${e164.slice(0, 5)}${'•'.repeat(Math.max(0, e164.length - 7))}${e164.slice(-2)}`;

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
    case 'preview': {
      const rows = await directory.readSnapshot(request.sendingId, 0, Math.min(Math.max(1, request.limit), 50));
      return rows.map((row) => ({ name: renderMessage(request.message, row.fields).body, value: String(row.seq), description: maskNumber(row.e164) }));
    }
    case 'timeZones':
      return Intl.supportedValuesOf('timeZone').map((zone) => ({ name: zone, value: zone }));
    default:
      throw new DirectoryInputError(`Unknown lookup ${JSON.stringify(request)}.`);
  }
}
