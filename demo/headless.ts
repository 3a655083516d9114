/**
 * `npm run demo`: the demo end to end without a browser, against the running stack — starts the example
 * workflow in n8n (Select Recipients → Count → Prepare → Request Approval), takes the approval link from
 * the approval inbox, approves on the approval page as a browser would post its form, waits for Send SMS,
 * prints the delivery summary (with the outbox's simulated receipts) and where to see the messages. Exits 0 only when every message was sent.
 */
import { SendingClient, connectClient } from '../client/sending-client';
import { formatCount, formatProgress } from '../cli/format';
import { openDirectory } from '../worker/directory/open-directory';
import { linksOf, type ApprovalRequest } from './approval-inbox';
import { PROCESS_EXAMPLE, readDemoState } from './n8n-setup';
import { demoStackSettings } from './stack-settings';

const settings = demoStackSettings(process.env);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const step = (text: string) => process.stdout.write(`[demo] ${text}\n`);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: nothing after ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

async function approvals(): Promise<ApprovalRequest[]> {
  return (await fetch(`${settings.approvalInboxUrl}/approvals.json`)).json() as Promise<ApprovalRequest[]>;
}

/** The approval page's Approve form, posted the way a browser posts it. */
async function approveOnPage(approvalUrl: string, approver: string): Promise<void> {
  const page = await (await fetch(approvalUrl)).text();
  if (!page.includes('Approve this SMS sending?')) throw new Error(`the approval page did not offer a decision:\n${page.slice(0, 500)}`);
  // The form holding the Approve button (name="decision" value="approve").
  const action = /<form method="post" action="([^"]+)">(?:(?!<\/form>)[\s\S])*name="decision" value="approve"/
    .exec(page)?.[1]
    ?.replace(/&amp;/g, '&');
  if (!action) throw new Error('the approval page has no Approve form');
  const answer = await fetch(new URL(action, approvalUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ decision: 'approve', approver }).toString(),
  });
  const text = await answer.text();
  if (answer.status !== 200 || !text.includes('the sending is approved'))
    throw new Error(`approving answered ${answer.status}: ${text.slice(0, 500)}`);
}

async function main(): Promise<void> {
  const state = readDemoState(settings.n8nStateFile);
  if (!state)
    throw new Error(
      `the demo stack has not been set up in ${settings.data}: start it with "npm start" (or run "npm run demo", which starts it).`,
    );
  const workflowId = state.workflows[PROCESS_EXAMPLE];
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${settings.n8nUrl}/api/v1${path}`, {
      headers: { 'X-N8N-API-KEY': state.apiKey, accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`n8n: GET /api/v1${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return response.json() as Promise<T>;
  };
  type Execution = { id: string; status: string; data?: { resultData?: { error?: { message?: string; node?: { name?: string } } } } };
  const executions = async () => (await api<{ data: Execution[] }>(`/executions?workflowId=${workflowId}&includeData=true&limit=5`)).data;

  const before = new Set((await executions()).map((e) => e.id));
  const seen = (await approvals()).length;
  step(`starting the workflow "SMS sending with approval" in n8n (${settings.n8nUrl}/workflow/${workflowId})`);
  const started = await fetch(`${settings.n8nUrl}/webhook/sms-process-with-approval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!started.ok) throw new Error(`n8n did not start the workflow: ${started.status} ${(await started.text()).slice(0, 300)}`);

  // Until the link arrives — or the run stops at a node before it (the error is n8n's, with the fix).
  const request = await until('the approval link in the approval inbox', 180_000, async () => {
    const failed = (await executions()).find((e) => !before.has(e.id) && ['error', 'crashed'].includes(e.status));
    if (failed) {
      const error = failed.data?.resultData?.error;
      throw new Error(
        `the n8n run stopped at "${error?.node?.name ?? '?'}": ${error?.message ?? failed.status} (${settings.n8nUrl}/workflow/${workflowId}/executions/${failed.id})`,
      );
    }
    return (await approvals())[seen];
  });
  const client = await connectClient(settings.temporal);
  const sendings = new SendingClient(client, settings.temporal.taskQueue);
  try {
    const status = await sendings.status(request.sendingId);
    step(
      `select  → sending ${request.sendingId}: project ${status.selection?.projectId}, groups ${status.selection?.audience === 'groups' ? status.selection.groups.join(', ') : 'all'}, one SMS per number`,
    );
    if (status.lastCount) step(`count   → ${formatCount(status.lastCount)}`);
    const report = status.prepared!.report.points;
    step(
      `prepare → ${status.prepared!.summary.messages} messages frozen; validation: ${report.map((p) => `${p.code} ${p.level}`).join(', ')}`,
    );
    for (const point of report.filter((p) => p.level !== 'pass')) step(`          ${point.level} ${point.code}: ${point.message}`);
    step(`approval requested; link delivered to the approval inbox (${settings.approvalInboxUrl})`);

    // n8n answers the link only once it has saved the execution as waiting.
    await until('the n8n execution waiting for approval', 60_000, async () =>
      (await executions()).find((e) => !before.has(e.id) && e.status === 'waiting') ? true : undefined,
    );
    await approveOnPage(linksOf(request)[0].url, 'demo-approver');
    step('approved on the approval page by "demo-approver"');

    const execution = await until('the n8n execution to finish', 600_000, async () =>
      (await executions()).find((e) => !before.has(e.id) && !['new', 'running', 'waiting'].includes(e.status)),
    );
    if (execution.status !== 'success')
      throw new Error(
        `the n8n execution ${execution.id} ended ${execution.status}: ${settings.n8nUrl}/workflow/${workflowId}/executions/${execution.id}`,
      );
    const final = await sendings.status(request.sendingId);
    step(`send    → ${formatProgress(final)}`);

    const directory = await openDirectory(settings.directory);
    const [outbox, delivery] = await Promise.all([
      directory.readOutbox(request.sendingId),
      directory.deliverySummary(request.sendingId),
    ]).finally(() => directory.close());
    step(`outbox  → ${outbox.length} message(s) recorded by the outbox provider, e.g.:`);
    for (const message of outbox.slice(0, 3)) step(`          ${message.to}  ${message.body}`);
    const codes = Object.entries(delivery.byErrorCode).map(([code, count]) => `${code}: ${count}`);
    step(
      `receipt → delivered ${delivery.delivered}, undelivered ${delivery.undelivered}${codes.length ? ` (${codes.join(', ')})` : ''}, failed ${delivery.failed}, awaiting receipt ${delivery.awaitingReceipt}`,
    );
    process.stdout.write(`
  See every message:   npm run sms -- outbox ${request.sendingId}
  Delivery per number: npm run sms -- report ${request.sendingId} --csv
  Who did what, when:  npm run sms -- audit ${request.sendingId}
  The n8n execution:   ${settings.n8nUrl}/workflow/${workflowId}/executions/${execution.id}
  Temporal history:    ${settings.temporalUiUrl ? `${settings.temporalUiUrl}/namespaces/${settings.temporal.namespace}/workflows/sms-sending-${request.sendingId}` : `temporal workflow show -w sms-sending-${request.sendingId}`}
`);
    if (final.state !== 'completed' || final.progress.sent !== final.prepared!.summary.messages || outbox.length !== final.progress.sent) {
      throw new Error(`expected every prepared message to be sent once: ${formatProgress(final)}, outbox ${outbox.length}`);
    }
  } finally {
    await client.connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[demo] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
