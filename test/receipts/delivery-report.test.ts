/**
 * The delivery outcome of a whole sending: a real worker on the dev server sends through the outbox, whose
 * simulated receipts mark a share undelivered (30003); the directory's summary, `npm run sms -- status`
 * and `report` (text and CSV) show the figures the receipts table holds, and no number reaches the history.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { csvCell } from '../../domain/csv-cell';
import { maskE164 } from '../../domain/mask-numbers';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { receiptRecorder } from '../../worker/receipts/apply-receipt';
import { sendingWorkflowId } from '../../workflows/messages';
import { openFreshSqliteDirectory } from '../support/directories';
import { historyText } from '../support/history-text';
import { ROOT } from '../support/paths';
import { seedBulk } from '../support/seed';
import { TEMPORAL_ADDRESS, startTestWorker, type TestWorker } from '../support/temporal';

const run = promisify(execFile);
const RECIPIENTS = 40;

describe('delivery summary, status and report', () => {
  let fresh: Awaited<ReturnType<typeof openFreshSqliteDirectory>>;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    await seedBulk(fresh.directory, 'bulk', RECIPIENTS);
    await fresh.directory.upsertProject({ id: 'bulk', name: 'bulk', compliance: { receipts: { quarantineAfter: 1 } } });
    const provider = createOutboxProvider(fresh.directory, { undeliveredShare: 0.3, record: receiptRecorder(fresh.directory) });
    env = await startTestWorker({ directory: fresh.directory, provider });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  const sms = async (...args: string[]): Promise<string> =>
    (
      await run(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS,
          TEMPORAL_TASK_QUEUE: env.taskQueue,
          DIRECTORY_SQLITE_PATH: fresh.path,
          SMS_ACTOR: 'paula',
        },
      })
    ).stdout;

  /** What the receipts table itself says, read apart from the code under test. */
  function receiptsTable(): Map<string, { state: string; error_code: string | null }> {
    const db = new Database(fresh.path, { readonly: true });
    try {
      const rows = db.prepare('SELECT provider_message_id AS id, state, error_code FROM delivery_receipts').all() as {
        id: string;
        state: string;
        error_code: string | null;
      }[];
      return new Map(rows.map((row) => [row.id, row]));
    } finally {
      db.close();
    }
  }

  test('a sending sent through the outbox: figures from its simulated receipts in the summary, status and report', async () => {
    const selection = { projectId: 'bulk', audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    const { sendingId: id } = await env.client.create(selection, 'paula');
    await env.client.prepare(id, { message: 'Sale today. STOP to opt out', schedule: { mode: 'now' }, refreshAtSend: false }, 'paula');
    await env.client.requestApproval(id, 'paula');
    await env.client.approve(id, { approver: 'alex' });
    await env.client.send(id, 'paula');
    await env.client.waitFor(id, ['completed'], { timeoutMs: 60_000 });

    const table = receiptsTable();
    const undelivered = [...table.values()].filter((row) => row.state === 'undelivered');
    expect(table.size).toBe(RECIPIENTS);
    // 30 % of 40 by a hash of each id: some of each, and every undelivered one with the simulated code.
    expect(undelivered.length).toBeGreaterThan(0);
    expect(undelivered.length).toBeLessThan(RECIPIENTS);
    expect(undelivered.every((row) => row.error_code === '30003')).toBe(true);
    const delivered = RECIPIENTS - undelivered.length;

    const summary = await fresh.directory.deliverySummary(id);
    expect(summary).toEqual({
      sent: RECIPIENTS,
      delivered,
      read: 0,
      undelivered: undelivered.length,
      failed: 0,
      awaitingReceipt: 0,
      byErrorCode: { '30003': undelivered.length },
      killListed: { 'quarantine:30003': undelivered.length },
    });

    const status = JSON.parse(await sms('status', id, '--json'));
    expect(status).toMatchObject({ sendingId: id, state: 'completed', delivery: summary });
    expect(await sms('status', id)).toContain(
      `  delivery of ${RECIPIENTS} sent: delivered ${delivered}, read 0, undelivered ${undelivered.length}, failed 0, awaiting receipt 0\n`,
    );

    expect(await sms('report', id)).toBe(
      [
        `sending ${id}`,
        `  recipients: sent ${RECIPIENTS}`,
        `  delivery of ${RECIPIENTS} sent: delivered ${delivered}, read 0, undelivered ${undelivered.length}, failed 0, awaiting receipt 0`,
        `  failed by error code: 30003: ${undelivered.length}`,
        `  put on the kill list by receipts: quarantine:30003: ${undelivered.length}`,
        '',
      ].join('\n'),
    );

    const rows = await fresh.directory.readSnapshot(id, 0, 100);
    const csv = (await sms('report', id, '--csv')).split('\r\n');
    expect(csv[0]).toBe('seq,recipient,number,state,detail,delivery_state,error_code,updated_at,receipt_at');
    expect(csv).toHaveLength(RECIPIENTS + 2); // header, rows, the final line end
    const first = csv[1].split(',');
    const expected = table.get(`outbox:${id}:1`)!;
    expect(first.slice(0, 7)).toEqual(['1', 'b0', csvCell(maskE164(rows[0].e164)), 'sent', '', expected.state, expected.error_code ?? '']);
    expect(csv.join('\n')).not.toContain(rows[0].e164);
    const full = (await sms('report', id, '--csv', '--full-numbers')).split('\r\n');
    // A leading + is neutralized like every formula-like cell (domain/csv-cell.ts).
    expect(full[1].split(',')[2]).toBe(`'${rows[0].e164}`);

    // The quarantines are visible to an operator, who can take one back.
    const quarantined = (await sms('opt-outs', '--project', 'bulk', '--source', 'quarantine:')).trim().split('\n');
    expect(quarantined).toHaveLength(undelivered.length);
    expect(quarantined.every((line) => /^\+1514•+\d\d\tquarantine:30003\t\d{4}-/.test(line))).toBe(true);
    const [released] = JSON.parse(await sms('opt-outs', '--project', 'bulk', '--source', 'quarantine:', '--json')) as { e164: string }[];
    expect(await sms('remove-opt-out', '--project', 'bulk', released.e164)).toBe('taken off the kill list\n');
    expect((await sms('opt-outs', '--project', 'bulk', '--full-numbers')).split('\n')).not.toContainEqual(
      expect.stringContaining(released.e164),
    );
    expect((await fresh.directory.deliverySummary(id)).killListed).toEqual(
      undelivered.length > 1 ? { 'quarantine:30003': undelivered.length - 1 } : {},
    );

    const history = historyText(await env.client.client.workflow.getHandle(sendingWorkflowId(id)).fetchHistory());
    for (const row of rows) expect(history).not.toContain(row.e164.slice(1));
  }, 120_000);

  test('report of an unknown sending is refused by name', async () => {
    await expect(sms('report', 'no-such-sending')).rejects.toMatchObject({
      stderr: 'error: Unknown sending "no-such-sending": give the id create printed (list shows them).\n',
    });
  });
});
