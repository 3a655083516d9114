#!/usr/bin/env node
/** Operator CLI: `npm run sms -- <command> ...`; `npm run sms -- help` lists the commands. */
import { createReadStream, readFileSync, type ReadStream } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { SendingClient, SendingError, connectClient } from '../client/sending-client';
import type { AudienceSelection } from '../domain/types';
import { ConfigError, directoryLocationFromEnv, temporalSettingsFromEnv } from '../worker/config';
import { csvEncoding } from '../worker/directory/csv-decode';
import { importContactsCsv } from '../worker/directory/csv-import';
import { openDirectory } from '../worker/directory/open-directory';
import type { Schedule } from '../workflows/messages';
import { formatCount, formatProgress, formatStatus } from './format';
import { outboxCsv } from './outbox-csv';

const HELP = `durable-sms — operate SMS sendings (Temporal settings and the directory come from the worker's environment variables)

Directory (opened directly, like the worker):
  project --id ID --name NAME [--number-field mobile] [--country CA] [--time-zone America/Toronto] [--sender-id ACME] [--sms-enabled true|false]
          [--compliance JSON|@FILE.json]   validation policy, price, countries, quiet hours, approvals (README "Compliance settings")
  projects
  groups --project ID
  import --project ID FILE.csv [--encoding utf-8|windows-1252|latin1|utf-16le]
                                       columns: id, active, groups ("a;b"), any profile field; all rows or none (docs/bad-input.md)
  opt-out --project ID NUMBER          add a number to the SMS kill list
  audit SENDING_ID
  outbox SENDING_ID [--csv [--full-numbers]]   messages recorded by the outbox provider; --csv: as a CSV file, numbers masked

Sendings (through Temporal):
  create --project ID [--groups a,b] [--per-number]     prints the new sending id
  count ID
  prepare ID --message TEXT [--sender-id X] [--at YYYY-MM-DDTHH:mm --time-zone ZONE] [--refresh]
  request-approval ID
  approve ID [--comment TEXT] [--hash HASH]   --hash: the approval hash you reviewed (status shows it)
  reject ID --reason TEXT
  send ID [--watch]
  reschedule ID (--now | --at YYYY-MM-DDTHH:mm --time-zone ZONE)
  cancel ID --reason TEXT              answers once nothing is in flight any more
  pause ID --reason TEXT               stops starting messages; answers once nothing is in flight
  resume ID
  retry ID [--failed] [--unknown --confirm-possible-duplicates]
                                       sends failed and/or unknown recipients again (paused, or completed within its retry window)
  status ID
  watch ID                             live progress line until the sending ends
  list [--project ID] [--state STATE]

Every command accepts --as NAME (who acts; default $SMS_ACTOR or your user name) and --json.`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' }, name: { type: 'string' }, 'number-field': { type: 'string' }, country: { type: 'string' },
    'time-zone': { type: 'string' }, 'sender-id': { type: 'string' }, 'sms-enabled': { type: 'string' },
    project: { type: 'string' }, groups: { type: 'string' }, 'per-number': { type: 'boolean' },
    message: { type: 'string' }, at: { type: 'string' }, now: { type: 'boolean' }, refresh: { type: 'boolean' },
    comment: { type: 'string' }, reason: { type: 'string' }, watch: { type: 'boolean' }, state: { type: 'string' },
    compliance: { type: 'string' }, hash: { type: 'string' },
    failed: { type: 'boolean' }, unknown: { type: 'boolean' }, 'confirm-possible-duplicates': { type: 'boolean' },
    encoding: { type: 'string' }, csv: { type: 'boolean' }, 'full-numbers': { type: 'boolean' },
    as: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
});

const actor = opts.as ?? process.env.SMS_ACTOR ?? userInfo().username;
const out = (text: string, data?: unknown): void => {
  process.stdout.write(`${opts.json && data !== undefined ? JSON.stringify(data, null, 2) : text}\n`);
};

function need(value: string | undefined, flag: string, hint: string): string {
  if (!value) throw new ConfigError(`--${flag} is required: ${hint}`);
  return value;
}

function complianceFromFlag(): unknown {
  const raw = opts.compliance!;
  const text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--compliance is not valid JSON (${(err as Error).message}): give an object such as '{"pricePerSegment": 0.0079}' or @file.json.`);
  }
}

function scheduleFromFlags(): Schedule {
  if (opts.at) return { mode: 'later', localDateTime: opts.at, timeZone: need(opts['time-zone'], 'time-zone', 'the IANA zone of --at, e.g. America/Toronto') };
  return { mode: 'now' };
}

/** The file, opened before the directory is touched: a missing one is a clear error, not a stack trace. */
function openCsvFile(path: string): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new ConfigError(`Cannot read the CSV file "${path}" (${err.code ?? err.message}): give the path of an existing file.`)));
  });
}

async function withDirectory<T>(work: (directory: Awaited<ReturnType<typeof openDirectory>>) => Promise<T>): Promise<T> {
  const directory = await openDirectory(directoryLocationFromEnv(process.env));
  try {
    return await work(directory);
  } finally {
    await directory.close();
  }
}

async function withSendings<T>(work: (sendings: SendingClient) => Promise<T>): Promise<T> {
  const settings = temporalSettingsFromEnv(process.env);
  const client = await connectClient(settings);
  try {
    return await work(new SendingClient(client, settings.taskQueue, { established: 'operator' }));
  } finally {
    await client.connection.close();
  }
}

async function watch(sendings: SendingClient, id: string): Promise<void> {
  const tty = process.stdout.isTTY;
  const final = await sendings.waitFor(id, ['completed', 'cancelled', 'failed', 'rejected', 'paused'], {
    timeoutMs: Number.MAX_SAFE_INTEGER,
    onStatus: (s) => { if (tty) process.stdout.write(`\r${formatProgress(s)}   `); },
  });
  out(`${tty ? '\n' : ''}${formatProgress(final)}`, final);
}

async function run(command: string | undefined, args: string[]): Promise<void> {
  const id = args[0];
  const sendingId = () => need(id, 'id', 'give the sending id as the first argument');
  switch (command) {
    case 'project':
      return withDirectory(async (d) => {
        const project = await d.upsertProject({
          id: need(opts.id, 'id', 'the project id'), name: opts.name ?? opts.id!,
          ...(opts['number-field'] ? { numberField: opts['number-field'] } : {}), ...(opts.country ? { defaultCountry: opts.country } : {}),
          ...(opts['time-zone'] ? { timeZone: opts['time-zone'] } : {}), ...(opts['sender-id'] ? { senderId: opts['sender-id'] } : {}),
          ...(opts['sms-enabled'] ? { smsEnabled: opts['sms-enabled'] === 'true' } : {}),
          ...(opts.compliance ? { compliance: complianceFromFlag() } : {}),
        });
        out(`project ${project.id}: SMS ${project.smsEnabled ? 'enabled' : 'disabled'}, number field "${project.numberField}", country ${project.defaultCountry}, zone ${project.timeZone}`, project);
      });
    case 'projects':
      return withDirectory(async (d) => { const list = await d.listProjects(); out(list.map((p) => `${p.id}\t${p.name}`).join('\n'), list); });
    case 'groups':
      return withDirectory(async (d) => { const list = await d.listGroups(need(opts.project, 'project', 'the project id')); out(list.map((g) => `${g.name}\t${g.memberCount}`).join('\n'), list); });
    case 'import':
      return withDirectory(async (d) => {
        const projectId = need(opts.project, 'project', 'the project id');
        const encoding = csvEncoding(opts.encoding);
        const result = await importContactsCsv(d, projectId, await openCsvFile(need(id, 'file', 'the CSV file path')), { encoding });
        out(`imported ${result.imported} contact(s)`, result);
      });
    case 'opt-out':
      return withDirectory(async (d) => { await d.addOptOut(need(opts.project, 'project', 'the project id'), need(id, 'number', 'the number'), `cli:${actor}`); out('added to the kill list'); });
    case 'audit':
      return withDirectory(async (d) => { const log = await d.readAudit(sendingId()); out(log.map((a) => `${new Date(a.at).toISOString()}  ${a.action}  by ${a.actor}${a.detail ? `  ${JSON.stringify(a.detail)}` : ''}`).join('\n'), log); });
    case 'outbox':
      return withDirectory(async (d) => {
        if (opts.csv) return void process.stdout.write(await outboxCsv(d, sendingId(), { fullNumbers: opts['full-numbers'] ?? false }));
        const list = await d.readOutbox(sendingId());
        out(list.map((m) => `${m.seq}\t${m.to}\t${m.body}`).join('\n'), list);
      });
    case 'create':
      return withSendings(async (s) => {
        const selection: AudienceSelection = {
          projectId: need(opts.project, 'project', 'the project whose contacts receive the SMS'),
          audience: opts.groups ? 'groups' : 'all',
          groups: opts.groups ? opts.groups.split(',').map((g) => g.trim()).filter(Boolean) : [],
          duplicatePolicy: opts['per-number'] ? 'perNumber' : 'perContact',
        };
        const status = await s.create(selection, actor);
        out(`${status.sendingId}\n${status.lastCount ? formatCount(status.lastCount) : ''}`, status);
      });
    case 'count':
      return withSendings(async (s) => { const count = await s.count(sendingId(), actor); out(formatCount(count), count); });
    case 'prepare':
      return withSendings(async (s) => {
        const status = await s.prepare(sendingId(), { message: opts.message ?? '', senderId: opts['sender-id'] ?? null, schedule: scheduleFromFlags(), refreshAtSend: opts.refresh ?? false }, actor);
        out(formatStatus(status), status);
      });
    case 'request-approval':
      return withSendings(async (s) => out(formatStatus(await s.requestApproval(sendingId(), actor))));
    case 'approve':
      return withSendings(async (s) => out(formatStatus(await s.approve(sendingId(), { approver: actor, ...(opts.comment ? { comment: opts.comment } : {}), ...(opts.hash ? { hash: opts.hash } : {}) }))));
    case 'reject':
      return withSendings(async (s) => out(formatStatus(await s.reject(sendingId(), { approver: actor, reason: opts.reason ?? '' }))));
    case 'send':
      return withSendings(async (s) => { const status = await s.send(sendingId(), actor); out(formatStatus(status), status); if (opts.watch) await watch(s, sendingId()); });
    case 'reschedule':
      return withSendings(async (s) => out(formatStatus(await s.reschedule(sendingId(), scheduleFromFlags(), actor))));
    case 'cancel':
      return withSendings(async (s) => out(formatStatus(await s.cancel(sendingId(), opts.reason ?? '', actor))));
    case 'pause':
      return withSendings(async (s) => out(formatStatus(await s.pause(sendingId(), opts.reason ?? '', actor))));
    case 'resume':
      return withSendings(async (s) => out(formatStatus(await s.resume(sendingId(), actor))));
    case 'retry': {
      const include = [...(opts.failed ? ['failed' as const] : []), ...(opts.unknown ? ['unknown' as const] : [])];
      if (include.length === 0) throw new ConfigError('retry needs --failed and/or --unknown: which recipients to send again.');
      return withSendings(async (s) =>
        out(formatStatus(await s.retryRecipients(sendingId(), { include, confirmPossibleDuplicates: opts['confirm-possible-duplicates'] ?? false }, actor))),
      );
    }
    case 'status':
      return withSendings(async (s) => { const status = await s.status(sendingId()); out(formatStatus(status), status); });
    case 'watch':
      return withSendings((s) => watch(s, sendingId()));
    case 'list':
      return withSendings(async (s) => {
        const list = await s.list({ projectId: opts.project, state: opts.state as never });
        out(list.map((x) => `${x.sendingId}\t${x.state}\t${x.projectId}\t${x.startTime.toISOString()}`).join('\n'), list);
      });
    default:
      out(HELP);
      if (command && command !== 'help') process.exitCode = 2;
  }
}

run(positionals[0], positionals.slice(1)).catch((err: unknown) => {
  const known = err instanceof SendingError || err instanceof ConfigError || (err instanceof Error && err.name === 'DirectoryInputError');
  process.stderr.write(`error: ${known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
