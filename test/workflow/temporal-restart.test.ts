/**
 * The Temporal server dies (SIGKILL) in the middle of a send and while a later sending waits for its time;
 * it comes back on the same data. The worker process reconnects, the timer fires at its time, and every
 * recipient gets one message (Twilio's API: never resent when in doubt).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { SendingClient, connectClient } from '../../client/sending-client';
import type { SendingState } from '../../domain/types';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import type { SendingStatus } from '../../workflows/messages';
import { devServer, type DevServer } from '../support/dev-server';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { seedBulk } from '../support/seed';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const RECIPIENTS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a Temporal server restart', () => {
  let dir: string;
  let server: DevServer;
  let directory: Directory;
  let fake: FakeProvider;
  let worker: WorkerProcess;
  let sendings: SendingClient;
  const taskQueue = `restart-${randomUUID()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sms-restart-'));
    server = await devServer(dir);
    await server.start();
    directory = await openDirectory({ sqlitePath: join(dir, 'directory.sqlite') });
    await seedBulk(directory, 'bulk', RECIPIENTS);
    fake = await startFakeProvider();
    worker = spawnWorker({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIRECTORY_SQLITE_PATH: join(dir, 'directory.sqlite'),
      SMS_RATE_LIMIT: '0',
      SMS_CONCURRENCY: '8',
      WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
      SMS_PROVIDER: 'twilio',
      TWILIO_BASE_URL: fake.url,
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_FROM: '+15145550000',
    });
    await worker.ready;
    const client = await connectClient({ address: server.address, namespace: 'default', taskQueue });
    sendings = new SendingClient(client, taskQueue);
  }, 180_000);
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await sendings?.client.connection.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await fake?.close();
    await directory?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Polls the status, riding out the time the server is down. */
  async function waitFor(id: string, states: SendingState[], timeoutMs: number): Promise<SendingStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await sendings.status(id).catch(() => null);
      if (status && states.includes(status.state)) return status;
      if (Date.now() > deadline) throw new Error(`Sending ${id} is ${status?.state ?? 'unreachable'}, expected ${states.join(' or ')}.`);
      await sleep(250);
    }
  }

  async function approved(schedule: { mode: 'now' } | { mode: 'later'; localDateTime: string; timeZone: string }): Promise<string> {
    const { sendingId } = await sendings.create({ projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'ops');
    await sendings.prepare(sendingId, { message: 'Flash sale {{firstName}}, reply STOP to opt out', schedule }, 'ops');
    await sendings.requestApproval(sendingId, 'ops');
    await sendings.approve(sendingId, { approver: 'boss' });
    return sendingId;
  }

  function expectOnceEach(id: string, done: SendingStatus, counts: Awaited<ReturnType<Directory['progress']>>): void {
    const perNumber = new Map<string, number>();
    for (const m of fake.accepted) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber.values()].filter((n) => n > 1)).toEqual([]);
    expect(counts.sent).toBe(perNumber.size);
    expect(counts.sent + counts.unknown).toBe(RECIPIENTS);
    expect(counts.pending + counts.dispatching).toBe(0);
    expect(done.progress).toMatchObject({ sent: counts.sent, unknown: counts.unknown, total: RECIPIENTS });
    expect(id).toBeTruthy();
  }

  test('killed in the middle of a send: the send goes on once the server is back, and nobody gets a second message', async () => {
    fake.reset();
    fake.setDelay(15);
    const id = await approved({ mode: 'now' });
    await sendings.send(id, 'ops');
    while (fake.accepted.length < 80) await sleep(10);
    server.kill();
    await sleep(2000);
    await server.start();
    const done = await waitFor(id, ['completed', 'failed', 'paused'], 120_000);
    expect(done.state).toBe('completed');
    expectOnceEach(id, done, await directory.progress(id));
  }, 240_000);

  test('killed while a later sending waits for its time: it fires at that time, not before, each recipient once', async () => {
    fake.reset();
    fake.setDelay(0);
    const at = DateTime.now().setZone('America/Toronto').plus({ seconds: 25 }).startOf('second');
    const id = await approved({ mode: 'later', localDateTime: at.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: 'America/Toronto' });
    expect((await sendings.send(id, 'ops')).state).toBe('scheduled');
    await sleep(3000);
    server.kill();
    await sleep(2000);
    await server.start();
    expect((await waitFor(id, ['scheduled', 'sending', 'completed'], 30_000)).state).toBe('scheduled');
    const done = await waitFor(id, ['completed', 'failed', 'paused'], 120_000);
    expect(done.state).toBe('completed');
    expect(Math.min(...fake.accepted.map((m) => m.at))).toBeGreaterThanOrEqual(at.toMillis());
    expectOnceEach(id, done, await directory.progress(id));
  }, 240_000);
});
