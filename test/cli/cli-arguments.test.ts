/**
 * The operator CLI's command line, run as a user runs it: every wrong command line is refused before
 * anything is opened, with one error line naming the flag and the fix, the command's usage, exit code 2.
 * (Refusals by the directory or a sending, exit code 1, are in operator-cli.test.ts and the catalogue.)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMANDS } from '../../cli/commands';
import { HELP } from '../../cli/help';
import { ROOT } from '../support/paths';

const run = promisify(execFile);
// Nothing to reach: a usage error must not need the directory or Temporal.
const ENV = {
  ...process.env,
  DIRECTORY_SQLITE_PATH: '/nonexistent/dir/directory.sqlite',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  SMS_ACTOR: 'paula',
};

async function sms(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: ENV,
    });
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.trim(), stderr: e.stderr.trim() };
  }
}

const usage = (command: string) => `usage: npm run sms -- ${COMMANDS[command].usage}`;

test('the help lists every command with the usage it is read with, and the exit codes', () => {
  for (const spec of Object.values(COMMANDS)) expect(HELP).toContain(`  ${spec.usage}`);
  expect(HELP).toContain('Exit codes: 0 done; 1 refused');
});

test.each([
  ['an unknown flag', ['count', 'abc', '--bogus'], 'count', 'unknown flag --bogus for "count"'],
  ['a flag of another command', ['count', 'abc', '--reason', 'x'], 'count', '--reason is not a flag of "count" (it goes with "reject")'],
  ['a strict boolean', ['project', '--id', 'shop', '--sms-enabled', 'yes'], 'project', '--sms-enabled "yes": must be true or false'],
  [
    '--time-zone without --at',
    ['prepare', 'abc', '--message', 'Hi', '--time-zone', 'America/Toronto'],
    'prepare',
    '--time-zone applies to a later send: give --at YYYY-MM-DDTHH:mm with it, or leave --time-zone out to send now',
  ],
  [
    '--at in another form',
    ['prepare', 'abc', '--message', 'Hi', '--at', '1/12/2026 9:00', '--time-zone', 'UTC'],
    'prepare',
    '--at "1/12/2026 9:00": must be a local date and time YYYY-MM-DDTHH:mm, e.g. 2026-12-01T09:00',
  ],
  [
    'a state that is not one',
    ['list', '--state', "x' OR WorkflowType = 'smsSendingWorkflow"],
    'list',
    `--state "x' OR WorkflowType = 'smsSendingWorkflow": is not a sending state; the states are draft, prepared, awaiting_approval, approved, scheduled, sending, paused, completed, rejected, cancelled, failed`,
  ],
  [
    'a quote in --project',
    ['list', '--project', "acme' OR SmsProjectId = 'other"],
    'list',
    `--project "acme' OR SmsProjectId = 'other": a project id cannot contain quotes or backslashes: use letters, digits, "-", "_" or "."`,
  ],
  ['a missing sending id', ['status'], 'status', 'ID is missing: give the sending id (create prints it, list shows them)'],
  [
    'batches in flight out of their limits',
    ['create', '--project', 'demo', '--parallel-batches', '17'],
    'create',
    '--parallel-batches "17": must be a whole number from 1 to 16: the batches of the sending in flight at once',
  ],
  ['a flag without its value', ['reject', 'abc', '--reason'], 'reject', '--reason needs a value'],
  ['a boolean with a value', ['send', 'abc', '--watch=no'], 'send', '--watch takes no value (got "no"): write --watch alone'],
])('%s is a usage error (exit code 2) before anything is opened', async (_what, args, command, message) => {
  expect(await sms(...args)).toEqual({ code: 2, stdout: '', stderr: `error: ${message}\n${usage(command)}` });
});

test("--help shows the command's usage", async () => {
  expect(await sms('prepare', '--help')).toEqual({ code: 0, stdout: usage('prepare'), stderr: '' });
});
