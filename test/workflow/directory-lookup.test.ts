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

  test("a sending's project time zone, and a clear error for an unknown sending", async () => {
    const selection = { projectId: 'acme', audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    await fresh.directory.createSending({ id: 'zoned-1', projectId: 'acme', selection, createdBy: 'paula', createdAt: Date.now() });
    expect(await env.client.lookup({ kind: 'projectTimeZone', sendingId: 'zoned-1' })).toEqual([
      { name: 'America/Toronto', value: 'America/Toronto', description: 'the time zone of project acme' },
    ]);
    expect(await env.client.projectTimeZone('zoned-1')).toBe('America/Toronto');
    await expect(env.client.projectTimeZone('nope')).rejects.toThrow('Unknown sending "nope": create it with Select Recipients first.');
  });

  test('an unknown project is a clear error', async () => {
    await expect(env.client.lookup({ kind: 'groups', projectId: 'nope' })).rejects.toThrow('Unknown project "nope": pick a project first.');
  });
});
