/** The operator CLI, run as a user runs it (`npm run sms -- …`), against a real worker and dev server. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openFreshSqliteDirectory } from '../support/directories';
import { ROOT } from '../support/paths';
import { ANY_HOUR } from '../support/seed';
import { TEMPORAL_ADDRESS, startTestWorker, type TestWorker } from '../support/temporal';

const run = promisify(execFile);

describe('operator CLI', () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  let env: TestWorker;
  const taskQueue = `cli-${randomUUID()}`;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    env = await startTestWorker({ directory: fresh.directory, taskQueue });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  const smsWithEnv = async (extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: taskQueue, DIRECTORY_SQLITE_PATH: fresh.path, SMS_ACTOR: 'paula', ...extraEnv },
    });
    return stdout.trim();
  };
  const sms = (...args: string[]) => smsWithEnv({}, ...args);
  const smsFails = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      await sms(...args);
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr.trim() };
    }
    throw new Error(`expected "${args.join(' ')}" to fail`);
  };

  test('project → import → create → count → prepare → approve → send → outbox and audit', async () => {
    expect(await sms('project', '--id', 'demo', '--name', 'Demo', '--country', 'CA', '--time-zone', 'America/Toronto', '--sms-enabled', 'true', '--compliance', JSON.stringify(ANY_HOUR)))
      .toBe('project demo: SMS enabled, number field "mobile", country CA, zone America/Toronto');
    expect(await sms('import', '--project', 'demo', join(ROOT, 'examples', 'contacts.csv'))).toBe('imported 10 contact(s)');
    expect(await sms('groups', '--project', 'demo')).toBe('customers\t6\nnewsletter\t5\nvip\t3');

    const created = (await sms('create', '--project', 'demo', '--groups', 'customers,vip', '--per-number')).split('\n');
    const id = created[0];
    expect(created[1]).toBe('targeted 7, messages 4, distinct numbers 4; excluded: inactive 1, missingNumber 1, duplicateNumber 1');
    expect(await sms('count', id)).toBe(created[1]);

    expect(await smsFails('send', id)).toEqual({ code: 1, stderr: expect.stringMatching(/^error: Sending .* is not approved \(it is draft\)/) });
    expect(await sms('prepare', id, '--message', 'Bonjour {{firstName}}, -20% today. STOP to opt out')).toContain('prepared by paula: 4 message(s), send now');
    expect(await sms('request-approval', id)).toContain(`sending ${id}: awaiting_approval`);
    expect(await sms('approve', id, '--as', 'alex')).toContain('approved by alex');
    expect(await sms('send', id, '--watch')).toMatch(/completed: 4\/4 \(100%\) sent 4, failed 0, skipped 0, unknown 0$/);

    expect((await sms('outbox', id)).split('\n').map((line) => line.split('\t').slice(1))).toEqual([
      ['+15145550101', 'Bonjour Ana, -20% today. STOP to opt out'],
      ['+15145550102', 'Bonjour Ben, -20% today. STOP to opt out'],
      ['+14385550103', 'Bonjour Chloé, -20% today. STOP to opt out'],
      ['+14385550109', 'Bonjour Ivan, -20% today. STOP to opt out'],
    ]);
    const audit = (await sms('audit', id)).split('\n').map((line) => line.split('  ').slice(1, 3).join(' '));
    expect(audit).toEqual(['selected by paula', 'counted by paula', 'prepared by paula', 'approval_requested by paula', 'approved by alex', 'send_requested by paula', 'completed by system']);
    // What the CLI does is an operator's action, and the audit log says so.
    expect((await sms('audit', id)).split('\n').filter((line) => line.includes('"established":"operator"'))).toHaveLength(6);
    const status = JSON.parse(await sms('status', id, '--json'));
    expect(status).toMatchObject({ state: 'completed', progress: { sent: 4 } });

    // The operator's controls, on a sending that is over: refused with the states where they apply.
    expect(await smsFails('pause', id, '--reason', 'check')).toEqual({ code: 1, stderr: `error: Cannot pause sending ${id}: it is completed; pause is possible when it is sending.` });
    expect(await smsFails('resume', id)).toEqual({ code: 1, stderr: `error: Cannot resume sending ${id}: it is completed; resume is possible when it is paused.` });
    expect(await smsFails('retry', id)).toEqual({
      code: 2,
      stderr: 'error: retry needs --failed and/or --unknown: which recipients to send again\nusage: npm run sms -- retry ID [--failed] [--unknown --confirm-possible-duplicates]',
    });
    expect(await smsFails('retry', id, '--unknown')).toEqual({ code: 1, stderr: expect.stringMatching(/may give them a second copy.*--confirm-possible-duplicates/) });
    expect(await sms('retry', id, '--failed')).toContain(`sending ${id}: completed`);
    expect((await sms('audit', id)).split('\n').at(-1)).toMatch(/retry_requested  by paula  .*"failed":0,"unknown":0/);
  });

  test("the worker's own settings are not the CLI's: a shell with a wrong SMS_RATE_LIMIT_SCOPE still runs it", async () => {
    const workerOnly = { SMS_RATE_LIMIT_SCOPE: 'cluster', SMS_RATE_LIMIT: 'fast', WORKER_WORKFLOW_BUNDLE: '/nowhere/bundle.js' };
    expect(await smsWithEnv(workerOnly, 'project', '--id', 'shell', '--name', 'Shell', '--country', 'CA', '--sms-enabled', 'true'))
      .toMatch(/^project shell: SMS enabled/);
  });

  test('a refusal names the field and the fix with exit code 1, a wrong command line with exit code 2', async () => {
    expect(await smsFails('create', '--project', 'nope')).toEqual({ code: 1, stderr: expect.stringMatching(/^error: Unknown project "nope"/) });
    expect(await smsFails('prepare', 'x', '--message', 'Hi', '--at', '2027-01-01T10:00')).toEqual({
      code: 2,
      stderr: 'error: --time-zone is required: the IANA zone of --at, e.g. America/Toronto\nusage: npm run sms -- prepare ID --message TEXT [--sender-id X] [--at YYYY-MM-DDTHH:mm --time-zone ZONE [--refresh] [--allow-beyond-one-year]]',
    });
  });
});
