/**
 * Migration 13 on a directory with a message claimed before claims had leases (a `dispatching` row without
 * `lease_until`): it is still found in flight with its lease run out, and a cancel still marks it unknown.
 */
import Database from 'better-sqlite3';
import type { AudienceSelection } from '../../domain/types';
import { openDirectory } from '../../worker/directory/open-directory';
import { openFreshSqliteDirectory } from '../support/directories';
import { claimRow } from '../support/ledger';
import { seedAcme } from '../support/seed';

const everyone: AudienceSelection = { projectId: 'acme', audience: 'all', groups: [], duplicatePolicy: 'perContact' };

test('a row dispatching without a lease counts as expired after the migration, and a cancel marks it unknown', async () => {
  const fresh = await openFreshSqliteDirectory();
  try {
    await seedAcme(fresh.directory);
    await fresh.directory.createSending({ id: 'old', projectId: 'acme', selection: everyone, createdBy: 'paula', createdAt: 1 });
    await fresh.directory.prepareSnapshot('old', everyone);
    await claimRow(fresh.directory, 'old', 1);
    await fresh.directory.close();

    // The schema as version 12 left it, with the row as a claim before leases wrote it.
    const db = new Database(fresh.path);
    db.exec(`UPDATE sending_recipients SET claim_token = NULL, lease_until = NULL WHERE sending_id = 'old' AND seq = 1;
      DROP INDEX sending_recipients_in_flight;
      CREATE INDEX sending_recipients_in_flight ON sending_recipients (sending_id, lease_until) WHERE state = 'dispatching';
      DELETE FROM schema_migrations WHERE version = 13;`);
    db.close();

    const reopened = await openDirectory({ sqlitePath: fresh.path });
    try {
      const now = Date.now();
      expect(await reopened.inFlight('old', now)).toEqual({ live: 0, expired: 1, lastLeaseMs: 0 });
      expect(await reopened.abandonExpiredClaims('old', 'cancelled while in flight', now)).toBe(1);
      expect(await reopened.progress('old')).toMatchObject({ unknown: 1, dispatching: 0 });
    } finally {
      await reopened.close();
    }
  } finally {
    await fresh.close();
  }
});
