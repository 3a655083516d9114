/**
 * PostgreSQL: finding the message a delivery receipt is for reads as much in a sending of 10,000 messages as
 * in one of 100. The receipts of a 10M sending each look up one message by its provider id; a plan that
 * joins through the sending's rows (its primary key: every row of the sending) made each receipt read the
 * whole sending, and the receipts benchmark fell from ~900 a second over 5,000 messages to ~400 over 50,000.
 * The plan checked is the one a long-lived connection ends with: the generic plan of the prepared statement,
 * made before autovacuum took statistics of the new rows. Counted in buffers (EXPLAIN ANALYZE).
 */
import type { Client } from 'pg';
import type { Directory } from '../../worker/directory/directory';
import { MESSAGE_BY_PROVIDER_ID } from '../../worker/directory/deliveries';
import { openSeededPostgres, planCost } from '../support/plan-cost';

const PROJECT = 'receipts-cost';

describe('finding a receipt’s message (postgres)', () => {
  let directory: Directory;
  let pg: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ directory, pg, close } = await openSeededPostgres(PROJECT, 10_000));
  });
  afterAll(() => close?.());

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

  /** Finding the message of `providerMessageId` with the statement prepared as `find_message`: rows found, buffers read. */
  const find = (providerMessageId: string) =>
    planCost(pg, `EXECUTE find_message(${pg.escapeLiteral(providerMessageId)}, ${pg.escapeLiteral(PROJECT)})`);

  test('a receipt of a large sending reads no more than one of a small sending', async () => {
    await sentSending('small', 100);
    await sentSending('large', 10_000);
    // No statistics yet, as before autovacuum's first ANALYZE of new rows.
    await markSent('small');
    await markSent('large');
    await pg.query('SET plan_cache_mode = force_generic_plan');
    let n = 0;
    await pg.query(`PREPARE find_message(text, text) AS ${MESSAGE_BY_PROVIDER_ID.replace(/\?/g, () => `$${++n}`)}`);

    const small = await find('small-50');
    const large = await find('large-5000');
    expect(small.rows).toBe(1);
    expect(large.rows).toBe(1);
    expect(large.blocks).toBeLessThanOrEqual(small.blocks + 3);
  });
});
