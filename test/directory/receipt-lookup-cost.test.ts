/**
 * PostgreSQL: finding the message a delivery receipt is for reads as much in a sending of 10,000 messages as
 * in one of 100. The receipts of a 10M sending each look up one message by its provider id; a plan that
 * joins through the sending's rows (its primary key: every row of the sending) made each receipt read the
 * whole sending, and the receipts benchmark fell from ~900 a second over 5,000 messages to ~400 over 50,000.
 * The plan checked is the one a long-lived connection ends with: the generic plan of the prepared statement,
 * made before autovacuum took statistics of the new rows. Counted in buffers (EXPLAIN ANALYZE).
 */
import { Client } from 'pg';
import type { Directory } from '../../worker/directory/directory';
import { MESSAGE_BY_PROVIDER_ID } from '../../worker/directory/deliveries';
import { openFreshPostgresDirectory } from '../support/directories';
import { seedBulk } from '../support/seed';

const PROJECT = 'receipts-cost';

interface PlanNode {
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
}

describe('finding a receipt’s message (postgres)', () => {
  let directory: Directory;
  let close: () => Promise<void>;
  let pg: Client;

  beforeAll(async () => {
    const fresh = await openFreshPostgresDirectory();
    ({ directory, close } = fresh);
    pg = new Client({ connectionString: fresh.url, options: `-c search_path=${fresh.schema}` });
    await pg.connect();
    await seedBulk(directory, PROJECT, 10_000);
  });
  afterAll(async () => {
    await pg?.end();
    await close?.();
  });

  /** A sending of the first `size` contacts, every message sent with the provider id `<sendingId>-<seq>`. */
  async function sentSending(sendingId: string, size: number): Promise<void> {
    const selection = { projectId: PROJECT, audience: 'all' as const, groups: [], duplicatePolicy: 'perContact' as const };
    await directory.createSending({ id: sendingId, projectId: PROJECT, selection, createdBy: 'ops', createdAt: 1 });
    await directory.prepareSnapshot(sendingId, selection);
    await pg.query('DELETE FROM sending_recipients WHERE sending_id = $1 AND seq > $2', [sendingId, size]);
  }
  const markSent = (sendingId: string) =>
    pg.query("UPDATE sending_recipients SET state = 'sent', provider_message_id = sending_id || '-' || seq WHERE sending_id = $1", [
      sendingId,
    ]);

  /** Blocks read finding the message of `providerMessageId` with the statement prepared as `find_message`. */
  async function blocksToFind(providerMessageId: string): Promise<{ found: number; blocks: number }> {
    const { rows } = await pg.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE find_message(${pg.escapeLiteral(providerMessageId)}, ${pg.escapeLiteral(PROJECT)})`,
    );
    const plan = rows[0]['QUERY PLAN'][0].Plan;
    return { found: plan['Actual Rows'], blocks: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'] };
  }

  test('a receipt of a large sending reads no more than one of a small sending', async () => {
    await sentSending('small', 100);
    await sentSending('large', 10_000);
    // No statistics yet, as before autovacuum's first ANALYZE of new rows.
    await markSent('small');
    await markSent('large');
    await pg.query('SET plan_cache_mode = force_generic_plan');
    let n = 0;
    await pg.query(`PREPARE find_message(text, text) AS ${MESSAGE_BY_PROVIDER_ID.replace(/\?/g, () => `$${++n}`)}`);

    const small = await blocksToFind('small-50');
    const large = await blocksToFind('large-5000');
    expect(small.found).toBe(1);
    expect(large.found).toBe(1);
    expect(large.blocks).toBeLessThanOrEqual(small.blocks + 3);
  });
});
