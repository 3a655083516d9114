/**
 * A worker that goes away in the middle of its work. Stopped with SIGTERM during a send (a deploy, a
 * scale-down): it stops starting messages, settles the ones in flight and exits; the batch runs again on
 * the next worker; the sending neither pauses nor sends anyone twice. Killed during a short directory
 * step: the step runs again on another worker within its heartbeat timeout, not its 10-minute limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SendingClient, connectClient } from '../../client/sending-client';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { seedBulk } from '../support/seed';
import { TEMPORAL_ADDRESS } from '../support/temporal';
import { startWriteLockHolder } from '../support/write-lock';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const RECIPIENTS = 300;

describe('a worker that goes away', () => {
  let dir: string;
  let directory: Directory;
  let fake: FakeProvider;
  let sendings: SendingClient;
  const taskQueue = `drain-${randomUUID()}`;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sms-drain-'));
    directory = await openDirectory({ sqlitePath: join(dir, 'directory.sqlite') });
    await seedBulk(directory, 'bulk', RECIPIENTS);
    fake = await startFakeProvider();
    fake.setDelay(40);
    sendings = new SendingClient(await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue }), taskQueue);
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await sendings?.client.connection.close();
    await fake?.close();
    await directory?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = spawnWorker({
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIRECTORY_SQLITE_PATH: join(dir, 'directory.sqlite'),
      SMS_RATE_LIMIT: '0',
      SMS_CONCURRENCY: '8',
      WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
      SMS_PROVIDER_TIMEOUT_MS: '3000',
      SMS_PROVIDER: 'twilio',
      TWILIO_BASE_URL: fake.url,
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_FROM: '+15145550000',
    });
    workers.push(worker);
    await worker.ready;
    return worker;
  };

  test('it exits within the provider time-out; the next worker finishes the send; nobody twice, nobody paused', async () => {
    const first = await startWorker();
    const { sendingId: id } = await sendings.create(
      { projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'ops',
    );
    await sendings.prepare(id, { message: 'Sale {{firstName}}, reply STOP to opt out', schedule: { mode: 'now' } }, 'ops');
    await sendings.requestApproval(id, 'ops');
    await sendings.approve(id, { approver: 'boss' });
    await sendings.send(id, 'ops');
    await fake.waitForAccepted(60, 30_000);
    const stopAsked = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(3000 + 5000);
    const atStop = fake.accepted.length;
    expect(atStop).toBeLessThan(RECIPIENTS);

    await startWorker();
    const done = await sendings.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 120_000 });
    expect(done.state).toBe('completed');
    const perNumber = new Map<string, number>();
    for (const m of fake.accepted) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber.values()].filter((n) => n > 1)).toEqual([]);
    // Drained, not killed: the messages in flight were answered, so nobody is in doubt.
    expect(done.progress).toMatchObject({ total: RECIPIENTS, sent: RECIPIENTS, unknown: 0 });
    expect((await directory.readAudit(id)).map((a) => a.action)).not.toContain('paused');
  }, 180_000);

  test('killed (SIGKILL) while a directory step waits for a lock: another worker runs the step within its heartbeat timeout', async () => {
    for (const w of workers.splice(0)) w.child.kill('SIGKILL');
    const doomed = await startWorker();
    const holder = await startWriteLockHolder(join(dir, 'directory.sqlite'));
    try {
      const lock = await holder.hold(6000);
      const asked = Date.now();
      // Creating a sending writes to the directory: the step waits for the lock on the doomed worker.
      const created = sendings.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await startWorker();
      await lock.released;
      const status = await created;
      expect(status.state).toBe('draft');
      expect(status.lastCount?.messages).toBe(RECIPIENTS);
      // The 30 s heartbeat timeout, the retry, and the lock: well under the step's 10-minute limit.
      expect(Date.now() - asked).toBeLessThan(60_000);
    } finally {
      await holder.stop();
    }
  }, 120_000);
});
