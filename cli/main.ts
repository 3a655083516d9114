#!/usr/bin/env node
/** Operator CLI: `npm run sms -- <command> ...`; `npm run sms -- help` lists the commands. */
import { createReadStream, readFileSync, type ReadStream } from 'node:fs';
import { userInfo } from 'node:os';
import { SendingClient, SendingError, connectClient } from '../client/sending-client';
import type { AudienceSelection } from '../domain/types';
import { ConfigError, directoryLocationFromEnv, temporalSettingsFromEnv } from '../worker/config';
import { csvEncoding } from '../worker/directory/csv-decode';
import { importContactsCsv } from '../worker/directory/csv-import';
import { openDirectory } from '../worker/directory/open-directory';
import type { Schedule } from '../workflows/messages';
import { UsageError, readCommandLine, type CommandLine } from './arguments';
import { COMMANDS } from './commands';
import { formatCount, formatProgress, formatStatus } from './format';
import { HELP } from './help';
import { deliveryReportCsv, formatDeliverySummary } from './delivery-report';
import { outboxCsv } from './outbox-csv';
import { maskE164 } from '../domain/mask-numbers';

let commandLine: CommandLine;
try {
  commandLine = readCommandLine(process.argv.slice(2), COMMANDS);
} catch (err) {
  usageFailed(err as Error);
}
const { command: commandName, positionals } = commandLine;
type StringFlag =
  | 'encoding'
  | 'id'
  | 'name'
  | 'number-field'
  | 'country'
  | 'time-zone'
  | 'sender-id'
  | 'sms-enabled'
  | 'compliance'
  | 'project'
  | 'groups'
  | 'message'
  | 'at'
  | 'comment'
  | 'source'
  | 'hash'
  | 'reason'
  | 'state'
  | 'parallel-batches'
  | 'as';
type BooleanFlag =
  | 'csv'
  | 'full-numbers'
  | 'per-number'
  | 'now'
  | 'refresh'
  | 'allow-beyond-one-year'
  | 'watch'
  | 'failed'
  | 'unknown'
  | 'confirm-possible-duplicates'
  | 'json'
  | 'help';
const opts = commandLine.flags as Partial<Record<StringFlag, string> & Record<BooleanFlag, boolean>>;

/** A usage error: one line naming the flag and the fix, then the command's usage; exit code 2. */
function usageFailed(err: Error): never {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`error: ${err.message}${err.usage ? `\nusage: ${err.usage}` : ''}\n`);
  process.exit(2);
}

const actor = opts.as ?? process.env.SMS_ACTOR ?? userInfo().username;
const out = (text: string, data?: unknown): void => {
  process.stdout.write(`${opts.json && data !== undefined ? JSON.stringify(data, null, 2) : text}\n`);
};

function need(value: string | undefined, flag: string, hint: string): string {
  if (!value) throw new UsageError(`--${flag} is required: ${hint}`, `npm run sms -- ${COMMANDS[commandName]?.usage ?? 'help'}`);
  return value;
}
const usageError = (message: string): UsageError => new UsageError(message, `npm run sms -- ${COMMANDS[commandName].usage}`);

function complianceFromFlag(): unknown {
  const raw = opts.compliance!;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (err) {
      throw usageError(
        `--compliance ${raw}: the file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give the path of a JSON file after @, or the JSON itself`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(
      `--compliance is not valid JSON (${(err as Error).message}): give an object such as '{"pricePerSegment": 0.0079}' or @file.json`,
    );
  }
}

/** --at (with --time-zone, --allow-beyond-one-year) is a later send; without --at, now. --now is reschedule's explicit "now". */
function scheduleFromFlags(): Schedule {
  if (opts.now && opts.at) throw usageError('--now and --at exclude each other: give one');
  if (!opts.at) {
    for (const flag of ['time-zone', 'refresh', 'allow-beyond-one-year'] as const) {
      if (opts[flag] !== undefined)
        throw usageError(`--${flag} applies to a later send: give --at YYYY-MM-DDTHH:mm with it, or leave --${flag} out to send now`);
    }
    if (commandName === 'reschedule' && !opts.now) throw usageError('give --now, or --at YYYY-MM-DDTHH:mm [--time-zone ZONE]');
    return { mode: 'now' };
  }
  // No --time-zone: the project's zone, looked up with the sending (inProjectZone).
  const timeZone = opts['time-zone'] ?? '';
  return { mode: 'later', localDateTime: opts.at, timeZone, ...(opts['allow-beyond-one-year'] ? { allowBeyondOneYear: true } : {}) };
}

/** A later schedule without a zone takes the sending's project's zone. */
async function inProjectZone(sendings: SendingClient, id: string, schedule: Schedule): Promise<Schedule> {
  return schedule.mode === 'later' && schedule.timeZone === '' ? { ...schedule, timeZone: await sendings.projectTimeZone(id) } : schedule;
}

/** The file, opened before the directory is touched: a missing one is a clear error, not a stack trace. */
function openCsvFile(path: string): Promise<ReadStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ConfigError(`Cannot read the CSV file "${path}" (${err.code ?? err.message}): give the path of an existing file.`)),
    );
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
    onStatus: (s) => {
      if (tty) process.stdout.write(`\r${formatProgress(s)}   `);
    },
  });
  out(`${tty ? '\n' : ''}${formatProgress(final)}`, final);
}

async function run(command: string | undefined, args: string[]): Promise<void> {
  const id = args[0];
  const sendingId = () => need(id, 'id', 'give the sending id as the first argument');
  switch (command) {
    case 'project': {
      const compliance = opts.compliance ? complianceFromFlag() : undefined;
      return withDirectory(async (d) => {
        const project = await d.upsertProject({
          id: need(opts.id, 'id', 'the project id'),
          name: opts.name ?? opts.id!,
          ...(opts['number-field'] ? { numberField: opts['number-field'] } : {}),
          ...(opts.country ? { defaultCountry: opts.country } : {}),
          ...(opts['time-zone'] ? { timeZone: opts['time-zone'] } : {}),
          ...(opts['sender-id'] ? { senderId: opts['sender-id'] } : {}),
          ...(opts['sms-enabled'] ? { smsEnabled: opts['sms-enabled'] === 'true' } : {}), // 'true' or 'false': checked by cli/commands.ts
          ...(compliance !== undefined ? { compliance } : {}),
        });
        out(
          `project ${project.id}: SMS ${project.smsEnabled ? 'enabled' : 'disabled'}, number field "${project.numberField}", country ${project.defaultCountry}, zone ${project.timeZone}`,
          project,
        );
      });
    }
    case 'projects':
      return withDirectory(async (d) => {
        const list = await d.listProjects();
        out(list.map((p) => `${p.id}\t${p.name}`).join('\n'), list);
      });
    case 'groups':
      return withDirectory(async (d) => {
        const list = await d.listGroups(need(opts.project, 'project', 'the project id'));
        out(list.map((g) => `${g.name}\t${g.memberCount}`).join('\n'), list);
      });
    case 'import':
      return withDirectory(async (d) => {
        const projectId = need(opts.project, 'project', 'the project id');
        const encoding = csvEncoding(opts.encoding);
        const result = await importContactsCsv(d, projectId, await openCsvFile(need(id, 'file', 'the CSV file path')), { encoding });
        out(`imported ${result.imported} contact(s)`, result);
      });
    case 'opt-out':
      return withDirectory(async (d) => {
        await d.addOptOut(need(opts.project, 'project', 'the project id'), need(id, 'number', 'the number'), `cli:${actor}`);
        out('added to the kill list');
      });
    case 'opt-outs':
      return withDirectory(async (d) => {
        const entries = await d.listOptOuts(need(opts.project, 'project', 'the project id'), opts.source);
        const number = (e164: string) => (opts['full-numbers'] ? e164 : maskE164(e164));
        out(entries.map((e) => `${number(e.e164)}\t${e.source}\t${new Date(e.createdAt).toISOString()}`).join('\n'), entries);
      });
    case 'remove-opt-out':
      return withDirectory(async (d) => {
        await d.removeOptOut(need(opts.project, 'project', 'the project id'), need(id, 'number', 'the number'));
        out('taken off the kill list');
      });
    case 'audit':
      return withDirectory(async (d) => {
        const log = await d.readAudit(sendingId());
        out(
          log
            .map((a) => `${new Date(a.at).toISOString()}  ${a.action}  by ${a.actor}${a.detail ? `  ${JSON.stringify(a.detail)}` : ''}`)
            .join('\n'),
          log,
        );
      });
    case 'outbox':
      return withDirectory(async (d) => {
        if (opts.csv) return void process.stdout.write(await outboxCsv(d, sendingId(), { fullNumbers: opts['full-numbers'] ?? false }));
        const list = await d.readOutbox(sendingId());
        out(list.map((m) => `${m.seq}\t${m.to}\t${m.body}`).join('\n'), list);
      });
    case 'report':
      return withDirectory(async (d) => {
        const id = sendingId();
        if (!(await d.getSending(id))) throw new ConfigError(`Unknown sending "${id}": give the id create printed (list shows them).`);
        if (opts.csv) return void process.stdout.write(await deliveryReportCsv(d, id, { fullNumbers: opts['full-numbers'] ?? false }));
        const [progress, delivery] = [await d.progress(id), await d.deliverySummary(id)];
        const states = Object.entries(progress)
          .filter(([, count]) => count > 0)
          .map(([state, count]) => `${state} ${count}`);
        out(`sending ${id}\n  recipients: ${states.join(', ') || 'none yet'}\n${formatDeliverySummary(delivery)}`, {
          sendingId: id,
          progress,
          delivery,
        });
      });
    case 'create':
      return withSendings(async (s) => {
        const selection: AudienceSelection = {
          projectId: need(opts.project, 'project', 'the project whose contacts receive the SMS'),
          audience: opts.groups ? 'groups' : 'all',
          groups: opts.groups
            ? opts.groups
                .split(',')
                .map((g) => g.trim())
                .filter(Boolean)
            : [],
          duplicatePolicy: opts['per-number'] ? 'perNumber' : 'perContact',
        };
        const parallelBatches = opts['parallel-batches'] ? Number(opts['parallel-batches']) : undefined;
        const status = await s.create(selection, actor, parallelBatches ? { tuning: { parallelBatches } } : {});
        out(`${status.sendingId}\n${status.lastCount ? formatCount(status.lastCount) : ''}`, status);
      });
    case 'count':
      return withSendings(async (s) => {
        const count = await s.count(sendingId(), actor);
        out(formatCount(count), count);
      });
    case 'prepare': {
      const schedule = scheduleFromFlags();
      return withSendings(async (s) => {
        const id = sendingId();
        const status = await s.prepare(
          id,
          {
            message: opts.message!,
            senderId: opts['sender-id'] ?? null,
            schedule: await inProjectZone(s, id, schedule),
            refreshAtSend: opts.refresh ?? false,
          },
          actor,
        );
        out(formatStatus(status), status);
      });
    }
    case 'request-approval':
      return withSendings(async (s) => out(formatStatus(await s.requestApproval(sendingId(), actor))));
    case 'approve':
      return withSendings(async (s) =>
        out(
          formatStatus(
            await s.approve(sendingId(), {
              approver: actor,
              ...(opts.comment ? { comment: opts.comment } : {}),
              ...(opts.hash ? { hash: opts.hash } : {}),
            }),
          ),
        ),
      );
    case 'reject':
      return withSendings(async (s) => out(formatStatus(await s.reject(sendingId(), { approver: actor, reason: opts.reason ?? '' }))));
    case 'send':
      return withSendings(async (s) => {
        const status = await s.send(sendingId(), actor);
        out(formatStatus(status), status);
        if (opts.watch) await watch(s, sendingId());
      });
    case 'reschedule': {
      const schedule = scheduleFromFlags();
      return withSendings(async (s) =>
        out(formatStatus(await s.reschedule(sendingId(), await inProjectZone(s, sendingId(), schedule), actor))),
      );
    }
    case 'cancel':
      return withSendings(async (s) => out(formatStatus(await s.cancel(sendingId(), opts.reason ?? '', actor))));
    case 'pause':
      return withSendings(async (s) => out(formatStatus(await s.pause(sendingId(), opts.reason ?? '', actor))));
    case 'resume':
      return withSendings(async (s) => out(formatStatus(await s.resume(sendingId(), actor))));
    case 'retry': {
      const include = [...(opts.failed ? ['failed' as const] : []), ...(opts.unknown ? ['unknown' as const] : [])];
      if (include.length === 0) throw usageError('retry needs --failed and/or --unknown: which recipients to send again');
      if (opts['confirm-possible-duplicates'] && !opts.unknown)
        throw usageError('--confirm-possible-duplicates goes with --unknown: leave it out, or add --unknown');
      return withSendings(async (s) =>
        out(
          formatStatus(
            await s.retryRecipients(
              sendingId(),
              { include, confirmPossibleDuplicates: opts['confirm-possible-duplicates'] ?? false },
              actor,
            ),
          ),
        ),
      );
    }
    case 'status':
      return withSendings(async (s) => {
        const status = await s.status(sendingId());
        // The delivery summary comes from the directory: receipts never pass through the workflow's history.
        const delivery = status.progress.sent > 0 ? await withDirectory((d) => d.deliverySummary(status.sendingId)) : undefined;
        out(
          delivery ? `${formatStatus(status)}\n${formatDeliverySummary(delivery)}` : formatStatus(status),
          delivery ? { ...status, delivery } : status,
        );
      });
    case 'watch':
      return withSendings((s) => watch(s, sendingId()));
    case 'list':
      return withSendings(async (s) => {
        const list = await s.list({ projectId: opts.project, state: opts.state as never });
        out(list.map((x) => `${x.sendingId}\t${x.state}\t${x.projectId}\t${x.startTime.toISOString()}`).join('\n'), list);
      });
    default:
      out(HELP);
  }
}

if (opts.help) out(commandName === 'help' ? HELP : `usage: npm run sms -- ${COMMANDS[commandName].usage}`);
else
  run(commandName, positionals).catch((err: unknown) => {
    if (err instanceof UsageError) usageFailed(err);
    const known = err instanceof SendingError || err instanceof ConfigError || (err instanceof Error && err.name === 'DirectoryInputError');
    process.stderr.write(`error: ${known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
