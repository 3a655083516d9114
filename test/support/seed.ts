import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importContactsCsv } from '../../worker/directory/csv-import';
import type { ContactInput, Directory, Project, ProjectInput } from '../../worker/directory/directory';
import { ROOT } from './paths';

/** Tests that do not test quiet hours run at any hour of the day: their projects send at any time. */
export const ANY_HOUR = { quietHours: { enabled: false } };

/** A small Canadian project: 6 contacts, two groups, one invalid number, one inactive, one opted out. */
export async function seedAcme(directory: Directory, projectId = 'acme'): Promise<{ project: Project; contacts: ContactInput[] }> {
  const project = await directory.upsertProject({
    id: projectId,
    name: 'Acme',
    smsEnabled: true,
    numberField: 'mobile',
    defaultCountry: 'CA',
    timeZone: 'America/Toronto',
    senderId: '+15145550000',
    compliance: ANY_HOUR,
  });
  const contacts: ContactInput[] = [
    { externalId: 'c1', fields: { firstName: 'Ana', mobile: '(514) 555-0101' }, groups: ['vip', 'newsletter'] },
    { externalId: 'c2', fields: { firstName: 'Ben', mobile: '514.555.0102' }, groups: ['vip'] },
    { externalId: 'c3', fields: { firstName: 'Chloé', mobile: '+1 438 555 0103' }, groups: ['newsletter'] },
    { externalId: 'c4', fields: { firstName: 'Dev', mobile: 'not a number' }, groups: ['newsletter'] },
    { externalId: 'c5', active: false, fields: { firstName: 'Eve', mobile: '514 555 0105' }, groups: ['vip'] },
    { externalId: 'c6', fields: { firstName: 'Fay', mobile: '4385550106' }, groups: ['newsletter'] },
  ];
  await directory.upsertContacts(projectId, contacts);
  await directory.addOptOut(projectId, '+14385550106', 'test');
  return { project, contacts };
}

/**
 * A Toronto project sending at any hour, with the contacts of examples/contacts.csv imported the way a user
 * imports them; `project` overrides its settings (id 'demo', name 'Demo' unless given).
 */
export async function seedExampleContacts(directory: Directory, project: Partial<ProjectInput> = {}): Promise<void> {
  const settings = { id: 'demo', name: 'Demo', defaultCountry: 'CA', timeZone: 'America/Toronto', compliance: ANY_HOUR, ...project };
  await directory.upsertProject(settings);
  await importContactsCsv(directory, settings.id, readFileSync(join(ROOT, 'examples', 'contacts.csv'), 'utf8'));
}

/** `count` generated contacts with distinct valid numbers, all in group `bulk`. */
export async function seedBulk(directory: Directory, projectId: string, count: number): Promise<void> {
  await directory.upsertProject({
    id: projectId,
    name: projectId,
    smsEnabled: true,
    numberField: 'mobile',
    defaultCountry: 'CA',
    timeZone: 'America/Toronto',
    senderId: null,
    compliance: ANY_HOUR,
  });
  for (let start = 0; start < count; start += 1000) {
    const batch: ContactInput[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      batch.push({
        externalId: `b${i}`,
        fields: { firstName: `N${i}`, mobile: `+1514${String(2000000 + i).padStart(7, '0')}` },
        groups: ['bulk'],
      });
    }
    await directory.upsertContacts(projectId, batch);
  }
}
