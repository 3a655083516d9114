/**
 * The Durable SMS Trigger on a real n8n (pinned 2.x) with the package installed the way users install it:
 * an active workflow polling every minute (n8n's shortest) starts on a sending that completed, with its
 * delivery summary from the outbox's simulated receipts, and on a rejection; the two examples reacting
 * to events (results posted to a webhook, a quarantine notified) run; Send SMS waiting for completion
 * and for receipts outputs the summary with receiptsComplete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Directory } from '../../worker/directory/directory';
import { createOutboxProvider } from '../../worker/providers/outbox-provider';
import { receiptRecorder } from '../../worker/receipts/apply-receipt';
import { startInbox, type Inbox } from '../support/inbox';
import type { N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { ROOT } from '../support/paths';
import { ANY_HOUR, seedExampleContacts } from '../support/seed';
import type { TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const outputOf = (execution: { data?: any }, node: string, output = 0) =>
  (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[output] ?? []).map((i: { json: unknown }) => i.json);

describe('the Durable SMS Trigger on a real n8n: completed with the delivery summary, rejected, and the examples', () => {
  let stack: N8nStack;
  let directory: Directory;
  let env: TestWorker;
  let n8n: N8n;
  let inbox: Inbox;
  let credentialId: string;

  beforeAll(async () => {
    inbox = await startInbox();
    stack = await startN8nStack({
      seed: (directory) => seedExampleContacts(directory, { compliance: { ...ANY_HOUR, receipts: { quarantineAfter: 1 } } }),
      // Most messages undelivered (30003), each quarantining its number at once: both examples have work.
      worker: (directory) => ({ provider: createOutboxProvider(directory, { undeliveredShare: 0.7, record: receiptRecorder(directory) }) }),
    });
    ({ directory, env, n8n, credentialId } = stack);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await inbox?.close();
  });

  const credentials = () => ({ durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } });

  /** An example as a user imports it, wired to this test's credential and inbox. */
  function example(file: string) {
    const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
    for (const node of workflow.nodes) {
      if (node.credentials?.durableSmsTemporalApi) node.credentials = credentials();
      if (node.type === 'n8n-nodes-base.httpRequest') node.parameters.url = inbox.url;
    }
    return workflow;
  }

  /** The items of every finished execution of the workflow so far, oldest first. */
  async function itemsOf(workflowId: string, node: string): Promise<Record<string, any>[]> {
    const { data } = await n8n.api('GET', `/executions?workflowId=${workflowId}&includeData=true`);
    return (data as { status: string; data?: unknown }[])
      .filter((e) => e.status === 'success')
      .reverse()
      .flatMap((e) => outputOf(e, node));
  }

  /** `what` may be a function, to say at the deadline what the probe saw last. */
  async function until<T>(what: string | (() => string), probe: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        const said = typeof what === 'string' ? what : what();
        throw new Error(`${said}: not within ${timeoutMs} ms\n${n8n.log().split('\n').slice(-30).join('\n')}`);
      }
      await sleep(1000);
    }
  }

  async function awaitingApproval(): Promise<string> {
    const s = env.client;
    const { sendingId } = await s.create({ projectId: 'demo', audience: 'all', groups: [], duplicatePolicy: 'perNumber' }, 'paula');
    await s.prepare(sendingId, { message: 'Hi [[firstName]], -20% today. Reply STOP to opt out.', schedule: { mode: 'now' } }, 'paula');
    await s.requestApproval(sendingId, 'paula');
    return sendingId;
  }
  async function approved(): Promise<string> {
    const sendingId = await awaitingApproval();
    await env.client.approve(sendingId, { approver: 'alex' });
    return sendingId;
  }

  test('the trigger fires on completion with the summary and on a rejection; the examples post the results and the quarantines', async () => {
    // Activated before anything happens: the first poll places the cursor, so older events never arrive.
    const older = await approved();
    await env.client.cancel(older, 'before the trigger', 'test');
    await env.client.waitFor(older, ['cancelled'], { timeoutMs: 30_000 });
    const { id: triggerId } = await n8n.activate({
      name: 'Sending events',
      nodes: [
        {
          id: 'trigger',
          name: 'Durable SMS Trigger',
          type: `${PKG}.durableSmsTrigger`,
          typeVersion: 1,
          position: [0, 300],
          parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, projectId: 'demo', events: ['completed', 'rejected', 'cancelled'] },
          credentials: credentials(),
        },
      ],
      connections: {},
    });
    const { id: completedExample } = await n8n.activate(example('sending-completed-post-results.json'));
    const { id: quarantineExample } = await n8n.activate(example('number-quarantined-notify.json'));

    // Rejected first: the sending below quarantines most numbers (70% undelivered), which may leave none to prepare.
    const rejected = await awaitingApproval();
    await env.client.reject(rejected, { approver: 'alex', reason: 'wrong audience' });

    // Sent by Send SMS in n8n, waiting for completion and for receipts.
    const sent = await approved();
    const { id: sender } = await n8n.activate({
      name: 'Send and wait for receipts',
      nodes: [
        {
          id: 'hook',
          name: 'Start',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 300],
          webhookId: 'sms-events-send',
          parameters: { path: 'sms-events-send', httpMethod: 'POST', responseMode: 'onReceived' },
        },
        {
          id: 'send',
          name: 'Send SMS',
          type: `${PKG}.durableSmsSend`,
          typeVersion: 1,
          position: [200, 300],
          parameters: {
            sendingId: sent,
            waitForCompletion: true,
            waitLimitMinutes: 5,
            waitForReceipts: true,
            receiptsDeadline: 30,
            receiptsDeadlineUnit: 'seconds',
          },
          credentials: credentials(),
        },
      ],
      connections: { Start: { main: [[{ node: 'Send SMS', type: 'main', index: 0 }]] } },
    });
    await n8n.webhook('sms-events-send', {});
    const execution = await n8n.waitForExecution(sender, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    const summary = await directory.deliverySummary(sent);
    expect(summary.awaitingReceipt).toBe(0);
    expect(summary.sent).toBeGreaterThanOrEqual(5);
    expect(summary.undelivered).toBeGreaterThan(0);
    const [output] = outputOf(execution, 'Send SMS');
    expect(Object.keys(output).slice(0, 8)).toEqual(['sendingId', 'state', 'sent', 'failed', 'skipped', 'unknown', 'held', 'total']);
    expect(output).toMatchObject({
      sendingId: sent,
      state: 'completed',
      sent: summary.sent,
      delivery: {
        delivered: summary.delivered,
        undelivered: summary.undelivered,
        failed: 0,
        awaitingReceipt: 0,
        sent: summary.sent,
        failedByReason: { '30003': summary.undelivered },
      },
      receiptsComplete: true,
    });

    // The trigger's workflow: one item per event, the completed one with its delivery summary.
    let seen: Record<string, any>[] = [];
    const items = await until(
      () => `the trigger fired on both events (it had: ${JSON.stringify(seen.map((i) => i.event))})`,
      async () => {
        const all = (seen = await itemsOf(triggerId, 'Durable SMS Trigger'));
        return all.some((i) => i.event === 'completed') && all.some((i) => i.event === 'rejected') ? all : undefined;
      },
    );
    expect(items.map((i) => [i.event, i.sendingId])).toEqual([
      ['rejected', rejected],
      ['completed', sent],
    ]);
    expect(items[1]).toMatchObject({
      projectId: 'demo',
      actor: 'system',
      sent: summary.sent,
      delivery: { delivered: summary.delivered, undelivered: summary.undelivered, awaitingReceipt: 0 },
    });
    expect(items[1].at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(items[0]).toMatchObject({ projectId: 'demo', actor: 'alex', reason: 'wrong audience' });
    expect(items[0]).not.toHaveProperty('hash');

    // The examples: the results posted once, one notification per quarantined number, no number in them.
    const posts = await until('the examples posted', async () => {
      const quarantines = inbox.received.filter((m) => typeof m.text === 'string');
      const results = inbox.received.filter((m) => m.deliveryFailed !== undefined);
      return results.length === 1 && quarantines.length === summary.undelivered ? { results, quarantines } : undefined;
    });
    expect(posts.results[0]).toMatchObject({
      sendingId: sent,
      project: 'demo',
      sent: summary.sent,
      delivered: summary.delivered,
      undelivered: summary.undelivered,
      awaitingReceipt: 0,
      failedByReason: { '30003': summary.undelivered },
    });
    const recipients = new Set(
      (await directory.readDeliveryReport(sent, 0, 100)).filter((r) => r.deliveryState === 'undelivered').map((r) => r.externalId),
    );
    expect(new Set(posts.quarantines.map((m) => m.recipientId))).toEqual(recipients);
    expect(posts.quarantines[0].text).toMatch(
      /^Recipient \S+ of project demo was quarantined after 1 failed deliveries \(error 30003, sending /,
    );
    const numbers = (await directory.readSnapshot(sent, 0, 100)).map((row) => row.e164.slice(2));
    for (const number of numbers) expect(JSON.stringify([...items, ...inbox.received])).not.toContain(number);
    expect((await itemsOf(completedExample, 'Post Results')).length).toBe(1);
    expect((await itemsOf(quarantineExample, 'Notify')).length).toBe(summary.undelivered);
  }, 400_000);
});
