/**
 * Sending events (the Durable SMS Trigger's source): the audit log read after a cursor, filtered by
 * project and event, limited, newest first for the first poll; a quarantine is an event naming the
 * recipient, never the number; SQLite and PostgreSQL. Then a real sending on the dev server: its events
 * and delivery summary through the lookup workflow, with no number in the answer or its history.
 */
import type { AudienceSelection } from '../../domain/types';
import type { Directory, Project } from '../../worker/directory/directory';
import { lookupDirectory } from '../../worker/activities/lookup-directory';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { applyReceipt, receiptRecorder } from '../../worker/receipts/apply-receipt';
import { directoryLookupWorkflowId, type DirectoryLookup, type SendingEvent } from '../../workflows/messages';
import { STORES, openFreshDirectory, openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { historyText } from '../support/history-text';
import { sendRow } from '../support/ledger';
import { ANY_HOUR, seedAcme, seedBulk } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const everyone = (projectId: string): AudienceSelection => ({ projectId, audience: 'all', groups: [], duplicatePolicy: 'perContact' });
/** The events lookup; events just written count as settled unless `settleMs` says otherwise. */
const events = (directory: Directory, request: Omit<Extract<DirectoryLookup, { kind: 'events' }>, 'kind'>) =>
  lookupDirectory(directory, { kind: 'events', settleMs: 0, ...request }) as Promise<SendingEvent[]>;

describe.each(STORES)('sending events from the audit log (%s directory)', (store) => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let acme: Project;
  let numbers: string[];
  const T = Date.UTC(2026, 10, 29, 15, 0, 0);

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    directory = fresh.directory;
    acme = (await seedAcme(directory)).project;
    acme = await directory.upsertProject({ id: 'acme', name: 'Acme', compliance: { receipts: { quarantineAfter: 1 } } });
    await seedAcme(directory, 'other');
    for (const [id, projectId] of [
      ['s-acme', 'acme'],
      ['s-other', 'other'],
      ['s-again', 'acme'],
    ]) {
      await directory.createSending({ id, projectId, selection: everyone(projectId), createdBy: 'paula', createdAt: 1 });
      await directory.prepareSnapshot(id, everyone(projectId));
    }
    numbers = (await directory.readSnapshot('s-acme', 0, 100)).map((row) => row.e164);
    // Sent to the same number as s-acme's first message, before it is quarantined; its receipt comes late.
    await sendRow(directory, 's-again', 1, `${store}-again-1`);
    const audit = (sendingId: string, action: string, actor: string, detail?: Record<string, unknown>) =>
      directory.audit({ sendingId, action, actor, detail });
    await audit('s-acme', 'approval_requested', 'paula', { hash: 'h1', expiresAtMs: T, approvalsRequired: 1 });
    await audit('s-acme', 'counted', 'paula', { targeted: 3 }); // not an event
    await audit('s-other', 'rejected', 'bea', { reason: `call me at ${numbers[0]} first`, hash: 'h2' });
    await audit('s-acme', 'approved', 'alex', { hash: 'h1', approval: 1, of: 1 });
    await audit('s-acme', 'send_requested', 'paula', { sendAtMs: null, hash: 'h1' });
    await audit('s-acme', 'held', 'system', { count: 2, nextMs: T, lastMs: T + 60_000 });
    await audit('s-acme', 'resumed', 'alex', { pausedMs: 5000 });
  });
  afterAll(async () => {
    await fresh?.close();
  });

  test('every event after the cursor, oldest first, with its name, sending, project, ISO times; internal entries left out', async () => {
    const all = await events(directory, { afterId: 0, limit: 100 });
    expect(all.map((e) => [e.event, e.sendingId, e.projectId, e.actor])).toEqual([
      ['approvalRequested', 's-acme', 'acme', 'paula'],
      ['rejected', 's-other', 'other', 'bea'],
      ['approved', 's-acme', 'acme', 'alex'],
      ['scheduled', 's-acme', 'acme', 'paula'],
      ['heldByQuietHours', 's-acme', 'acme', 'system'],
      ['resumed', 's-acme', 'acme', 'alex'],
    ]);
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(all[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(all[0].detail).toEqual({ hash: 'h1', expiresAt: '2026-11-29T15:00:00.000Z', approvalsRequired: 1 });
    expect(all[3].detail).toEqual({ sendAt: null, hash: 'h1' });
    expect(all[4].detail).toEqual({ count: 2, next: '2026-11-29T15:00:00.000Z', last: '2026-11-29T15:01:00.000Z' });
    expect(all[5].detail).toEqual({ pausedMs: 5000 });
    // Free text with a number in it is masked.
    expect(all[1].detail.reason).toMatch(/^call me at \+\d{2}•+\d{2} first$/);
    expect(JSON.stringify(all)).not.toContain(numbers[0].slice(1));

    // The cursor: only what came after it; the limit: the first ones.
    expect((await events(directory, { afterId: ids[2], limit: 100 })).map((e) => e.id)).toEqual(ids.slice(3));
    expect((await events(directory, { afterId: ids[0], limit: 2 })).map((e) => e.id)).toEqual(ids.slice(1, 3));
    expect(await events(directory, { afterId: ids[5], limit: 100 })).toEqual([]);
    // Newest first (where a new trigger places its cursor).
    expect((await events(directory, { afterId: 0, limit: 1, newest: true })).map((e) => e.id)).toEqual([ids[5]]);
  });

  test('filtered by project and by event', async () => {
    expect((await events(directory, { projectId: 'other', afterId: 0, limit: 100 })).map((e) => e.event)).toEqual(['rejected']);
    expect((await events(directory, { events: ['rejected', 'approved'], afterId: 0, limit: 100 })).map((e) => e.event)).toEqual([
      'rejected',
      'approved',
    ]);
    expect(await events(directory, { projectId: 'acme', events: ['rejected'], afterId: 0, limit: 100 })).toEqual([]);
    const [newest] = await events(directory, { projectId: 'acme', events: ['approved', 'scheduled'], afterId: 0, limit: 1, newest: true });
    expect(newest.event).toBe('scheduled');
    await expect(events(directory, { events: ['sent'], afterId: 0, limit: 10 })).rejects.toThrow('Unknown sending event(s): sent.');
    await expect(events(directory, { afterId: -1, limit: 10 })).rejects.toThrow('"afterId" must be a whole number ≥ 0');
    await expect(events(directory, { afterId: 0, limit: 0 })).rejects.toThrow('"limit" must be a whole number ≥ 1');
    await expect(events(directory, { events: 'completed' as never, afterId: 0, limit: 10 })).rejects.toThrow(
      '"events" must be a list of event names, not "completed".',
    );
    await expect(events(directory, { projectId: 7 as never, afterId: 0, limit: 10 })).rejects.toThrow('"projectId" must be text, not 7.');
  });

  test('a quarantine by receipts is an event with the recipient id and no number; completed carries the delivery summary', async () => {
    const before = await events(directory, { afterId: 0, limit: 1, newest: true });
    await sendRow(directory, 's-acme', 1, `${store}-msg-1`);
    await sendRow(directory, 's-acme', 2, `${store}-msg-2`);
    await applyReceipt(directory, acme, { providerMessageId: `${store}-msg-1`, state: 'undelivered', errorCode: '30003' });
    await applyReceipt(directory, acme, { providerMessageId: `${store}-msg-2`, state: 'delivered' });
    await directory.audit({ sendingId: 's-acme', action: 'completed', actor: 'system', detail: { sent: 2, failed: 0, cursor: 3 } });

    const later = await events(directory, { afterId: before[0].id, limit: 100 });
    expect(later.map((e) => e.event)).toEqual(['numberQuarantined', 'completed']);
    const [first] = await directory.readSnapshot('s-acme', 0, 1);
    expect(later[0]).toMatchObject({
      sendingId: 's-acme',
      projectId: 'acme',
      actor: 'system',
      detail: { recipientId: 'c1', recipientSeq: 1, errorCode: '30003', killListSource: 'quarantine:30003', failures: 1 },
    });
    expect(later[1].delivery).toEqual({
      sent: 2,
      delivered: 1,
      read: 0,
      undelivered: 1,
      failed: 0,
      awaitingReceipt: 0,
      byErrorCode: { '30003': 1 },
      killListed: { 'quarantine:30003': 1 },
    });
    for (const number of numbers) expect(JSON.stringify(later)).not.toContain(number.slice(2));
    expect(first.e164).toBe(numbers[0]);
    expect(await lookupDirectory(directory, { kind: 'deliverySummary', sendingId: 's-acme' })).toEqual(later[1].delivery);
  });

  test('a cursor read never jumps over an entry not yet settled: young entries wait, and so does everything after them', async () => {
    const [before] = await events(directory, { afterId: 0, limit: 1, newest: true });
    await directory.audit({ sendingId: 's-acme', action: 'approved', actor: 'alex', detail: { approval: 1, of: 1 } });
    // Just written: the default settle time (2 s) keeps it for the next read.
    expect(await events(directory, { afterId: before.id, limit: 100, settleMs: undefined })).toEqual([]);
    expect((await events(directory, { afterId: before.id, limit: 100 })).map((e) => e.event)).toEqual(['approved']);
    const [cursor] = await events(directory, { afterId: 0, limit: 1, newest: true });

    // A worker whose clock is a minute ahead writes first (lower id), a punctual one second.
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 60_000);
    await directory.audit({ sendingId: 's-acme', action: 'paused', actor: 'alex', detail: { reason: 'ahead' } });
    clock.mockRestore();
    await directory.audit({ sendingId: 's-acme', action: 'resumed', actor: 'alex', detail: { pausedMs: 1 } });
    const read = (settledBefore: number) =>
      directory.readEvents({ actions: ['paused', 'resumed'], afterId: cursor.id, limit: 100, settledBefore });
    expect(await read(now + 1_000)).toEqual([]);
    expect((await read(now + 61_000)).map((e) => e.action)).toEqual(['paused', 'resumed']);
  });

  test('a number already quarantined is not quarantined again: a later failure to it is no new event', async () => {
    const before = await events(directory, { afterId: 0, limit: 1, newest: true });
    expect((await directory.readSnapshot('s-again', 0, 1))[0].e164).toBe(numbers[0]);
    const result = await applyReceipt(directory, acme, { providerMessageId: `${store}-again-1`, state: 'undelivered', errorCode: '30003' });
    expect(result).toEqual({ outcome: 'applied' });
    expect(await events(directory, { afterId: before[0].id, limit: 100 })).toEqual([]);
    expect((await directory.readDeliveryReport('s-again', 0, 1))[0]).toMatchObject({ deliveryState: 'undelivered' });
  });
});

describe('sending events of a real sending, through the lookup workflow', () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'bulk', 12);
    await fresh.directory.upsertProject({ id: 'bulk', name: 'bulk', compliance: { ...ANY_HOUR, receipts: { quarantineAfter: 1 } } });
    const provider = createOutboxProvider(fresh.directory, { undeliveredShare: 0.5, record: receiptRecorder(fresh.directory) });
    env = await startTestWorker({ directory: fresh.directory, provider });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  test('approval, send, quarantines and completion with the summary; no number in the answer or the history', async () => {
    const s = env.client;
    const [newest] = await s.lookup({ kind: 'events', afterId: 0, limit: 1, newest: true });
    const { sendingId: id } = await s.create(everyone('bulk'), 'paula');
    await s.prepare(id, { message: 'Sale today. STOP to opt out', schedule: { mode: 'now' }, refreshAtSend: false }, 'paula');
    await s.requestApproval(id, 'paula');
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');
    await s.waitFor(id, ['completed'], { timeoutMs: 60_000 });

    const answer = await s.lookup({ kind: 'events', projectId: 'bulk', afterId: newest?.id ?? 0, limit: 100, settleMs: 0 });
    const summary = await fresh.directory.deliverySummary(id);
    expect(summary.undelivered).toBeGreaterThan(0);
    expect(answer.map((e) => e.event)).toEqual([
      'approvalRequested',
      'approved',
      'scheduled',
      ...Array(summary.undelivered).fill('numberQuarantined'),
      'completed',
    ]);
    expect(answer.at(-1)).toMatchObject({ sendingId: id, projectId: 'bulk', delivery: summary });
    expect(await s.lookup({ kind: 'deliverySummary', sendingId: id })).toEqual(summary);

    const rows = await fresh.directory.readSnapshot(id, 0, 100);
    // The same lookup under a known id, to read its history.
    const workflowId = directoryLookupWorkflowId(`events-of-${id}`);
    await s.client.workflow.execute('directoryLookupWorkflow', {
      workflowId,
      taskQueue: env.taskQueue,
      args: [{ kind: 'events', projectId: 'bulk', afterId: newest?.id ?? 0, limit: 100, settleMs: 0 }],
    });
    const history = historyText(await s.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).toContain('numberQuarantined');
    for (const row of rows) {
      expect(JSON.stringify(answer)).not.toContain(row.e164.slice(1));
      expect(history).not.toContain(row.e164.slice(1));
    }
  }, 120_000);
});
