/**
 * A proof send from an approver, through the provider's API on a local endpoint: the prepared message for a
 * sample recipient reaches the approver's own phone, marked as a test, outside the sending's counts, in the
 * audit log with the number masked; limited per approver; only for named approvers with a phone.
 */
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { sendingWorkflowId } from '../../workflows/messages';
import { openFreshSqliteDirectory, type FreshDirectory } from '../support/directories';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { fakeTwilioConfig } from '../support/fake-twilio-config';
import { historyText } from '../support/history-text';
import { ANY_HOUR, seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

describe('proof send', () => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let fake: FakeProvider;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshSqliteDirectory();
    directory = fresh.directory;
    await seedAcme(directory);
    await directory.upsertProject({
      id: 'acme',
      name: 'Acme',
      compliance: {
        ...ANY_HOUR,
        approval: {
          approvers: [
            { email: 'alex@example.com', name: 'Alex Martin', phone: '+15145550190' },
            { email: 'bea@example.com', name: 'Béa Roy' },
          ],
        },
      },
    });
    fake = await startFakeProvider();
    const provider = createProvider(fakeTwilioConfig(fake), { outboxStore: directory });
    env = await startTestWorker({ directory, provider });
  });
  afterAll(async () => {
    await env?.stop();
    await fake?.close();
    await fresh?.close();
  });

  test("the approver gets the first recipient's message marked as a test; the sending's counts and snapshot do not change", async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(
      { projectId: 'acme', audience: 'groups', groups: ['vip', 'newsletter'], duplicatePolicy: 'perContact' },
      'paula',
    );
    await s.prepare(id, { message: 'Hi {{firstName}}, -20% today. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await expect(s.proofSend(id, { approver: 'alex@example.com', established: 'signedLink' })).rejects.toThrow(
      /proof-send is possible when it is awaiting_approval/,
    );
    await s.requestApproval(id, 'paula');

    const proof = await s.proofSend(id, { approver: 'ALEX@example.com', established: 'signedLink' });
    expect(proof).toEqual({ sentTo: '+1514•••••90', sampleSeq: 1, left: 2 });
    expect(fake.accepted.map((m) => [m.to, m.body])).toEqual([['+15145550190', '[TEST] Hi Ana, -20% today. STOP to opt out']]);
    const status = await s.status(id);
    expect(status.progress).toMatchObject({ sent: 0, total: 0 });
    expect((await directory.progress(id)).sent).toBe(0);
    const entry = (await directory.readAudit(id)).find((a) => a.action === 'proof_sent');
    expect(entry).toMatchObject({
      actor: 'ALEX@example.com',
      detail: { sentTo: '+1514•••••90', sampleSeq: 1, test: true, established: 'signedLink' },
    });
    // The approver's number never reaches Temporal.
    expect(historyText(await s.client.workflow.getHandle(sendingWorkflowId(id)).fetchHistory())).not.toContain('5145550190');

    await s.proofSend(id, { approver: 'alex@example.com' });
    expect((await s.proofSend(id, { approver: 'alex@example.com' })).left).toBe(0);
    await expect(s.proofSend(id, { approver: 'alex@example.com' })).rejects.toThrow(
      'alex@example.com has had the 3 proof sends of this approval round.',
    );
    await expect(s.proofSend(id, { approver: 'zoe@example.com' })).rejects.toThrow(/not one of the approvers/);
    await expect(s.proofSend(id, { approver: 'bea@example.com' })).rejects.toThrow(
      /bea@example.com has no phone in the project's settings/,
    );
    expect(fake.accepted).toHaveLength(3);

    // Approved and sent: the proofs were never part of it.
    await s.approve(id, { approver: 'bea@example.com' });
    await s.send(id, 'paula');
    const done = await s.waitFor(id, ['completed'], { timeoutMs: 30_000 });
    expect(done.progress).toMatchObject({ total: 3, sent: 3 });
    expect(fake.accepted.filter((m) => m.to === '+15145550190')).toHaveLength(3);
  });
});
