/**
 * Exactly once across a worker crash: a real worker process is killed with SIGKILL in the middle of a
 * send of 3,000 recipients, a new one takes over, and every recipient gets exactly one message.
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
import { DEFAULT_PARALLEL_BATCHES } from '../../workflows/tuning';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const RECIPIENTS = 3000;

describe.each([
  ['http', 'resent with the same idempotency key, deduped by the endpoint'],
  ['twilio', 'never resent: in-doubt messages are marked unknown'],
] as const)('SIGKILL of the worker during a send (%s provider: %s)', (providerKind, _behaviour) => {
  let dir: string;
  let directory: Directory;
  let provider: FakeProvider;
  let sendings: SendingClient;
  const taskQueue = `crash-${randomUUID()}`;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sms-crash-'));
    directory = await openDirectory({ sqlitePath: join(dir, 'directory.sqlite') });
    await seedBulk(directory, 'bulk', RECIPIENTS);
    provider = await startFakeProvider();
    provider.setDelay(4);
    const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
    sendings = new SendingClient(client, taskQueue);
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await sendings?.client.connection.close();
    await provider?.close();
    await directory?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = () => {
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIRECTORY_SQLITE_PATH: join(dir, 'directory.sqlite'),
      SMS_RATE_LIMIT: '0',
      SMS_CONCURRENCY: '16',
      // The workflow code the global setup bundled: a worker then starts in a second instead of bundling it again.
      WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
      ...(providerKind === 'http'
        ? { SMS_PROVIDER: 'http', SMS_HTTP_URL: provider.httpUrl }
        : {
            SMS_PROVIDER: 'twilio',
            TWILIO_BASE_URL: provider.url,
            TWILIO_ACCOUNT_SID: provider.accountSid,
            TWILIO_AUTH_TOKEN: provider.authToken,
            TWILIO_FROM: '+15145550000',
          }),
    };
    const w = spawnWorker(env);
    workers.push(w);
    return w;
  };

  test('every recipient gets exactly one message', async () => {
    const first = startWorker();
    await first.ready;
    // Small batches and runs: the send also goes through several continue-as-new generations.
    const tuning = { batchSize: 500, batchesPerRun: 2 };
    const { sendingId: id } = await sendings.create(
      { projectId: 'bulk', audience: 'all', groups: [], duplicatePolicy: 'perContact' },
      'ops',
      { tuning },
    );
    await sendings.prepare(id, { message: 'Flash sale {{firstName}}', schedule: { mode: 'now' } }, 'ops');
    await sendings.requestApproval(id, 'ops');
    await sendings.approve(id, { approver: 'boss' });
    await sendings.send(id, 'ops');

    // Kill in the middle of a batch (1,250 = half-way through the third), with messages in flight.
    while (provider.accepted.length < 2.5 * tuning.batchSize) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = provider.accepted.length;
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = startWorker();
    await second.ready;
    const done = await sendings.waitFor(id, ['completed', 'failed'], { timeoutMs: 120_000 });
    expect(done.state).toBe('completed');

    // SIGTERM drains the worker and it exits cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const perNumber = new Map<string, number>();
    for (const m of provider.accepted) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    const progress = await directory.progress(id);
    expect(progress.pending + progress.dispatching).toBe(0);
    expect(done.progress.total).toBe(RECIPIENTS);
    // A run ends after `batchesPerRun` batches and the ones still in flight then (up to parallelBatches - 1 more).
    const batchesPerRunAtMost = tuning.batchesPerRun + DEFAULT_PARALLEL_BATCHES - 1;
    expect(done.runs).toBeGreaterThanOrEqual(Math.ceil(RECIPIENTS / tuning.batchSize / batchesPerRunAtMost) - 1);
    if (providerKind === 'http') {
      // Idempotent provider: nobody is left out.
      expect(perNumber.size).toBe(RECIPIENTS);
      expect(done.progress.sent).toBe(RECIPIENTS);
      // The messages in flight at the kill were sent again with their key and answered from the endpoint's cache.
      expect(provider.requests.filter((r) => r.replayed).length).toBeGreaterThan(0);
    } else {
      // Not idempotent: what was in flight at the kill is `unknown`, everything else sent once.
      expect(progress.sent + progress.unknown).toBe(RECIPIENTS);
      expect(perNumber.size).toBeGreaterThanOrEqual(progress.sent);
      expect(perNumber.size).toBeLessThanOrEqual(RECIPIENTS);
      expect(done.progress.sent).toBe(progress.sent);
      expect(progress.unknown).toBeGreaterThan(0);
      // At most what was in flight: SMS_CONCURRENCY per batch, DEFAULT_PARALLEL_BATCHES batches at once.
      expect(progress.unknown).toBeLessThanOrEqual(16 * DEFAULT_PARALLEL_BATCHES);
    }
  }, 240_000);
});
