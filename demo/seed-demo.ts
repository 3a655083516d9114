/** Seeds the demo project once; a second start finds it and leaves the directory as the user left it. */
import type { Directory } from '../worker/directory/directory';
import { DEMO_PROJECT, demoContacts, demoOptOuts } from './demo-contacts';

export interface DemoSeed {
  created: boolean;
  contacts: number;
  optOuts: number;
  groups: { name: string; memberCount: number }[];
}

export async function seedDemo(directory: Directory): Promise<DemoSeed> {
  const existing = await directory.getProject(DEMO_PROJECT.id);
  if (existing) return { created: false, contacts: 0, optOuts: 0, groups: await directory.listGroups(DEMO_PROJECT.id) };
  const contacts = demoContacts();
  const optOuts = demoOptOuts(contacts);
  await directory.upsertProject(DEMO_PROJECT);
  await directory.upsertContacts(DEMO_PROJECT.id, contacts);
  for (const number of optOuts) await directory.addOptOut(DEMO_PROJECT.id, number, 'demo: replied STOP to an earlier campaign');
  return { created: true, contacts: contacts.length, optOuts: optOuts.length, groups: await directory.listGroups(DEMO_PROJECT.id) };
}
