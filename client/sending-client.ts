/**
 * The one way clients (operator CLI, tests, the n8n nodes' transport) talk to sendings.
 * Every failure comes back as a SendingError whose message the user can act on.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { SENDING_STATES, type AudienceCount, type AudienceSelection, type SendingState } from '../domain/types';
import {
  approveUpdate,
  cancelUpdate,
  countUpdate,
  pauseUpdate,
  prepareUpdate,
  rejectUpdate,
  requestApprovalUpdate,
  rescheduleUpdate,
  resumeUpdate,
  retryRecipientsUpdate,
  proofSendUpdate,
  selectUpdate,
  sendUpdate,
  directoryLookupWorkflowId,
  sendingWorkflowId,
  statusQuery,
  type DirectoryLookup,
  type DirectoryAnswer,
  type ApproveInput,
  type PrepareInput,
  type IdentityEstablished,
  type RejectInput,
  type RetryRecipientsInput,
  type ProofSendInput,
  type ProofSendResult,
  type Schedule,
  type SendingStatus,
  type SendingTuning,
} from '../workflows/messages';
import { SMS_PROJECT_ID, SMS_SENDING_STATE } from '../workflows/search-attributes';
import { tuningProblems } from '../workflows/tuning';
import { connectionOptions, type ClientSettings } from './temporal-connection';

export class SendingError extends Error {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

export async function connectClient(settings: ClientSettings): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(settings));
  return new Client({ connection, namespace: settings.namespace });
}

function translate(err: unknown, sendingId: string): never {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    throw new SendingError(err.cause.message, err.cause.type ?? 'Refused');
  }
  if (err instanceof WorkflowNotFoundError) {
    throw new SendingError(`No sending "${sendingId}" exists (or it has finished and can no longer change): check the id.`, 'NotFound');
  }
  throw err;
}

/** The result of a sending's workflow that has ended (its last status); null while it runs or when it did not complete. */
async function endedStatus(handle: WorkflowHandle): Promise<SendingStatus | null> {
  const { status } = await handle.describe();
  return status.name === 'COMPLETED' ? ((await handle.result()) as SendingStatus) : null;
}

/** The SDK's code for a worker whose workflow code does not replay the recorded history. */
const NONDETERMINISM = 'TMPRL1100';

/**
 * A sending whose workflow the worker cannot run (its code does not replay the history, or its task keeps
 * failing): it waits, stuck, until a worker that can runs; nothing is lost meanwhile.
 */
function stuckError(sendingId: string, failure: string): SendingError {
  const replay = failure.includes(NONDETERMINISM);
  return new SendingError(
    `Sending "${sendingId}" is stuck: ${
      replay
        ? "the worker's workflow code cannot replay its history — run a worker with the code that started it (roll the upgrade back)"
        : 'its workflow task keeps failing on the worker'
    }. Nothing is lost: it waits, and every recipient's state stays in the directory. The worker said: ${failure} ` +
      '(docs/troubleshooting.md, "A sending is stuck").',
    replay ? 'WorkerCannotReplay' : 'WorkflowTaskFailing',
  );
}

/** The last failure of a running workflow's task when that task has failed and is being tried again; null otherwise. */
async function failingTask(client: Client, handle: WorkflowHandle): Promise<string | null> {
  const { raw, status } = await handle.describe();
  if (status.name !== 'RUNNING' || (raw.pendingWorkflowTask?.attempt ?? 0) < 2) return null;
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId: handle.workflowId },
    maximumPageSize: 100,
  });
  const failed = history?.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
  return failed ? (failed.failure?.message ?? 'no message') : null;
}

/** The longest pause between two status queries of `waitFor`. */
export const WAIT_POLL_MAX_MS = 2_000;

export class SendingClient {
  /** `established`: how this client's callers are known, recorded in the audit log with every action (CLI: operator). */
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    readonly options: { established?: IdentityEstablished } = {},
  ) {}

  private who<T extends object>(input: T): T & { established?: IdentityEstablished } {
    return this.options.established && !('established' in input) ? { ...input, established: this.options.established } : input;
  }

  handle(sendingId: string): WorkflowHandle {
    return this.client.workflow.getHandle(sendingWorkflowId(sendingId));
  }

  /** Starts a draft sending and selects its recipients. A refused selection cancels the draft. */
  async create(
    selection: AudienceSelection,
    actor: string,
    options: { sendingId?: string; tuning?: Partial<SendingTuning> } = {},
  ): Promise<SendingStatus> {
    const problems = options.tuning ? tuningProblems(options.tuning) : [];
    if (problems.length > 0) throw new SendingError(`Cannot create the sending: ${problems.join(' ')}`, 'InvalidInput');
    const sendingId = options.sendingId ?? randomUUID().slice(0, 13);
    const handle = await this.client.workflow.start('smsSendingWorkflow', {
      workflowId: sendingWorkflowId(sendingId),
      taskQueue: this.taskQueue,
      args: [{ sendingId, createdBy: actor, ...(options.tuning ? { tuning: options.tuning } : {}) }],
      typedSearchAttributes: [
        { key: SMS_SENDING_STATE, value: 'draft' },
        { key: SMS_PROJECT_ID, value: selection.projectId },
      ],
    });
    try {
      return await handle.executeUpdate(selectUpdate, { args: [this.who({ ...selection, actor })] });
    } catch (err) {
      await handle
        .executeUpdate(cancelUpdate, { args: [this.who({ actor, reason: 'recipient selection was refused' })] })
        .catch(() => undefined);
      return translate(err, sendingId);
    }
  }

  private async update<R, A extends [unknown]>(sendingId: string, def: UpdateDefinition<R, A>, args: A): Promise<R> {
    try {
      return await this.handle(sendingId).executeUpdate(def, { args: [this.who(args[0] as object)] as unknown as A });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) {
        const closed = await this.describeClosed(sendingId);
        if (closed) throw new SendingError(`Sending "${sendingId}" is ${closed} and can no longer change.`, 'InvalidState');
        const failure = await failingTask(this.client, this.handle(sendingId)).catch(() => null);
        if (failure) throw stuckError(sendingId, failure);
      }
      return translate(err, sendingId);
    }
  }

  private async describeClosed(sendingId: string): Promise<SendingState | null> {
    try {
      const description = await this.handle(sendingId).describe();
      if (description.status.name === 'RUNNING') return null;
      return (await this.status(sendingId)).state;
    } catch {
      return null;
    }
  }

  select(sendingId: string, selection: AudienceSelection, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, selectUpdate, [{ ...selection, actor }]);
  }
  count(sendingId: string, actor: string): Promise<AudienceCount> {
    return this.update(sendingId, countUpdate, [{ actor }]);
  }
  prepare(sendingId: string, input: PrepareInput, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, prepareUpdate, [{ ...input, actor }]);
  }
  requestApproval(sendingId: string, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, requestApprovalUpdate, [{ actor }]);
  }
  approve(sendingId: string, decision: ApproveInput): Promise<SendingStatus> {
    return this.update(sendingId, approveUpdate, [decision]);
  }
  reject(sendingId: string, decision: RejectInput): Promise<SendingStatus> {
    return this.update(sendingId, rejectUpdate, [decision]);
  }
  send(sendingId: string, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, sendUpdate, [{ actor }]);
  }
  reschedule(sendingId: string, schedule: Schedule, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, rescheduleUpdate, [{ schedule, actor }]);
  }
  /** Answers once the sending is cancelled: nothing starts after the stop is recorded, and what was in flight has settled. */
  cancel(sendingId: string, reason: string, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, cancelUpdate, [{ reason, actor }]);
  }
  /** Answers once the sending is paused (the messages in flight have settled). */
  pause(sendingId: string, reason: string, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, pauseUpdate, [{ reason, actor }]);
  }
  resume(sendingId: string, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, resumeUpdate, [{ actor }]);
  }
  /** The prepared message, rendered for a sample recipient, to a named approver's own phone (marked test, not counted). */
  proofSend(sendingId: string, input: ProofSendInput): Promise<ProofSendResult> {
    return this.update(sendingId, proofSendUpdate, [input]);
  }
  /** Sends the failed and/or unknown recipients again (unknown ones only with `confirmPossibleDuplicates`). */
  retryRecipients(sendingId: string, input: Omit<RetryRecipientsInput, 'actor'>, actor: string): Promise<SendingStatus> {
    return this.update(sendingId, retryRecipientsUpdate, [{ ...input, actor }]);
  }

  async status(sendingId: string): Promise<SendingStatus> {
    const handle = this.handle(sendingId);
    try {
      // An ended sending's last status is its workflow's result, kept by the server: read without a worker (a query
      // needs one to replay the history, and waits for one when none runs).
      return (await endedStatus(handle)) ?? (await handle.query(statusQuery));
    } catch (err) {
      if (err instanceof Error && err.message.includes(NONDETERMINISM)) throw stuckError(sendingId, err.message);
      if (!(err instanceof WorkflowNotFoundError)) {
        const failure = await failingTask(this.client, handle).catch(() => null);
        if (failure) throw stuckError(sendingId, failure);
      }
      return translate(err, sendingId);
    }
  }

  /**
   * Polls the status until the sending is in one of `states` (and `until`, when given, holds): after
   * 250 ms, then twice as long each time up to 2 s (each query is a billed Action on Temporal Cloud).
   */
  async waitFor(
    sendingId: string,
    states: SendingState[],
    options: { timeoutMs?: number; onStatus?: (s: SendingStatus) => void; until?: (s: SendingStatus) => boolean } = {},
  ): Promise<SendingStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    let pauseMs = 250;
    for (;;) {
      const status = await this.status(sendingId);
      options.onStatus?.(status);
      if (states.includes(status.state) && (options.until?.(status) ?? true)) return status;
      if (Date.now() > deadline)
        throw new SendingError(
          `Sending "${sendingId}" is still ${status.state} after waiting; expected ${states.join(' or ')}.`,
          'Timeout',
        );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, WAIT_POLL_MAX_MS);
    }
  }

  /** Projects, groups, time zones, sending events or a delivery summary from the worker's directory (a short workflow on the task queue). */
  async lookup<L extends DirectoryLookup>(request: L): Promise<DirectoryAnswer<L>> {
    try {
      return await this.client.workflow.execute<(request: L) => Promise<DirectoryAnswer<L>>>('directoryLookupWorkflow', {
        workflowId: directoryLookupWorkflowId(randomUUID()),
        taskQueue: this.taskQueue,
        args: [request],
        workflowExecutionTimeout: '1 minute',
      });
    } catch (err) {
      const cause = (err as { cause?: { cause?: unknown } }).cause?.cause;
      if (cause instanceof ApplicationFailure) throw new SendingError(cause.message, cause.type ?? 'LookupFailed');
      throw err;
    }
  }

  /** The IANA time zone of the sending's project (where "the project's time zone" points). */
  async projectTimeZone(sendingId: string): Promise<string> {
    const [zone] = await this.lookup({ kind: 'projectTimeZone', sendingId });
    return zone.value;
  }

  /**
   * Sendings of a project, newest first, from the search attributes. The values go into Temporal's
   * visibility query, whose string quoting differs by store: a project id with a quote, a backslash or
   * a control character, or a state that is not a sending state, is refused rather than escaped.
   */
  async list(
    filter: { projectId?: string; state?: SendingState } = {},
  ): Promise<{ sendingId: string; state: string; projectId: string; startTime: Date }[]> {
    if (filter.projectId !== undefined && (typeof filter.projectId !== 'string' || /['"`\\\u0000-\u001f\u007f]/.test(filter.projectId))) {
      throw new SendingError(
        `"projectId" ${JSON.stringify(filter.projectId)} cannot be listed: a project id with quotes, backslashes or control characters is refused. Check the project id.`,
        'InvalidInput',
      );
    }
    if (filter.state !== undefined && !SENDING_STATES.includes(filter.state)) {
      throw new SendingError(
        `"state" ${JSON.stringify(filter.state)} is not a sending state; the states are ${SENDING_STATES.join(', ')}.`,
        'InvalidInput',
      );
    }
    const clauses = [`WorkflowType = 'smsSendingWorkflow'`];
    if (filter.projectId) clauses.push(`SmsProjectId = '${filter.projectId}'`);
    if (filter.state) clauses.push(`SmsSendingState = '${filter.state}'`);
    const out = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      out.push({
        sendingId: wf.workflowId.replace(/^sms-sending-/, ''),
        state: String(wf.typedSearchAttributes.get(SMS_SENDING_STATE) ?? ''),
        projectId: String(wf.typedSearchAttributes.get(SMS_PROJECT_ID) ?? ''),
        startTime: wf.startTime,
      });
    }
    return out;
  }
}
