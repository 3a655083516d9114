/**
 * What an operator sees of sendings that pause themselves: the real worker process with WORKER_METRICS_PORT
 * sends through Twilio's API on a local endpoint that refuses three numbers, and first refuses the key (401),
 * or fails with 502s until the circuit breaker trips. Prometheus's scrape of the worker shows the SDK's
 * series and ours, equal to the provider's ledger and the directory, and the worker's log says once per
 * pause, at WARN (the default level), that the sending paused itself and why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SendingClient, connectClient } from '../../client/sending-client';
import type { Directory } from '../../worker/directory/directory';
import { openDirectory } from '../../worker/directory/open-directory';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { freePort } from '../support/n8n';
import { labelValues, sampleSum, scrape } from '../support/prometheus';
import { seedBulk } from '../support/seed';
import { TEMPORAL_ADDRESS } from '../support/temporal';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

const RECIPIENTS = 30;
const REFUSED_NUMBERS = ['+15142000003', '+15142000010', '+15142000017'];

describe("the worker's Prometheus endpoint and its WARN log (a real worker process)", () => {
  let dir: string;
  let directory: Directory;
  let provider: FakeProvider;
  let sendings: SendingClient;
  let worker: WorkerProcess | undefined;
  let metricsUrl: string;
  const taskQueue = `metrics-${randomUUID()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sms-metrics-'));
    directory = await openDirectory({ sqlitePath: join(dir, 'directory.sqlite') });
    await seedBulk(directory, 'shop', RECIPIENTS);
    provider = await startFakeProvider();
    for (const to of REFUSED_NUMBERS) provider.rejectNumber(to, 30007, 'Message filtered by the carrier');
    const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue });
    sendings = new SendingClient(client, taskQueue);
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = spawnWorker({
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIRECTORY_SQLITE_PATH: join(dir, 'directory.sqlite'),
      WORKER_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE_PATH,
      WORKER_METRICS_PORT: String(port),
      SMS_RATE_LIMIT: '0',
      SMS_CONCURRENCY: '4',
      SMS_BREAKER_FAILURES: '5',
      SMS_PROVIDER: 'twilio',
      TWILIO_BASE_URL: provider.url,
      TWILIO_ACCOUNT_SID: provider.accountSid,
      TWILIO_AUTH_TOKEN: provider.authToken,
      TWILIO_FROM: '+15145550000',
    });
    await worker.ready;
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await sendings?.client.connection.close();
    await provider?.close();
    await directory?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function approvedSending(): Promise<string> {
    const { sendingId } = await sendings.create({ projectId: 'shop', audience: 'all', groups: [], duplicatePolicy: 'perContact' }, 'paula');
    await sendings.prepare(sendingId, { message: 'Sale {{firstName}}. Reply STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    await sendings.requestApproval(sendingId, 'paula');
    await sendings.approve(sendingId, { approver: 'alex' });
    return sendingId;
  }

  /** The lines of the worker's output that say a sending paused itself. */
  const pauseLines = (id: string) =>
    worker!
      .output()
      .split('\n')
      .filter((line) => line.includes(`Sending ${id} paused itself`));

  /** Scrapes until `ready` holds for the text (the paused gauge follows the directory every few seconds). */
  async function scrapeUntil(ready: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const text = await scrape(metricsUrl);
      if (ready(text) || Date.now() > until) return text;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test('a refused key pauses the sending: the start line says where the metrics are, every outcome, provider call and interruption is counted as the provider saw it, and the pause is logged once at WARN', async () => {
    expect(worker!.output()).toContain(`metrics: ${metricsUrl}`);

    provider.failNext(100_000, 401);
    const id = await approvedSending();
    await sendings.send(id, 'paula');
    const paused = await sendings.waitFor(id, ['paused', 'completed', 'failed'], { timeoutMs: 30_000 });
    expect(paused.state).toBe('paused');

    const whilePaused = await scrapeUntil((text) => sampleSum(text, 'sms_paused_sendings') === 1);
    expect(sampleSum(whilePaused, 'sms_paused_sendings')).toBe(1);
    const refusedCalls = provider.requests.length;
    expect(refusedCalls).toBeGreaterThan(0);
    expect(sampleSum(whilePaused, 'sms_provider_call_duration_seconds_count', { result: 'account', provider: 'twilio' })).toBe(
      refusedCalls,
    );
    expect(labelValues(whilePaused, 'sms_batch_interruptions_total', 'kind')).toEqual(['account']);
    expect(sampleSum(whilePaused, 'sms_batch_interruptions_total', { kind: 'account' })).toBe(1);
    expect(sampleSum(whilePaused, 'sms_messages_total')).toBe(0);

    provider.failNext(0);
    await sendings.resume(id, 'ops');
    const done = await sendings.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    expect(provider.accepted).toHaveLength(RECIPIENTS - REFUSED_NUMBERS.length);

    const after = await scrapeUntil((text) => sampleSum(text, 'sms_paused_sendings') === 0);
    expect(sampleSum(after, 'sms_paused_sendings')).toBe(0);
    // Messages by outcome equal the provider's ledger and the directory.
    expect(sampleSum(after, 'sms_messages_total', { outcome: 'sent', provider: 'twilio' })).toBe(provider.accepted.length);
    expect(sampleSum(after, 'sms_messages_total', { outcome: 'failed', provider: 'twilio' })).toBe(REFUSED_NUMBERS.length);
    expect(labelValues(after, 'sms_messages_total', 'outcome')).toEqual(['failed', 'sent']);
    expect(await directory.progress(id)).toMatchObject({ sent: provider.accepted.length, failed: REFUSED_NUMBERS.length });
    // One latency sample per provider call, by how it ended.
    expect(sampleSum(after, 'sms_provider_call_duration_seconds_count')).toBe(provider.requests.length);
    expect(sampleSum(after, 'sms_provider_call_duration_seconds_count', { result: 'sent' })).toBe(provider.accepted.length);
    expect(sampleSum(after, 'sms_provider_call_duration_seconds_count', { result: 'rejected' })).toBe(REFUSED_NUMBERS.length);
    expect(sampleSum(after, 'sms_provider_call_duration_seconds_count', { result: 'account' })).toBe(refusedCalls);
    expect(sampleSum(after, 'sms_batch_interruptions_total', { kind: 'account' })).toBe(1);
    // The SDK's own runtime metrics come from the same endpoint.
    expect(sampleSum(after, 'temporal_activity_execution_latency_count', { activity_type: 'sendBatch' })).toBeGreaterThanOrEqual(2);
    expect(
      sampleSum(after, 'temporal_workflow_task_execution_latency_count', { workflow_type: 'smsSendingWorkflow', task_queue: taskQueue }),
    ).toBeGreaterThan(0);
    // No number and no secret in a label.
    expect(after).not.toMatch(/\+1514|fake-auth-token/);

    // The auto-pause is logged once, at WARN (the default level), with its reason; the log names no number and no secret.
    expect(pauseLines(id)).toHaveLength(1);
    expect(pauseLines(id)[0]).toMatch(
      / \[WARN\] Sending \S+ paused itself: the provider refused the account: Twilio .* refused the account/,
    );
    expect(worker!.output()).not.toMatch(/\+1514|fake-auth-token/);
  }, 120_000);

  test('502s trip the circuit breaker: the trip, the unknown messages and the failed calls are counted, the gauge follows the pause, and the pause is logged once at WARN', async () => {
    provider.failNext(100_000, 502);
    const id = await approvedSending();
    await sendings.send(id, 'paula');
    const paused = await sendings.waitFor(id, ['paused', 'completed', 'failed'], { timeoutMs: 30_000 });
    expect(paused.state).toBe('paused');
    expect(paused.pause!.reason).toContain('circuit breaker');
    const whilePaused = await scrapeUntil((text) => sampleSum(text, 'sms_paused_sendings') === 1);
    expect(sampleSum(whilePaused, 'sms_paused_sendings')).toBe(1);
    expect(sampleSum(whilePaused, 'sms_batch_interruptions_total', { kind: 'breaker' })).toBe(1);
    const failedCalls = provider.requests.filter((r) => r.status === 502).length;
    expect(failedCalls).toBeGreaterThanOrEqual(5);
    expect(sampleSum(whilePaused, 'sms_provider_call_duration_seconds_count', { result: 'transient' })).toBe(failedCalls);
    // A 502 may come after Twilio took the message: those are unknown, never resent.
    const unknown = (await directory.progress(id)).unknown;
    expect(unknown).toBeGreaterThan(0);
    expect(sampleSum(whilePaused, 'sms_messages_total', { outcome: 'unknown' })).toBe(unknown);

    provider.failNext(0);
    await sendings.resume(id, 'ops');
    const done = await sendings.waitFor(id, ['completed', 'paused', 'failed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    const after = await scrapeUntil((text) => sampleSum(text, 'sms_paused_sendings') === 0);
    expect(sampleSum(after, 'sms_paused_sendings')).toBe(0);
    // The counters run over the worker's life: both sendings, against the whole ledger.
    expect(sampleSum(after, 'sms_messages_total', { outcome: 'sent' })).toBe(provider.accepted.length);
    expect(sampleSum(after, 'sms_messages_total', { outcome: 'unknown' })).toBe(unknown);
    expect(sampleSum(after, 'sms_messages_total', { outcome: 'failed' })).toBe(REFUSED_NUMBERS.length + done.progress.failed);
    expect(sampleSum(after, 'sms_provider_call_duration_seconds_count')).toBe(provider.requests.length);
    expect(labelValues(after, 'sms_batch_interruptions_total', 'kind')).toEqual(['account', 'breaker']);

    expect(pauseLines(id)).toHaveLength(1);
    expect(pauseLines(id)[0]).toMatch(
      / \[WARN\] Sending \S+ paused itself: the provider keeps failing \(circuit breaker\): 5 provider calls in a row failed/,
    );
  }, 120_000);
});

test('a metrics port already taken stops the worker at start with the variable and the fix', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as { port: number };
  const folder = mkdtempSync(join(tmpdir(), 'sms-metrics-'));
  try {
    const worker = spawnWorker({
      TEMPORAL_ADDRESS,
      WORKER_METRICS_PORT: String(port),
      DIRECTORY_SQLITE_PATH: join(folder, 'directory.sqlite'),
    });
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain(
      `[worker] WORKER_METRICS_PORT: the metrics endpoint cannot listen on 127.0.0.1:${port} (Failed to start prometheus metrics exporter: Address already in use`,
    );
    expect(worker.output()).toContain('Choose a free port, or unset WORKER_METRICS_PORT to turn it off.');
  } finally {
    taken.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
