/** The operator CLI, run as a user runs it (`npm run sms -- …`), against a real worker and dev server. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      env: {
        ...process.env,
        TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DIRECTORY_SQLITE_PATH: fresh.path,
        SMS_ACTOR: 'paula',
        ...extraEnv,
      },
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
    expect(
      await sms(
        'project',
        '--id',
        'demo',
        '--name',
        'Demo',
        '--country',
        'CA',
        '--time-zone',
        'America/Toronto',
        '--sms-enabled',
        'true',
        '--compliance',
        JSON.stringify(ANY_HOUR),
      ),
    ).toBe('project demo: SMS enabled, number field "mobile", country CA, zone America/Toronto');
    expect(await sms('import', '--project', 'demo', join(ROOT, 'examples', 'contacts.csv'))).toBe('imported 10 contact(s)');
    expect(await sms('groups', '--project', 'demo')).toBe('customers\t6\nnewsletter\t5\nvip\t3');

    const created = (await sms('create', '--project', 'demo', '--groups', 'customers,vip', '--per-number')).split('\n');
    const id = created[0];
    expect(created[1]).toBe('targeted 7, messages 4, distinct numbers 4; excluded: inactive 1, missingNumber 1, duplicateNumber 1');
    expect(await sms('count', id)).toBe(created[1]);

    expect(await smsFails('send', id)).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^error: Sending .* is not approved \(it is draft\)/),
    });
    expect(await sms('prepare', id, '--message', 'Bonjour {{firstName}}, -20% today. STOP to opt out')).toContain(
      'prepared by paula: 4 message(s), send now',
    );
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
    expect(audit).toEqual([
      'selected by paula',
      'counted by paula',
      'prepared by paula',
      'approval_requested by paula',
      'approved by alex',
      'send_requested by paula',
      'completed by system',
    ]);
    // What the CLI does is an operator's action, and the audit log says so.
    expect((await sms('audit', id)).split('\n').filter((line) => line.includes('"established":"operator"'))).toHaveLength(6);
    const status = JSON.parse(await sms('status', id, '--json'));
    expect(status).toMatchObject({ state: 'completed', progress: { sent: 4 } });

    // The operator's controls, on a sending that is over: refused with the states where they apply.
    expect(await smsFails('pause', id, '--reason', 'check')).toEqual({
      code: 1,
      stderr: `error: Cannot pause sending ${id}: it is completed; pause is possible when it is sending.`,
    });
    expect(await smsFails('resume', id)).toEqual({
      code: 1,
      stderr: `error: Cannot resume sending ${id}: it is completed; resume is possible when it is paused.`,
    });
    expect(await smsFails('retry', id)).toEqual({
      code: 2,
      stderr:
        'error: retry needs --failed and/or --unknown: which recipients to send again\nusage: npm run sms -- retry ID [--failed] [--unknown --confirm-possible-duplicates]',
    });
    expect(await smsFails('retry', id, '--unknown')).toEqual({
      code: 1,
      stderr: expect.stringMatching(/may give them a second copy.*--confirm-possible-duplicates/),
    });
    expect(await sms('retry', id, '--failed')).toContain(`sending ${id}: completed`);
    expect((await sms('audit', id)).split('\n').at(-1)).toMatch(/retry_requested  by paula  .*"failed":0,"unknown":0/);
  });

  test('import refuses a bad file whole and reads --encoding; outbox --csv writes hostile profile values as text, numbers masked', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cli-csv-'));
    const file = (name: string, content: string | Buffer) => {
      writeFileSync(join(folder, name), content);
      return join(folder, name);
    };
    await sms(
      'project',
      '--id',
      'hostile',
      '--name',
      'Hostile',
      '--country',
      'CA',
      '--time-zone',
      'America/Toronto',
      '--sms-enabled',
      'true',
      '--compliance',
      JSON.stringify(ANY_HOUR),
    );

    const strayQuote = file(
      'stray.csv',
      `id,firstName,mobile\nh0,Ann,514 555 0300\nh1,"Bob,514 555 0301\n${Array.from({ length: 1000 }, (_, i) => `x${i},N,514 555 0302`).join('\n')}\n`,
    );
    expect(await smsFails('import', '--project', 'hostile', strayQuote)).toEqual({
      code: 1,
      stderr:
        'error: Nothing was imported: 1 row(s) of the CSV cannot be imported. Fix them and import the file again.\n' +
        '  line 3: a quoted field starts here and its closing quote is missing: add the closing ", or double a " that is part of the text (""). The rest of the file was not read.',
    });
    const latin1 = file('latin1.csv', Buffer.from('id,firstName,mobile\nh9,Andr\xe9,514 555 0309\n', 'latin1'));
    expect(await smsFails('import', '--project', 'hostile', latin1)).toEqual({
      code: 1,
      stderr:
        'error: Line 2 of the CSV has an invalid UTF-8 sequence: save the file as "CSV UTF-8", or give its encoding with --encoding (windows-1252, latin1, utf-16le).',
    });
    expect(await smsFails('import', '--project', 'hostile', '--encoding', 'ascii', latin1)).toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /^error: --encoding "ascii": is not an encoding the import reads: use one of utf-8, windows-1252, latin1, utf-16le/,
      ),
    });
    expect(await smsFails('import', '--project', 'hostile', join(folder, 'missing.csv'))).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^error: Cannot read the CSV file ".*missing.csv" \(ENOENT\): give the path of an existing file\.$/),
    });
    expect(await sms('groups', '--project', 'hostile')).toBe('');
    expect(await sms('import', '--project', 'hostile', '--encoding', 'latin1', latin1)).toBe('imported 1 contact(s)');

    const hostile = file(
      'hostile.csv',
      [
        'id,firstName,mobile,groups',
        'h2,"=HYPERLINK(""http://evil.example"",""click"")",514 555 0302,x',
        "h3,+cmd|' /C calc'!A0,514 555 0303,x",
        'h4,@SUM(1+1),514 555 0304,x',
        'h5,-2+3,514 555 0305,x',
        '',
      ].join('\n'),
    );
    expect(await sms('import', '--project', 'hostile', hostile)).toBe('imported 4 contact(s)');
    const id = (await sms('create', '--project', 'hostile', '--groups', 'x')).split('\n')[0];
    await sms('prepare', id, '--message', '{{firstName}} STOP to opt out');
    await sms('request-approval', id);
    await sms('approve', id, '--as', 'alex');
    expect(await sms('send', id, '--watch')).toMatch(/completed: 4\/4/);

    const rows = (csv: string) =>
      csv
        .split('\r\n')
        .map((line) => line.replace(/,\d{4}-\d\d-\d\dT[\d:.]+Z,/, ',TIME,'))
        .sort();
    const masked = await sms('outbox', id, '--csv');
    expect(rows(masked)).toEqual([
      `1,h2,'+1514•••••02,,"'=HYPERLINK(""http://evil.example"",""click"") STOP to opt out",TIME,sent`,
      "2,h3,'+1514•••••03,,'+cmd|' /C calc'!A0 STOP to opt out,TIME,sent",
      "3,h4,'+1514•••••04,,'@SUM(1+1) STOP to opt out,TIME,sent",
      "4,h5,'+1514•••••05,,'-2+3 STOP to opt out,TIME,sent",
      'seq,recipient,to,from,text,recorded_at,state',
    ]);
    expect(await sms('outbox', id, '--csv', '--full-numbers')).toContain("\r\n1,h2,'+15145550302,,");
    rmSync(folder, { recursive: true, force: true });
  });

  test("the worker's own settings are not the CLI's: a shell with a wrong SMS_RATE_LIMIT_SCOPE still runs it", async () => {
    const workerOnly = { SMS_RATE_LIMIT_SCOPE: 'cluster', SMS_RATE_LIMIT: 'fast', WORKER_WORKFLOW_BUNDLE: '/nowhere/bundle.js' };
    expect(await smsWithEnv(workerOnly, 'project', '--id', 'shell', '--name', 'Shell', '--country', 'CA', '--sms-enabled', 'true')).toMatch(
      /^project shell: SMS enabled/,
    );
  });

  test("--at without --time-zone is wall time in the project's zone, for prepare and reschedule", async () => {
    // Canadian numbers (examples/contacts.csv), a project kept in Paris time.
    await sms(
      'project',
      '--id',
      'zoned',
      '--name',
      'Zoned',
      '--country',
      'CA',
      '--time-zone',
      'Europe/Paris',
      '--sms-enabled',
      'true',
      '--compliance',
      JSON.stringify(ANY_HOUR),
    );
    await sms('import', '--project', 'zoned', join(ROOT, 'examples', 'contacts.csv'));
    const id = (await sms('create', '--project', 'zoned', '--groups', 'vip')).split('\n')[0];
    expect(await sms('prepare', id, '--message', 'Hi [[firstName]]. STOP to opt out', '--at', '2027-03-01T09:00')).toContain(
      'send 2027-03-01T09:00 Europe/Paris (2027-03-01T08:00:00.000Z)',
    );
    expect(await sms('reschedule', id, '--at', '2027-07-01T09:00')).toContain('2027-07-01T09:00 Europe/Paris (2027-07-01T07:00:00.000Z)');
    expect(await sms('reschedule', id, '--at', '2027-07-01T09:00', '--time-zone', 'America/Toronto')).toContain(
      '2027-07-01T09:00 America/Toronto (2027-07-01T13:00:00.000Z)',
    );
  });

  test('a refusal names the field and the fix with exit code 1, a wrong command line with exit code 2', async () => {
    expect(await smsFails('create', '--project', 'nope')).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^error: Unknown project "nope"/),
    });
    expect(await smsFails('prepare', 'x', '--message', 'Hi', '--refresh')).toEqual({
      code: 2,
      stderr:
        'error: --refresh applies to a later send: give --at YYYY-MM-DDTHH:mm with it, or leave --refresh out to send now\nusage: npm run sms -- prepare ID --message TEXT [--sender-id X] [--at YYYY-MM-DDTHH:mm [--time-zone ZONE] [--refresh] [--allow-beyond-one-year]]',
    });
  });
});
