/** The option lists the n8n nodes show, read from the worker's directory through Temporal. */
import { openFreshDirectory, type FreshDirectory } from '../support/directories';
import { seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

describe('directory lookups through Temporal', () => {
  let fresh: FreshDirectory;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshDirectory('sqlite');
    await seedAcme(fresh.directory);
    env = await startTestWorker({ directory: fresh.directory });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  test('projects, groups with member counts, time zones', async () => {
    expect(await env.client.lookup({ kind: 'projects' })).toEqual([
      { name: 'Acme', value: 'acme', description: 'acme · SMS enabled · CA · America/Toronto' },
    ]);
    expect(await env.client.lookup({ kind: 'groups', projectId: 'acme' })).toEqual([
      { name: 'newsletter (4)', value: 'newsletter', description: '4 member(s)' },
      { name: 'vip (3)', value: 'vip', description: '3 member(s)' },
    ]);
    const zones = await env.client.lookup({ kind: 'timeZones' });
    expect(zones.map((z) => z.value)).toEqual(expect.arrayContaining(['America/Toronto', 'Europe/Paris', 'Asia/Tokyo', 'Asia/Kolkata']));
    expect(zones[0]).toEqual({ name: 'UTC', value: 'UTC' });
    expect(zones.map((z) => z.value)).not.toContain('Asia/Calcutta');
  });

  test('an unknown project is a clear error', async () => {
    await expect(env.client.lookup({ kind: 'groups', projectId: 'nope' })).rejects.toThrow('Unknown project "nope": pick a project first.');
  });
});
