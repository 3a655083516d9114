/** Every command of the operator CLI: its usage, its arguments and its flags (cli/arguments.ts reads them strictly). */
import { INPUT_LIMITS } from '../domain/input-limits';
import type { CommandSpec, FlagSpec } from './arguments';
import * as check from './flag-checks';

const ID = [{ name: 'ID', hint: 'the sending id (create prints it, list shows them)' }];
const str = (spec: Omit<FlagSpec, 'type'> = {}): FlagSpec => ({ type: 'string', ...spec });
const bool: FlagSpec = { type: 'boolean' };
const project = str({ required: true, hint: 'the project id', check: check.projectId });
const reason = (action: string) => str({ required: true, hint: `say why you ${action} it`, check: check.text(INPUT_LIMITS.reason) });
const at = str({ check: check.localDateTime });
const timeZone = str({ check: check.timeZone });

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  project: {
    usage:
      'project --id ID [--name NAME] [--number-field mobile] [--country CA] [--time-zone America/Toronto] [--sender-id ACME] [--sms-enabled true|false] [--compliance JSON|@FILE.json]',
    positionals: [],
    flags: {
      id: str({ required: true, hint: 'the project id, e.g. shop', check: check.projectId }),
      name: str({ check: check.name() }),
      'number-field': str({ check: check.name() }),
      country: str({ check: check.country }),
      'time-zone': timeZone,
      'sender-id': str({ check: check.name(INPUT_LIMITS.senderId) }),
      'sms-enabled': str({ check: check.boolean }),
      compliance: str(),
    },
  },
  projects: { usage: 'projects', positionals: [], flags: {} },
  groups: { usage: 'groups --project ID', positionals: [], flags: { project } },
  import: {
    usage: 'import --project ID FILE.csv [--encoding utf-8|windows-1252|latin1|utf-16le]',
    positionals: [{ name: 'FILE.csv', hint: 'the CSV file path' }],
    flags: { project, encoding: str({ check: check.csvEncoding }) },
  },
  'opt-out': {
    usage: 'opt-out --project ID NUMBER',
    positionals: [{ name: 'NUMBER', hint: 'the phone number to add to the kill list' }],
    flags: { project },
  },
  'opt-outs': {
    usage: 'opt-outs --project ID [--source PREFIX] [--full-numbers]',
    positionals: [],
    flags: { project, source: str({ check: check.text(100) }), 'full-numbers': bool },
  },
  'remove-opt-out': {
    usage: 'remove-opt-out --project ID NUMBER',
    positionals: [{ name: 'NUMBER', hint: 'the phone number to take off the kill list' }],
    flags: { project },
  },
  audit: { usage: 'audit ID', positionals: ID, flags: {} },
  outbox: { usage: 'outbox ID [--csv [--full-numbers]]', positionals: ID, flags: { csv: bool, 'full-numbers': bool } },
  report: { usage: 'report ID [--csv [--full-numbers]]', positionals: ID, flags: { csv: bool, 'full-numbers': bool } },
  create: {
    usage: 'create --project ID [--groups a,b] [--per-number] [--parallel-batches N]',
    positionals: [],
    flags: {
      project: str({ required: true, hint: 'the project whose contacts receive the SMS', check: check.projectId }),
      groups: str({ check: check.groupList }),
      'per-number': bool,
      'parallel-batches': str({ check: check.parallelBatches }),
    },
  },
  count: { usage: 'count ID', positionals: ID, flags: {} },
  prepare: {
    usage: 'prepare ID --message TEXT [--sender-id X] [--at YYYY-MM-DDTHH:mm [--time-zone ZONE] [--refresh] [--allow-beyond-one-year]]',
    positionals: ID,
    flags: {
      message: str({
        required: true,
        hint: 'the text of the SMS, e.g. "Hi {{firstName}}, -20% today. STOP to opt out"',
        check: check.text(INPUT_LIMITS.message),
      }),
      'sender-id': str({ check: check.name(INPUT_LIMITS.senderId) }),
      at,
      'time-zone': timeZone,
      refresh: bool,
      'allow-beyond-one-year': bool,
    },
  },
  'request-approval': { usage: 'request-approval ID', positionals: ID, flags: {} },
  approve: {
    usage: 'approve ID [--comment TEXT] [--hash HASH]',
    positionals: ID,
    flags: { comment: str({ check: check.text(INPUT_LIMITS.comment) }), hash: str({ check: check.approvalHash }) },
  },
  reject: { usage: 'reject ID --reason TEXT', positionals: ID, flags: { reason: reason('reject') } },
  send: { usage: 'send ID [--watch]', positionals: ID, flags: { watch: bool } },
  reschedule: {
    usage: 'reschedule ID (--now | --at YYYY-MM-DDTHH:mm [--time-zone ZONE] [--allow-beyond-one-year])',
    positionals: ID,
    flags: { now: bool, at, 'time-zone': timeZone, 'allow-beyond-one-year': bool },
  },
  cancel: { usage: 'cancel ID --reason TEXT', positionals: ID, flags: { reason: reason('cancel') } },
  pause: { usage: 'pause ID --reason TEXT', positionals: ID, flags: { reason: reason('pause') } },
  resume: { usage: 'resume ID', positionals: ID, flags: {} },
  retry: {
    usage: 'retry ID [--failed] [--unknown --confirm-possible-duplicates]',
    positionals: ID,
    flags: { failed: bool, unknown: bool, 'confirm-possible-duplicates': bool },
  },
  status: { usage: 'status ID', positionals: ID, flags: {} },
  watch: { usage: 'watch ID', positionals: ID, flags: {} },
  list: {
    usage: 'list [--project ID] [--state STATE]',
    positionals: [],
    flags: { project: str({ check: check.projectId }), state: str({ check: check.sendingState }) },
  },
};
