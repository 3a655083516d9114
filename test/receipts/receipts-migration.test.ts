/** Migration 8 on a directory that sent messages before it: their provider ids (kept in `detail`) take receipts. */
import Database from 'better-sqlite3';
import type { AudienceSelection } from '../../domain/types';
import { openDirectory } from '../../worker/directory/open-directory';
import { openFreshSqliteDirectory } from '../support/directories';
import { sendRow } from '../support/ledger';
import { seedAcme } from '../support/seed';

const everyone: AudienceSelection = { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

test('messages sent before the migration get their provider id from detail, and their receipts apply', async () => {
  const fresh = await openFreshSqliteDirectory();
  try {
    await seedAcme(fresh.directory);
    await fresh.directory.createSending({ id: 'old', projectId: 'acme', selection: everyone, createdBy: 'paula', createdAt: 1 });
    await fresh.directory.prepareSnapshot('old', everyone);
    await sendRow(fresh.directory, 'old', 1, 'SMold0001');
    await fresh.directory.close();

    // The schema as version 7 left it, with the sent row as it was written then.
    const db = new Database(fresh.path);
    db.exec(`DROP INDEX sending_recipients_by_provider_id;
      ALTER TABLE sending_recipients DROP COLUMN provider_message_id;
      DROP TABLE delivery_receipts;
      DELETE FROM schema_migrations WHERE version = 8;`);
    db.close();

    const reopened = await openDirectory({ sqlitePath: fresh.path });
    try {
      expect(await reopened.recordDelivery('acme', { providerMessageId: 'SMold0001', state: 'delivered' })).toEqual({
        outcome: 'applied',
        message: { sendingId: 'old', seq: 1, e164: (await reopened.readSnapshot('old', 0, 1))[0].e164 },
      });
      expect(await reopened.deliverySummary('old')).toMatchObject({ sent: 1, delivered: 1, awaitingReceipt: 0 });
    } finally {
      await reopened.close();
    }
  } finally {
    await fresh.close();
  }
});
