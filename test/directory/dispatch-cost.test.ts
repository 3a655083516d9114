/**
 * PostgreSQL: the work of a dispatch call (`dispatch_step`: settles and claims) per message stays the same
 * from a sending's first message to its last. Each message's row is found by its key; a plan that scans the
 * rows in flight instead reads every row version a sending has claimed so far (dead until vacuumed), so a
 * settle got slower through every sending (0.19 → 0.84 ms over 10,000 messages in the send benchmark);
 * one that scans the table reads all of it at every call. Counted in buffers the calls read (EXPLAIN
 * ANALYZE) and seen in the plans of the statements inside the functions (auto_explain), not in time.
 */
import type { Client } from 'pg';
import type { Directory, SnapshotRow } from '../../worker/directory/directory';
import { openSeededPostgres, planCost } from '../support/plan-cost';

const PROJECT = 'cost';
const RECIPIENTS = 10_000;
const GROUP = 8;

describe('dispatch cost per message (postgres)', () => {
  let directory: Directory;
  let pg: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, pg, close } = await openSeededPostgres(PROJECT, RECIPIENTS));
  });
  afterAll(() => close?.());

  /** One dispatch call as the worker makes it, and the buffers it read. */
  const step = (settles: unknown[][], claims: unknown[][]) =>
    planCost(pg, 'SELECT * FROM dispatch_step(CAST($1 AS json), CAST($2 AS json), $3)', [
      JSON.stringify(settles),
      JSON.stringify(claims),
      Date.now(),
    ]);

  /** A sending of the whole audience with its snapshot made: its first `size` rows. */
  async function snapshotOf(sendingId: string, size: number): Promise<SnapshotRow[]> {
    const selection = { projectId: PROJECT, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    await directory.createSending({ id: sendingId, projectId: PROJECT, selection, createdBy: 'ops', createdAt: 1 });
    await directory.prepareSnapshot(sendingId, selection);
    return directory.readSnapshot(sendingId, 0, size);
  }
  /** A row's claim and settle as the worker's lines of a dispatch call (dispatch.ts). */
  const claimOf = (sendingId: string) => (row: SnapshotRow) => [
    sendingId,
    row.seq,
    PROJECT,
    row.e164,
    Number(row.contactId),
    `t${row.seq}`,
    Date.now() + 60_000,
  ];
  const settleOf = (sendingId: string) => (row: SnapshotRow) => [sendingId, row.seq, `t${row.seq}`, 'sent', `SM${row.seq}`];

  test('a call reads as much at the end of a sending as at its start, whatever the statistics say', async () => {
    const snapshot = await snapshotOf('cost-1', RECIPIENTS);

    // No vacuum during the sending (the row versions it leaves stay), and statistics taken while messages are
    // in flight (as autovacuum's ANALYZE may take them at any moment, here with 4 batches of 50 lanes each).
    await pg.query('ALTER TABLE sending_recipients SET (autovacuum_enabled = false)');
    const early = snapshot.slice(0, 200);
    expect((await step([], early.map(claimOf('cost-1')))).rows).toBe(early.length);
    await pg.query('ANALYZE sending_recipients');

    const blocks: number[] = [];
    let inFlight = early;
    for (let start = early.length; start < snapshot.length + GROUP; start += GROUP) {
      const next = snapshot.slice(start, start + GROUP);
      const call = await step(inFlight.map(settleOf('cost-1')), next.map(claimOf('cost-1')));
      expect(call.rows).toBe(inFlight.length + next.length);
      if (inFlight.length === GROUP && next.length === GROUP) blocks.push(call.blocks);
      inFlight = next;
    }
    expect(await directory.progress('cost-1')).toMatchObject({ sent: RECIPIENTS });

    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const first = mean(blocks.slice(0, 50));
    const last = mean(blocks.slice(-50));
    expect(last).toBeLessThan(first * 1.5);
  });

  test("each message's row is found by its key, with statistics taken while none was in flight", async () => {
    const rows = await snapshotOf('cost-2', GROUP);
    // Nothing of the table is `dispatching` now: a plan left to these statistics expects no row in that state.
    await pg.query('ANALYZE sending_recipients');

    const plans: string[] = [];
    const onNotice = (notice: { message?: string }) => plans.push(notice.message ?? '');
    await pg.query("LOAD 'auto_explain'");
    await pg.query('SET auto_explain.log_min_duration = 0');
    await pg.query('SET auto_explain.log_nested_statements = on');
    await pg.query('SET client_min_messages = log');
    pg.on('notice', onNotice);
    try {
      expect((await step([], rows.map(claimOf('cost-2')))).rows).toBe(GROUP);
      expect((await step(rows.map(settleOf('cost-2')), [])).rows).toBe(GROUP);
    } finally {
      pg.off('notice', onNotice);
      await pg.query('RESET client_min_messages');
      await pg.query('RESET auto_explain.log_min_duration');
    }

    const updates = plans.filter((plan) => /^\s*Update on sending_recipients/m.test(plan));
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const plan of updates) {
      expect(plan).not.toMatch(/Seq Scan on sending_recipients/);
      expect(plan).toMatch(/Index Scan using sending_recipients_pkey on sending_recipients/);
    }
  });
});
