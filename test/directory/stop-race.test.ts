/**
 * A pause or cancel is final for claims: once `stopDispatch` has returned, no claim commits, even one
 * that was already running in another worker when the stop was written. The workflow relies on it to
 * know, after recording a stop, which messages can still be in flight.
 */
import type { AudienceSelection } from '../../domain/types';
import type { Directory, SnapshotRow } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import { openFreshPostgresDirectory, openFreshSqliteDirectory, type StoreKind } from '../support/directories';
import { seedBulk } from '../support/seed';

const PROJECT = 'race';
const SENDING = 'stop-race';
const LANES = 16;
const ROUNDS = 12;
const everyone: AudienceSelection = { projectId: PROJECT, audience: 'all', groups: [], duplicatePolicy: 'perContact' };

async function openTwoWorkers(store: StoreKind): Promise<{ claimer: Directory; stopper: Directory; close: () => Promise<void> }> {
  if (store === 'sqlite') {
    const fresh = await openFreshSqliteDirectory();
    const stopper = await openDirectory({ sqlitePath: fresh.path });
    return { claimer: fresh.directory, stopper, close: async () => (await stopper.close(), await fresh.close()) };
  }
  const fresh = await openFreshPostgresDirectory();
  const stopper = await openDirectory({ url: fresh.url, schema: fresh.schema });
  return { claimer: fresh.directory, stopper, close: async () => (await stopper.close(), await fresh.close()) };
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('stopping a dispatch while claims run (%s)', (store) => {
  let claimer: Directory;
  let stopper: Directory;
  let close: () => Promise<void>;
  let rows: SnapshotRow[];

  beforeAll(async () => {
    ({ claimer, stopper, close } = await openTwoWorkers(store));
    await seedBulk(claimer, PROJECT, 3000);
    await claimer.createSending({ id: SENDING, projectId: PROJECT, selection: everyone, createdBy: 'paula', createdAt: 1 });
    await claimer.prepareSnapshot(SENDING, everyone);
    rows = await claimer.readSnapshot(SENDING, 0, 3000);
  });
  afterAll(() => close());

  const dispatching = async () => (await stopper.progress(SENDING)).dispatching;

  test('once stopDispatch returns, no claim of another worker commits after it', async () => {
    let next = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      let running = true;
      // Another worker's lanes claim rows back to back while this one writes the stop.
      const lanes = Array.from({ length: LANES }, async () => {
        while (running && next < rows.length) {
          const row = rows[next++];
          const outcome = await claimer.claimDispatch(
            { sendingId: SENDING, seq: row.seq, projectId: PROJECT, contactId: row.contactId, e164: row.e164 },
            { token: `round-${round}`, leaseUntilMs: Date.now() + 60_000 },
          );
          if (outcome === 'stopped') return;
        }
      });
      const from = next;
      while (next < from + 20 + round * 5) await new Promise((resolve) => setImmediate(resolve));
      expect(next).toBeLessThan(rows.length - LANES);
      await stopper.stopDispatch(SENDING, { kind: 'paused', reason: `round ${round}`, atMs: round });
      const atStop = await dispatching();
      running = false;
      await Promise.all(lanes);
      expect({ round, dispatching: await dispatching() }).toEqual({ round, dispatching: atStop });
      await stopper.resumeDispatch(SENDING);
    }
  });
});
