/**
 * Bad-input catalogue (issue 14), the operator's and the builder's entrances: update payloads sent
 * through the client to a real worker, the values the n8n nodes pass to the client, the operator CLI run
 * as a user runs it, and project compliance settings. Each row is a hostile input, the clear error it
 * gets (naming the field or the flag and the fix), and a check that nothing changed: the directory's
 * rows, the sendings' status and their audit logs are the same before and after.
 * Inbound requests and phone numbers: inbound.test.ts and phone-numbers.test.ts beside this file.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { UpdateDefinition } from '@temporalio/common';
import type { IExecuteFunctions } from 'n8n-workflow';
import { SendingError } from '../../client/sending-client';
import { COMMANDS } from '../../cli/commands';
import type { SendingState } from '../../domain/types';
import { scheduleFromParameters } from '../../nodes/shared/parameters';
import {
  approveUpdate,
  cancelUpdate,
  countUpdate,
  pauseUpdate,
  prepareUpdate,
  proofSendUpdate,
  rejectUpdate,
  requestApprovalUpdate,
  rescheduleUpdate,
  resumeUpdate,
  retryRecipientsUpdate,
  selectUpdate,
  sendUpdate,
  type SendingStatus,
} from '../../workflows/messages';
import { openFreshSqliteDirectory } from '../support/directories';
import { ROOT } from '../support/paths';
import { ANY_HOUR, seedAcme } from '../support/seed';
import { TEMPORAL_ADDRESS, startTestWorker, type TestWorker } from '../support/temporal';

const run = promisify(execFile);

/** Which sending a row is sent to: a draft with recipients selected, or one awaiting approval. */
type Target = 'draft' | 'awaiting';

interface UpdateRow {
  target: Target;
  update: UpdateDefinition<unknown, [never]>;
  input: unknown;
  error: string | RegExp;
  /** The refusal's type: InvalidInput, or InvalidSchedule for a send time. */
  type?: string;
}

const UPDATES = {
  select: selectUpdate,
  count: countUpdate,
  prepare: prepareUpdate,
  requestApproval: requestApprovalUpdate,
  approve: approveUpdate,
  reject: rejectUpdate,
  proofSend: proofSendUpdate,
  send: sendUpdate,
  reschedule: rescheduleUpdate,
  cancel: cancelUpdate,
  pause: pauseUpdate,
  resume: resumeUpdate,
  retryRecipients: retryRecipientsUpdate,
} as unknown as Record<string, UpdateDefinition<unknown, [never]>>;

const TORONTO = 'America/Toronto';
const long = (n: number) => 'x'.repeat(n);
const json = (text: string): unknown => JSON.parse(text);
const selection = { actor: 'paula', projectId: 'acme', audience: 'groups', groups: ['vip'], duplicatePolicy: 'perContact' };
const prepare = { actor: 'paula', message: 'Hi {{firstName}}, STOP to opt out', senderId: null, schedule: { mode: 'now' } };
const later = (localDateTime: string, extra: object = {}) => ({ mode: 'later', localDateTime, timeZone: TORONTO, ...extra });
const HORIZON =
  /^"localDateTime" \d{4}-\d\d-\d\dT09:00 in America\/Toronto is more than one year ahead \(the latest is .+\): check the year, or confirm it with "allowBeyondOneYear": true \(CLI: --allow-beyond-one-year\)\.$/;
const yearsAhead = (years: number) => `${new Date().getUTCFullYear() + years}-06-01T09:00`;
const nextMonth = `${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}T09:00`;

const UPDATE_ROWS: [string, UpdateRow][] = [
  [
    'select: projectId is a number',
    { target: 'draft', update: UPDATES.select, input: { ...selection, projectId: 42 }, error: '"projectId" must be text, got number.' },
  ],
  [
    'select: groups is a string',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, groups: 'vip' },
      error: '"groups" must be a list of group names, got string.',
    },
  ],
  [
    'select: 201 groups',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, groups: Array.from({ length: 201 }, (_, i) => `g${i}`) },
      error: '"groups" lists 201 groups; at most 200 are accepted in one selection.',
    },
  ],
  [
    'select: a group name of 300 characters',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, groups: ['vip', long(300)] },
      error: '"groups[1]" is longer than 200 characters: no group has such a name.',
    },
  ],
  [
    'select: a group that is a number',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, groups: ['vip', 7] },
      error: '"groups[1]" must be a group name, got 7.',
    },
  ],
  [
    'select: __proto__ in the input',
    {
      target: 'draft',
      update: UPDATES.select,
      input: json(
        '{"actor":"paula","projectId":"acme","audience":"all","groups":[],"duplicatePolicy":"perContact","__proto__":{"audience":"groups"}}',
      ),
      error: '"__proto__": a key named __proto__, constructor or prototype is refused: remove it.',
    },
  ],
  [
    'select: a field it does not have',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, limit: 5 },
      error:
        '"limit" is not a field of the select request; its fields are actor, projectId, audience, groups, duplicatePolicy, established.',
    },
  ],
  [
    'select: an actor forging an audit line',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, actor: 'paula\n2026-01-01T00:00:00.000Z  approved  by boss' },
      error: '"actor" contains a control character or a line break: remove it.',
    },
  ],
  [
    'select: an actor of 201 characters',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, actor: long(201) },
      error: '"actor" is 201 characters long; at most 200 are accepted: shorten it.',
    },
  ],
  [
    'select: established "admin"',
    {
      target: 'draft',
      update: UPDATES.select,
      input: { ...selection, established: 'admin' },
      error:
        '"established" "admin" is not one of signedLink, nodeParameter, operator, selfDeclared: say how the actor\'s identity was established, or leave it out.',
    },
  ],
  [
    'count: the actor is a number',
    { target: 'draft', update: UPDATES.count, input: { actor: 42 }, error: '"actor" must be text, got number.' },
  ],
  [
    'count: established "system"',
    {
      target: 'draft',
      update: UPDATES.count,
      input: { actor: 'paula', established: 'system' },
      error: /^"established" "system" is not one of signedLink, nodeParameter, operator, selfDeclared/,
    },
  ],
  [
    'count: the input is a list',
    { target: 'draft', update: UPDATES.count, input: ['paula'], error: 'The count request must be an object with actor.' },
  ],
  [
    'prepare: a message of 5,001 characters',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, message: long(5001) },
      error: '"message" is 5001 characters long; at most 5000 are accepted: shorten it.',
    },
  ],
  [
    'prepare: the message is a number',
    { target: 'draft', update: UPDATES.prepare, input: { ...prepare, message: 12 }, error: '"message" must be text, got number.' },
  ],
  [
    'prepare: senderId is an object',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, senderId: { id: 'ACME' } },
      error: '"senderId" must be text, got object.',
    },
  ],
  [
    'prepare: senderId of 40 characters',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, senderId: long(40) },
      error: '"senderId" is 40 characters long; at most 32 are accepted: shorten it.',
    },
  ],
  [
    'prepare: schedule is a word',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: 'tomorrow' },
      error: /^"schedule" must be \{"mode": "now"\} or \{"mode": "later"/,
    },
  ],
  [
    'prepare: a "now" schedule with a time',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: { mode: 'now', localDateTime: '2026-12-01T09:00' } },
      error: '"schedule.localDateTime" is not a field of a "now" schedule; its fields are mode.',
    },
  ],
  [
    'prepare: the year 9999',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: later('9999-12-31T09:00') },
      error: HORIZON,
      type: 'InvalidSchedule',
    },
  ],
  [
    'prepare: two years ahead',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: later(yearsAhead(2)) },
      error: HORIZON,
      type: 'InvalidSchedule',
    },
  ],
  [
    'prepare: allowBeyondOneYear "yes"',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: later(yearsAhead(2), { allowBeyondOneYear: 'yes' }) },
      error: '"allowBeyondOneYear" must be true or false, got "yes".',
      type: 'InvalidSchedule',
    },
  ],
  [
    'prepare: a localDateTime of 100 characters',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: later(long(100)) },
      error:
        '"schedule.localDateTime" is longer than 64 characters: give YYYY-MM-DDTHH:mm and an IANA time zone name (docs/bad-input.md, "Send time").',
    },
  ],
  [
    'prepare: refreshAtSend "yes"',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: { ...prepare, schedule: later(nextMonth), refreshAtSend: 'yes' },
      error: '"refreshAtSend" must be true or false, got "yes".',
    },
  ],
  [
    'prepare: constructor inside the schedule',
    {
      target: 'draft',
      update: UPDATES.prepare,
      input: json('{"actor":"paula","message":"Hi","schedule":{"mode":"now","constructor":{"prototype":{}}}}'),
      error: '"schedule.constructor": a key named __proto__, constructor or prototype is refused: remove it.',
    },
  ],
  [
    'requestApproval: the actor is a list',
    { target: 'awaiting', update: UPDATES.requestApproval, input: { actor: ['paula'] }, error: '"actor" must be text, got a list.' },
  ],
  [
    'approve: a comment of 1,001 characters',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: 'alex', comment: long(1001) },
      error: '"comment" is 1001 characters long; at most 1000 are accepted: shorten it.',
    },
  ],
  [
    'approve: the comment is an object',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: 'alex', comment: { text: 'ok' } },
      error: '"comment" must be text, got object.',
    },
  ],
  [
    'approve: the hash is a number',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: 'alex', hash: 123 },
      error: '"hash" must be the 64 hexadecimal characters of the approval hash you reviewed (status.approvalHash), got 123.',
    },
  ],
  [
    'approve: a NUL in the approver',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: 'alex\u0000' },
      error: '"approver" contains a control character or a line break: remove it.',
    },
  ],
  [
    'approve: established "signedlink" (wrong case)',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: 'alex', established: 'signedlink' },
      error: /^"established" "signedlink" is not one of signedLink/,
    },
  ],
  [
    'approve: an approver of 10,000 characters',
    {
      target: 'awaiting',
      update: UPDATES.approve,
      input: { approver: long(10_000) },
      error: '"approver" is 10000 characters long; at most 200 are accepted: shorten it.',
    },
  ],
  [
    'reject: a reason of 1,001 characters',
    {
      target: 'awaiting',
      update: UPDATES.reject,
      input: { approver: 'alex', reason: long(1001) },
      error: '"reason" is 1001 characters long; at most 1000 are accepted: shorten it.',
    },
  ],
  [
    'reject: the reason is a number',
    { target: 'awaiting', update: UPDATES.reject, input: { approver: 'alex', reason: 404 }, error: '"reason" must be text, got number.' },
  ],
  [
    'reject: a field it does not have',
    {
      target: 'awaiting',
      update: UPDATES.reject,
      input: { approver: 'alex', reason: 'no', hash: 'x' },
      error: '"hash" is not a field of the reject request; its fields are approver, reason, established.',
    },
  ],
  [
    'proofSend: the approver is a list',
    {
      target: 'awaiting',
      update: UPDATES.proofSend,
      input: { approver: ['alex@example.com'] },
      error: '"approver" must be text, got a list.',
    },
  ],
  [
    'send: a field it does not have',
    {
      target: 'awaiting',
      update: UPDATES.send,
      input: { actor: 'paula', force: true },
      error: '"force" is not a field of the send request; its fields are actor, established.',
    },
  ],
  [
    'reschedule: two years ahead',
    {
      target: 'awaiting',
      update: UPDATES.reschedule,
      input: { actor: 'paula', schedule: later(yearsAhead(2)) },
      error: HORIZON,
      type: 'InvalidSchedule',
    },
  ],
  [
    'reschedule: allowBeyondOneYear 1',
    {
      target: 'awaiting',
      update: UPDATES.reschedule,
      input: { actor: 'paula', schedule: later(yearsAhead(2), { allowBeyondOneYear: 1 }) },
      error: '"allowBeyondOneYear" must be true or false, got 1.',
      type: 'InvalidSchedule',
    },
  ],
  [
    'reschedule: a schedule with a field it does not have',
    {
      target: 'awaiting',
      update: UPDATES.reschedule,
      input: { actor: 'paula', schedule: later(nextMonth, { zone: 'UTC' }) },
      error: '"schedule.zone" is not a field of a later schedule; its fields are mode, localDateTime, timeZone, allowBeyondOneYear.',
    },
  ],
  [
    'cancel: a reason of 5,000 characters',
    {
      target: 'awaiting',
      update: UPDATES.cancel,
      input: { actor: 'paula', reason: long(5000) },
      error: '"reason" is 5000 characters long; at most 1000 are accepted: shorten it.',
    },
  ],
  [
    'cancel: a bell character in the reason',
    {
      target: 'awaiting',
      update: UPDATES.cancel,
      input: { actor: 'paula', reason: 'stop\u0007' },
      error: '"reason" contains a control character: remove it.',
    },
  ],
  [
    'cancel: __proto__ in the input',
    {
      target: 'awaiting',
      update: UPDATES.cancel,
      input: json('{"actor":"paula","reason":"x","__proto__":{"reason":"y"}}'),
      error: '"__proto__": a key named __proto__, constructor or prototype is refused: remove it.',
    },
  ],
  [
    'pause: the reason is a number',
    { target: 'awaiting', update: UPDATES.pause, input: { actor: 'paula', reason: 1 }, error: '"reason" must be text, got number.' },
  ],
  [
    'resume: established is a number',
    { target: 'awaiting', update: UPDATES.resume, input: { actor: 'paula', established: 1 }, error: /^"established" 1 is not one of/ },
  ],
  [
    'retryRecipients: confirmPossibleDuplicates "true"',
    {
      target: 'awaiting',
      update: UPDATES.retryRecipients,
      input: { actor: 'paula', include: ['unknown'], confirmPossibleDuplicates: 'true' },
      error: '"confirmPossibleDuplicates" must be true or false, got "true".',
    },
  ],
  [
    'retryRecipients: constructor in the input',
    {
      target: 'awaiting',
      update: UPDATES.retryRecipients,
      input: json('{"actor":"paula","include":["failed"],"constructor":{}}'),
      error: '"constructor": a key named __proto__, constructor or prototype is refused: remove it.',
    },
  ],
];

/** What the n8n nodes pass to the client (SendingClient's methods), from parameters an expression can fill. */
interface NodeRow {
  target: Target;
  call: (id: string) => Promise<unknown>;
  error: string | RegExp;
}

interface CliRow {
  args: (ids: Record<Target, string>) => string[];
  code: 1 | 2;
  error: string | RegExp;
}

const CLI_ROWS: [string, CliRow][] = [
  [
    '--sms-enabled yes',
    { args: () => ['project', '--id', 'acme', '--sms-enabled', 'yes'], code: 2, error: '--sms-enabled "yes": must be true or false' },
  ],
  [
    '--sms-enabled 0',
    { args: () => ['project', '--id', 'acme', '--sms-enabled', '0'], code: 2, error: '--sms-enabled "0": must be true or false' },
  ],
  [
    '--country Canada',
    {
      args: () => ['project', '--id', 'acme', '--country', 'Canada'],
      code: 2,
      error: '--country "Canada": must be a two-letter ISO 3166-1 country code such as CA, US or FR',
    },
  ],
  [
    '--time-zone Mars/Olympus',
    {
      args: () => ['project', '--id', 'acme', '--time-zone', 'Mars/Olympus'],
      code: 2,
      error: '--time-zone "Mars/Olympus": is not an IANA time zone: use a name such as America/Toronto or Europe/Paris',
    },
  ],
  [
    'a project id with a quote',
    {
      args: () => ['project', '--id', "acme'--", '--name', 'X'],
      code: 2,
      error: `--id "acme'--": a project id cannot contain quotes or backslashes: use letters, digits, "-", "_" or "."`,
    },
  ],
  [
    '--compliance with constructor',
    {
      args: () => ['project', '--id', 'acme', '--compliance', '{"constructor": {"prototype": {"isAdmin": true}}}'],
      code: 1,
      error:
        'Project "acme": compliance.constructor: a key named __proto__, constructor or prototype is not a setting and is refused: remove it.',
    },
  ],
  [
    '--compliance with __proto__ in approval',
    {
      args: () => ['project', '--id', 'acme', '--compliance', '{"approval": {"__proto__": {"allowSelfApproval": true}}}'],
      code: 1,
      error:
        'Project "acme": compliance.approval.__proto__: a key named __proto__, constructor or prototype is not a setting and is refused: remove it.',
    },
  ],
  [
    '--compliance with a misspelt quiet-hours key',
    {
      args: () => ['project', '--id', 'acme', '--compliance', '{"quietHours": {"enable": true}}'],
      code: 1,
      error: 'Project "acme": compliance.quietHours.enable: unknown setting; the settings of quietHours are enabled, timeZoneField, rules.',
    },
  ],
  [
    '--compliance @ a missing file',
    {
      args: () => ['project', '--id', 'acme', '--compliance', '@/nonexistent/settings.json'],
      code: 2,
      error:
        '--compliance @/nonexistent/settings.json: the file cannot be read (ENOENT): give the path of a JSON file after @, or the JSON itself',
    },
  ],
  [
    'an unknown flag on cancel',
    { args: (ids) => ['cancel', ids.awaiting, '--reason', 'x', '--force'], code: 2, error: 'unknown flag --force for "cancel"' },
  ],
  ['cancel without --reason', { args: (ids) => ['cancel', ids.awaiting], code: 2, error: '--reason is required: say why you cancel it' }],
  [
    '--time-zone without --at',
    {
      args: (ids) => ['prepare', ids.draft, '--message', 'Hi, STOP to opt out', '--time-zone', TORONTO],
      code: 2,
      error: '--time-zone applies to a later send: give --at YYYY-MM-DDTHH:mm with it, or leave --time-zone out to send now',
    },
  ],
  [
    '--refresh without --at',
    {
      args: (ids) => ['prepare', ids.draft, '--message', 'Hi, STOP to opt out', '--refresh'],
      code: 2,
      error: '--refresh applies to a later send: give --at YYYY-MM-DDTHH:mm with it, or leave --refresh out to send now',
    },
  ],
  [
    '--at as a date only',
    {
      args: (ids) => ['prepare', ids.draft, '--message', 'Hi', '--at', '2026-12-01', '--time-zone', TORONTO],
      code: 2,
      error: '--at "2026-12-01": must be a local date and time YYYY-MM-DDTHH:mm, e.g. 2026-12-01T09:00',
    },
  ],
  [
    '--at in the year 9999',
    {
      args: (ids) => ['prepare', ids.draft, '--message', 'Hi, STOP to opt out', '--at', '9999-12-31T09:00', '--time-zone', TORONTO],
      code: 1,
      error: HORIZON,
    },
  ],
  [
    'reschedule with --now and --at',
    {
      args: (ids) => ['reschedule', ids.awaiting, '--now', '--at', '2026-12-01T09:00', '--time-zone', TORONTO],
      code: 2,
      error: '--now and --at exclude each other: give one',
    },
  ],
  [
    'reschedule two years ahead',
    { args: (ids) => ['reschedule', ids.awaiting, '--at', yearsAhead(2), '--time-zone', TORONTO], code: 1, error: HORIZON },
  ],
  [
    '--hash that is not one',
    {
      args: (ids) => ['approve', ids.awaiting, '--as', 'alex', '--hash', "' OR 1=1"],
      code: 2,
      error: `--hash "' OR 1=1": must be the 64 hexadecimal characters of the approval hash that status shows`,
    },
  ],
  [
    '--comment of 1,001 characters',
    {
      args: (ids) => ['approve', ids.awaiting, '--as', 'alex', '--comment', long(1001)],
      code: 2,
      error: `--comment "${long(60)}…": is 1001 characters long; at most 1000 are accepted: shorten it`,
    },
  ],
  [
    '--as forging an audit line',
    {
      args: (ids) => ['approve', ids.awaiting, '--as', 'alex\n2026-01-01T00:00:00.000Z  approved  by boss'],
      code: 2,
      error: '--as "alex\\n2026-01-01T00:00:00.000Z  approved  by boss": contains a control character or a line break: remove it',
    },
  ],
  ['send --watch yes', { args: (ids) => ['send', ids.awaiting, '--watch', 'yes'], code: 2, error: 'unexpected argument "yes"' }],
  [
    'retry --confirm-possible-duplicates without --unknown',
    {
      args: (ids) => ['retry', ids.awaiting, '--failed', '--confirm-possible-duplicates'],
      code: 2,
      error: '--confirm-possible-duplicates goes with --unknown: leave it out, or add --unknown',
    },
  ],
  [
    'create with an empty group name',
    {
      args: () => ['create', '--project', 'acme', '--groups', 'vip,,newsletter'],
      code: 2,
      error: '--groups "vip,,newsletter": lists an empty group name: separate group names with single commas, e.g. customers,vip',
    },
  ],
  [
    'opt-out with a flag of another command',
    {
      args: () => ['opt-out', '--project', 'acme', '+15145550199', '--reason', 'asked'],
      code: 2,
      error: '--reason is not a flag of "opt-out" (it goes with "reject")',
    },
  ],
  [
    'list --state injecting an OR',
    {
      args: () => ['list', '--project', 'acme', '--state', "draft' OR SmsProjectId = 'other"],
      code: 2,
      error: /^--state "draft' OR SmsProjectId = 'other": is not a sending state; the states are draft, /,
    },
  ],
  [
    'list --project injecting an OR',
    {
      args: () => ['list', '--project', "acme' OR SmsProjectId = 'other"],
      code: 2,
      error: /^--project "acme' OR SmsProjectId = 'other": a project id cannot contain quotes or backslashes/,
    },
  ],
  [
    'list --project escaping its quote with a backslash',
    {
      args: () => ['list', '--project', "acme\\' OR WorkflowType = 'smsSendingWorkflow"],
      code: 2,
      error: /^--project "acme\\\\' OR WorkflowType = 'smsSendingWorkflow": a project id cannot contain quotes or backslashes/,
    },
  ],
];

const SETTINGS_ROWS: [string, unknown, string][] = [
  [
    'prototype at the top',
    json('{"prototype": {"maxSegments": 1}}'),
    'compliance.prototype: a key named __proto__, constructor or prototype is not a setting and is refused: remove it.',
  ],
  [
    '__proto__ in an approver',
    json('{"approval": {"approvers": [{"email": "a@example.com", "name": "A", "__proto__": {"phone": "+15145550100"}}]}}'),
    'compliance.approval.approvers[0].__proto__: a key named __proto__, constructor or prototype is not a setting and is refused: remove it.',
  ],
  [
    'constructor in points',
    json('{"points": {"constructor": "warn"}}'),
    'compliance.points.constructor: a key named __proto__, constructor or prototype is not a setting and is refused: remove it.',
  ],
  [
    'a misspelt approval key',
    { approval: { approvalRequired: 2 } },
    'compliance.approval.approvalRequired: unknown setting; the settings of approval are allowSelfApproval, approvers, requireNamedApprovers, approvalsRequired, expiresAfterHours.',
  ],
  [
    'quietHours off by a misspelling',
    { quietHours: { disabled: true } },
    'compliance.quietHours.disabled: unknown setting; the settings of quietHours are enabled, timeZoneField, rules.',
  ],
];

describe('bad-input catalogue: update payloads, node parameters, CLI, project settings', () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  let env: TestWorker;
  const ids = {} as Record<Target, string>;
  let otherId: string;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    env = await startTestWorker({ directory: fresh.directory });
    await seedAcme(fresh.directory);
    await fresh.directory.upsertProject({
      id: 'other',
      name: 'Other',
      smsEnabled: true,
      numberField: 'mobile',
      defaultCountry: 'CA',
      timeZone: TORONTO,
      senderId: null,
      compliance: ANY_HOUR,
    });
    await fresh.directory.upsertContacts('other', [{ externalId: 'o1', fields: { mobile: '+15145550150' }, groups: ['staff'] }]);
    const everyone = { audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    ids.draft = (await env.client.create({ projectId: 'acme', ...everyone }, 'paula')).sendingId;
    ids.awaiting = (await env.client.create({ projectId: 'acme', ...everyone }, 'paula')).sendingId;
    await env.client.prepare(ids.awaiting, { message: 'Hi {{firstName}}, STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await env.client.requestApproval(ids.awaiting, 'paula');
    otherId = (await env.client.create({ projectId: 'other', ...everyone }, 'olga')).sendingId;
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  /** Every row of the directory that a refused input could have changed, and each sending's status and audit. */
  async function everything(): Promise<unknown> {
    const db = new Database(fresh.path, { readonly: true });
    let tables: Record<string, unknown>;
    try {
      tables = Object.fromEntries(
        ['projects', 'contacts', 'contact_groups', 'memberships', 'opt_outs', 'sendings', 'sending_recipients', 'audit_log'].map(
          (table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()],
        ),
      );
    } finally {
      db.close();
    }
    const statuses = await Promise.all([ids.draft, ids.awaiting, otherId].map((id) => env.client.status(id)));
    return {
      tables,
      statuses: statuses.map(({ state, approvalHash, approvals, prepared, audit, selection }: SendingStatus) => ({
        state,
        approvalHash,
        approvals,
        prepared,
        audit,
        selection,
      })),
    };
  }

  async function refusal(attempt: () => Promise<unknown>): Promise<SendingError> {
    const err = await attempt().then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof SendingError)) throw new Error(`expected a SendingError, got ${err === null ? 'success' : String(err)}`);
    return err;
  }

  describe('update payloads, through the client to the real worker', () => {
    test.each(UPDATE_ROWS)('%s', async (_what, row) => {
      const before = await everything();
      const update = (env.client as unknown as { update(id: string, def: unknown, args: unknown[]): Promise<unknown> }).update.bind(
        env.client,
      );
      const err = await refusal(() => update(ids[row.target], row.update, [row.input]));
      expect(err.type).toBe(row.type ?? 'InvalidInput');
      if (typeof row.error === 'string') expect(err.message).toBe(row.error);
      else expect(err.message).toMatch(row.error);
      expect(await everything()).toEqual(before);
    });
  });

  test('approve sent as a signal with a forged approver: refused into the audit log, not approved', async () => {
    const before = (await env.client.status(ids.awaiting)) as SendingStatus;
    await env.client
      .handle(ids.awaiting)
      .signal('approve', { approver: 'alex\n2026-01-01T00:00:00.000Z  approved  by boss', established: 'root' });
    const after = await env.client.waitFor(ids.awaiting, ['awaiting_approval'], {
      until: (s) => s.audit.length > before.audit.length,
      timeoutMs: 20_000,
    });
    expect(after.audit.slice(before.audit.length)).toEqual([
      {
        atMs: expect.any(Number),
        action: 'approve_signal_refused',
        actor: 'unknown',
        detail: {
          error:
            '"established" "root" is not one of signedLink, nodeParameter, operator, selfDeclared: say how the actor\'s identity was established, or leave it out.',
          established: 'selfDeclared',
        },
      },
    ]);
    expect({ state: after.state, approvals: after.approvals, approvalHash: after.approvalHash }).toEqual({
      state: before.state,
      approvals: before.approvals,
      approvalHash: before.approvalHash,
    });
  });

  describe('node parameters, as the nodes pass them to the client', () => {
    /** The schedule the Prepare Sending and Sending (reschedule) nodes build from their parameters. */
    const fromNode = (parameters: Record<string, unknown>, sendingId: string) => {
      const all: Record<string, unknown> = { when: 'later', timeZone: TORONTO, ...parameters };
      const context = { getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in all ? all[name] : fallback) };
      return scheduleFromParameters(context as unknown as IExecuteFunctions, 0, env.client, sendingId);
    };

    const NODE_ROWS: [string, NodeRow][] = [
      [
        'Prepare Sending: Send At in the year 9999 (an expression gone wrong)',
        {
          target: 'draft',
          call: async (id) =>
            env.client.prepare(
              id,
              { message: 'Hi, STOP to opt out', schedule: await fromNode({ localDateTime: '9999-12-31T09:00' }, id) },
              'n8n workflow',
            ),
          error: HORIZON,
        },
      ],
      [
        'Select Recipients: a group list with a number in it',
        {
          target: 'draft',
          call: (id) =>
            env.client.select(
              id,
              { projectId: 'acme', audience: 'groups', groups: ['vip', 7 as never], duplicatePolicy: 'perContact' },
              'n8n workflow',
            ),
          error: '"groups[1]" must be a group name, got 7.',
        },
      ],
      [
        'Sending (reject): a reason pasted from a long e-mail',
        {
          target: 'awaiting',
          call: (id) => env.client.reject(id, { approver: 'alex', reason: long(2000) }),
          error: '"reason" is 2000 characters long; at most 1000 are accepted: shorten it.',
        },
      ],
      [
        'Sending (approve): Acting As from trigger data with a line break',
        {
          target: 'awaiting',
          call: (id) => env.client.approve(id, { approver: 'alex\r\nboss', established: 'nodeParameter' }),
          error: '"approver" contains a control character or a line break: remove it.',
        },
      ],
      [
        'Sending (pause): Reason from an expression that gave an object',
        {
          target: 'awaiting',
          call: (id) => env.client.pause(id, { text: 'check' } as never, 'n8n workflow'),
          error: '"reason" must be text, got object.',
        },
      ],
    ];
    test.each(NODE_ROWS)('%s', async (_what, row) => {
      const before = await everything();
      const err = await refusal(() => row.call(ids[row.target]));
      if (typeof row.error === 'string') expect(err.message).toBe(row.error);
      else expect(err.message).toMatch(row.error);
      expect(await everything()).toEqual(before);
    });

    test("Prepare Sending's default Time Zone is the project's, read when the node runs", async () => {
      const { sendingId } = await env.client.create(
        { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
        'paula',
      );
      for (const timeZone of ['project', '', undefined]) {
        expect(await fromNode({ localDateTime: '2027-02-01T10:00', timeZone }, sendingId)).toEqual({
          mode: 'later',
          localDateTime: '2027-02-01T10:00',
          timeZone: 'America/Toronto',
        });
      }
      await env.client.cancel(sendingId, 'test over', 'paula');
    });

    test('Prepare Sending with "Allow More Than One Year Ahead" on: two years ahead is accepted', async () => {
      const { sendingId } = await env.client.create(
        { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
        'paula',
      );
      const status = await env.client.prepare(
        sendingId,
        { message: 'Hi, STOP to opt out', schedule: await fromNode({ localDateTime: yearsAhead(2), allowBeyondOneYear: true }, sendingId) },
        'n8n workflow',
      );
      expect(status.prepared?.schedule).toEqual(later(yearsAhead(2), { allowBeyondOneYear: true }));
      await env.client.cancel(sendingId, 'test over', 'paula');
    });
  });

  describe('the operator CLI, run as a user runs it', () => {
    const sms = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      try {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], {
          cwd: ROOT,
          env: {
            ...process.env,
            TEMPORAL_ADDRESS,
            TEMPORAL_TASK_QUEUE: env.taskQueue,
            DIRECTORY_SQLITE_PATH: fresh.path,
            SMS_ACTOR: 'paula',
          },
        });
        return { code: 0, stdout: stdout.trim(), stderr: '' };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout.trim(), stderr: e.stderr.trim() };
      }
    };

    test.each(CLI_ROWS)('%s', async (_what, row) => {
      const before = await everything();
      const args = row.args(ids);
      const result = await sms(args);
      const [line, usage] = result.stderr.split('\n');
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: row.code, stdout: '' });
      const message = line.replace(/^error: /, '');
      if (typeof row.error === 'string') expect(message).toBe(row.error);
      else expect(message).toMatch(row.error);
      // A usage error ends with the command's usage; a refusal (exit code 1) is the one line.
      expect(usage).toBe(row.code === 2 ? `usage: npm run sms -- ${COMMANDS[args[0]].usage}` : undefined);
      expect(await everything()).toEqual(before);
    });

    test("list's filters reach Temporal's visibility query only as what they say: an injection is refused, not run", async () => {
      // Projects of their own: other test files on the shared dev server have sendings of "acme".
      const suffix = randomUUID().slice(0, 8);
      const [mine, theirs] = [`mine-${suffix}`, `theirs-${suffix}`];
      const everyone = { audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
      for (const projectId of [mine, theirs]) {
        await fresh.directory.upsertProject({
          id: projectId,
          name: projectId,
          smsEnabled: true,
          numberField: 'mobile',
          defaultCountry: 'CA',
          timeZone: TORONTO,
          senderId: null,
          compliance: ANY_HOUR,
        });
        await fresh.directory.upsertContacts(projectId, [{ externalId: 'c1', fields: { mobile: '+15145550160' }, groups: [] }]);
      }
      const mineId = (await env.client.create({ projectId: mine, ...everyone }, 'paula')).sendingId;
      const theirsId = (await env.client.create({ projectId: theirs, ...everyone }, 'olga')).sendingId;
      // Visibility is eventually consistent: wait until both are listed under their own project.
      const listed = async (projectId: string) => (await env.client.list({ projectId })).map((s) => s.sendingId);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && ((await listed(mine)).length < 1 || (await listed(theirs)).length < 1))
        await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await listed(mine)).toEqual([mineId]);
      expect(await listed(theirs)).toEqual([theirsId]);
      expect((await sms(['list', '--project', mine])).stdout.split('\t')[0]).toBe(mineId);

      for (const filter of [
        { projectId: mine, state: `draft' OR SmsProjectId = '${theirs}` as SendingState },
        { projectId: `${mine}' OR SmsProjectId = '${theirs}` },
        { projectId: `${mine}\\' OR SmsProjectId = '${theirs}' OR SmsProjectId = '` },
      ]) {
        const err = await refusal(() => env.client.list(filter));
        expect(err.type).toBe('InvalidInput');
        expect(err.message).toMatch(/^"(state|projectId)" .* (is not a sending state|cannot be listed)/);
      }
      const cli = await sms(['list', '--project', mine, '--state', `draft' OR SmsProjectId = '${theirs}`]);
      expect({ code: cli.code, stdout: cli.stdout }).toEqual({ code: 2, stdout: '' });
    });
  });

  describe('project compliance settings, at the directory', () => {
    test.each(SETTINGS_ROWS)('%s', async (_what, compliance, message) => {
      const before = await everything();
      await expect(fresh.directory.upsertProject({ id: 'acme', compliance } as never)).rejects.toThrow(`Project "acme": ${message}`);
      expect(await everything()).toEqual(before);
      expect(({} as Record<string, unknown>).phone).toBeUndefined();
    });
  });
});
