/** Approval governance on the real dev server: four eyes, N approvals, approvals bound to a hash, expiry, the audit log. */
import { DateTime } from 'luxon';
import type { AudienceSelection } from '../../domain/types';
import type { Directory } from '../../worker/directory/directory';
import { openFreshDirectory } from '../support/directories';
import { ANY_HOUR, seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const vip = (projectId = 'acme'): AudienceSelection => ({ projectId, audience: 'groups', groups: ['vip'], duplicatePolicy: 'perContact' });
const localIn = (zone: string, secondsAhead: number) =>
  DateTime.now().setZone(zone).plus({ seconds: secondsAhead }).toFormat("yyyy-MM-dd'T'HH:mm:ss");

describe('approval governance', () => {
  let directory: Directory;
  let closeDirectory: () => Promise<void>;
  let env: TestWorker;

  beforeAll(async () => {
    ({ directory, close: closeDirectory } = await openFreshDirectory('sqlite'));
    await seedAcme(directory);
    await seedAcme(directory, 'two-approvers');
    await directory.upsertProject({
      id: 'two-approvers',
      name: 'Two approvers',
      compliance: { ...ANY_HOUR, approval: { approvalsRequired: 2 } },
    });
    await seedAcme(directory, 'solo');
    await directory.upsertProject({ id: 'solo', name: 'Solo', compliance: { ...ANY_HOUR, approval: { allowSelfApproval: true } } });
    await seedAcme(directory, 'hasty');
    await directory.upsertProject({ id: 'hasty', name: 'Hasty', compliance: { ...ANY_HOUR, approval: { expiresAfterHours: 3 / 3600 } } });
    await seedAcme(directory, 'named');
    await directory.upsertProject({
      id: 'named',
      name: 'Named approvers',
      compliance: {
        ...ANY_HOUR,
        approval: {
          approvalsRequired: 2,
          requireNamedApprovers: true,
          approvers: [
            { email: 'alex@example.com', name: 'Alex Martin', phone: '+15145550190' },
            { email: 'bea@example.com', name: 'Béa Roy' },
            { email: 'paula@example.com', name: 'Paula Durand' },
          ],
        },
      },
    });
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await closeDirectory?.();
  });

  async function awaitingApproval(projectId = 'acme', schedule: 'now' | 'later' = 'now'): Promise<string> {
    const s = env.client;
    const { sendingId } = await s.create(vip(projectId), 'paula');
    await s.prepare(
      sendingId,
      {
        message: 'Hi {{firstName}}. STOP to opt out',
        schedule:
          schedule === 'now'
            ? { mode: 'now' }
            : { mode: 'later', localDateTime: localIn('America/Toronto', 3600), timeZone: 'America/Toronto' },
      },
      'paula',
    );
    await s.requestApproval(sendingId, 'paula');
    return sendingId;
  }

  test('the preparer cannot approve their own sending by default; another person can', async () => {
    const id = await awaitingApproval();
    await expect(env.client.approve(id, { approver: 'Paula ' })).rejects.toThrow(
      /paula prepared sending .* and cannot approve it too: another person must approve it/i,
    );
    // Invisible characters, fullwidth letters or case do not make another person.
    await expect(env.client.approve(id, { approver: 'paula\u200b' })).rejects.toThrow(/cannot approve it too/);
    await expect(env.client.approve(id, { approver: 'Ｐａｕｌａ' })).rejects.toThrow(/cannot approve it too/);
    expect((await env.client.status(id)).state).toBe('awaiting_approval');
    expect((await env.client.approve(id, { approver: 'alex' })).state).toBe('approved');
  });

  test('named approvers: only they approve, each through their signed link, each once; the preparer is still not one of the two', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(vip('named'), 'paula@example.com');
    const prepared = await s.prepare(id, { message: 'Hi {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula@example.com');
    // The approvers' phones stay in the directory: what the workflow holds is in Temporal's history.
    expect(prepared.prepared?.approvalRules.approvers).toEqual([
      { email: 'alex@example.com', name: 'Alex Martin', hasPhone: true },
      { email: 'bea@example.com', name: 'Béa Roy', hasPhone: false },
      { email: 'paula@example.com', name: 'Paula Durand', hasPhone: false },
    ]);
    await s.requestApproval(id, 'paula@example.com');
    await expect(s.approve(id, { approver: 'alex@example.com' })).rejects.toThrow(
      /takes approvals only through the link sent to each approver/,
    );
    await expect(s.approve(id, { approver: 'alex@example.com', established: 'operator' })).rejects.toThrow(/only through the link/);
    await expect(s.approve(id, { approver: 'zoe@example.com', established: 'signedLink' })).rejects.toThrow(
      /zoe@example.com is not one of the approvers of this project/,
    );
    await expect(s.approve(id, { approver: 'PAULA@example.com', established: 'signedLink' })).rejects.toThrow(
      /prepared sending .* cannot approve it too/,
    );
    expect((await s.approve(id, { approver: 'alex@example.com', established: 'signedLink' })).state).toBe('awaiting_approval');
    await expect(s.approve(id, { approver: 'Alex@Example.com\u200b', established: 'signedLink' })).rejects.toThrow(/already approved/);
    const done = await s.approve(id, { approver: 'bea@example.com', established: 'signedLink' });
    expect(done.state).toBe('approved');
    expect(done.approvals.map((a) => [a.approver, a.established])).toEqual([
      ['alex@example.com', 'signedLink'],
      ['bea@example.com', 'signedLink'],
    ]);
    const audit = await directory.readAudit(id);
    expect(audit.filter((a) => a.action === 'approved').map((a) => a.detail?.established)).toEqual(['signedLink', 'signedLink']);
    expect(audit.find((a) => a.action === 'prepared')?.detail?.established).toBe('selfDeclared');
  });

  test('a project that allows self-approval lets the preparer approve', async () => {
    const id = await awaitingApproval('solo');
    expect((await env.client.approve(id, { approver: 'paula' })).state).toBe('approved');
  });

  test('N approvals: each approver counts once, the sending is approved at the Nth', async () => {
    const id = await awaitingApproval('two-approvers');
    const first = await env.client.approve(id, { approver: 'alex', comment: 'text ok' });
    expect(first).toMatchObject({
      state: 'awaiting_approval',
      approvals: [{ approver: 'alex', comment: 'text ok', hash: first.approvalHash }],
    });
    await expect(env.client.send(id, 'paula')).rejects.toThrow(/is not approved \(it is awaiting_approval\)/);
    await expect(env.client.approve(id, { approver: 'ALEX' })).rejects.toThrow(
      /ALEX has already approved .* 2 different approvers are needed/,
    );
    await expect(env.client.approve(id, { approver: 'al\u200dex\u2060' })).rejects.toThrow(/already approved/);
    const second = await env.client.approve(id, { approver: 'bea' });
    expect(second).toMatchObject({ state: 'approved', approval: { approver: 'bea' } });
    expect(second.approvals.map((a) => a.approver)).toEqual(['alex', 'bea']);
  });

  test('approving needs a pending request', async () => {
    const { sendingId: id } = await env.client.create(vip(), 'paula');
    await env.client.prepare(id, { message: 'Hi. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await expect(env.client.approve(id, { approver: 'alex' })).rejects.toThrow(
      /No approval has been requested for sending .*: request approval first/,
    );
  });

  test('a reschedule after approval voids it: back to approval, the old hash is refused, a new approval is needed', async () => {
    const s = env.client;
    const id = await awaitingApproval('acme', 'later');
    const approved = await s.approve(id, { approver: 'alex' });
    const approvedHash = approved.approvalHash!;
    expect(approved.state).toBe('approved');
    expect((await s.send(id, 'paula')).state).toBe('scheduled');

    const moved = await s.reschedule(
      id,
      { mode: 'later', localDateTime: localIn('America/Toronto', 7200), timeZone: 'America/Toronto' },
      'paula',
    );
    expect(moved).toMatchObject({ state: 'awaiting_approval', approvals: [], approval: null, sendAtMs: null });
    expect(moved.approvalHash).not.toBe(approvedHash);
    expect(moved.approvalRequest).toMatchObject({ requestedBy: 'paula', hash: moved.approvalHash, expiredAtMs: null });
    await expect(s.send(id, 'paula')).rejects.toThrow(/is not approved \(it is awaiting_approval\)/);
    await expect(s.approve(id, { approver: 'alex', hash: approvedHash })).rejects.toThrow(/changed after you saw it/);

    const again = await s.approve(id, { approver: 'alex', hash: moved.approvalHash! });
    expect(again.state).toBe('approved');
    await s.cancel(id, 'test over', 'paula');
    expect(await directory.readOutbox(id)).toHaveLength(0);
  });

  test('a pending approval expires (project setting); an expired request cannot be approved', async () => {
    const id = await awaitingApproval('hasty');
    const pending = await env.client.status(id);
    expect(pending.approvalRequest!.expiresAtMs - pending.approvalRequest!.atMs).toBe(3000);
    const expired = await env.client.waitFor(id, ['prepared'], { timeoutMs: 20_000 });
    expect(expired.approvalRequest).toMatchObject({ expiredAtMs: expect.any(Number) });
    expect(expired.approvalRequest!.expiredAtMs!).toBeGreaterThanOrEqual(pending.approvalRequest!.expiresAtMs);
    await expect(env.client.approve(id, { approver: 'alex' })).rejects.toThrow(
      /expired at .*; an expired request cannot be approved. Request approval again/,
    );
    await expect(env.client.send(id, 'paula')).rejects.toThrow(/is not approved \(it is prepared\)/);
    const renewed = await env.client.requestApproval(id, 'paula');
    expect((await env.client.approve(id, { approver: 'alex', hash: renewed.approvalHash! })).state).toBe('approved');
  });

  test('a pending approval expires at the latest at the scheduled time', async () => {
    const s = env.client;
    const { sendingId: id } = await s.create(vip(), 'paula');
    const prepared = await s.prepare(
      id,
      {
        message: 'Hi. STOP to opt out',
        schedule: { mode: 'later', localDateTime: localIn('America/Toronto', 600), timeZone: 'America/Toronto' },
      },
      'paula',
    );
    const requested = await s.requestApproval(id, 'paula');
    expect(requested.approvalRequest!.expiresAtMs).toBe(prepared.prepared!.sendAtMs);
  });

  test('every action goes to the audit log with who, when, what and the hash; the status holds it too', async () => {
    const s = env.client;
    const id = await awaitingApproval();
    await s.approve(id, { approver: 'paula' }).catch(() => undefined);
    await s.approve(id, { approver: 'alex' });
    await s.send(id, 'paula');
    const done = await s.waitFor(id, ['completed'], { timeoutMs: 30_000 });
    const hash = done.approvalHash;
    const log = await directory.readAudit(id);
    expect(log.map((a) => `${a.action}:${a.actor}`)).toEqual([
      'selected:paula',
      'prepared:paula',
      'approval_requested:paula',
      'approved:alex',
      'send_requested:paula',
      'completed:system',
    ]);
    for (const action of ['prepared', 'approval_requested', 'approved', 'send_requested']) {
      expect(log.find((a) => a.action === action)?.detail).toMatchObject({ hash });
    }
    expect(log.every((a) => a.at > 0)).toBe(true);
    expect(done.audit.map((a) => `${a.action}:${a.actor}`)).toEqual(log.map((a) => `${a.action}:${a.actor}`));
  });
});
