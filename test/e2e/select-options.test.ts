/**
 * Select Recipients' options in the real n8n (pinned 2.x), installed the way users install it:
 * "Batches in Flight" becomes the sending's `parallelBatches`, and a value outside 1–16 (from an
 * expression) fails the node with the field's limits, creating no sending.
 */
import { randomUUID } from 'node:crypto';
import { sendingWorkflowId } from '../../workflows/messages';
import { historyText } from '../support/history-text';
import type { N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { seedBulk } from '../support/seed';
import type { TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';
const PROJECT = `select-${randomUUID().slice(0, 8)}`;
/** No sending may ever be created in it. */
const UNTOUCHED = `untouched-${randomUUID().slice(0, 8)}`;

function workflow(credentialId: string, path: string, projectId: string, options: Record<string, unknown>) {
  return {
    name: `Select options (${path})`,
    settings: { executionOrder: 'v1' },
    nodes: [
      {
        id: `${path}-hook`,
        webhookId: `${path}-hook`,
        name: 'Start',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        parameters: { path, httpMethod: 'POST', responseMode: 'onReceived' },
      },
      {
        id: `${path}-select`,
        name: 'Select Recipients',
        type: `${PKG}.durableSmsSelectRecipients`,
        typeVersion: 1,
        position: [200, 0],
        parameters: { projectId, audience: 'all', duplicatePolicy: 'perContact', options },
        credentials: { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } },
      },
    ],
    connections: { Start: { main: [[{ node: 'Select Recipients', type: 'main', index: 0 }]] } },
  };
}

describe("Select Recipients' options on a real n8n", () => {
  let stack: N8nStack;
  let env: TestWorker;
  let n8n: N8n;
  let credentialId: string;

  beforeAll(async () => {
    stack = await startN8nStack({
      seed: async (directory) => {
        for (const id of [PROJECT, UNTOUCHED]) await seedBulk(directory, id, 1);
      },
    });
    ({ env, n8n, credentialId } = stack);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function run(path: string, options: Record<string, unknown>, projectId = PROJECT) {
    const created = await n8n.activate(workflow(credentialId, path, projectId, options));
    await n8n.webhook(path, {});
    return n8n.waitForExecution(created.id, { timeoutMs: 120_000 });
  }

  test('Batches in Flight is the sending’s parallelBatches; left out, the sending has the default', async () => {
    const withOption = await run('select-batches', { parallelBatches: 4 });
    expect(withOption.status).toBe('success');
    const [selected] = withOption.data.resultData.runData['Select Recipients'][0].data.main[0].map((i: { json: unknown }) => i.json);
    const history = historyText(await env.client.client.workflow.getHandle(sendingWorkflowId(selected.sendingId)).fetchHistory());
    expect(history).toContain('"parallelBatches":4');

    const without = await run('select-default', {});
    const [plain] = without.data.resultData.runData['Select Recipients'][0].data.main[0].map((i: { json: unknown }) => i.json);
    const plainHistory = historyText(await env.client.client.workflow.getHandle(sendingWorkflowId(plain.sendingId)).fetchHistory());
    expect(plainHistory).not.toContain('parallelBatches');
  });

  test('a value outside 1–16 from an expression fails the node with the limits, and no sending is created', async () => {
    const execution = await run('select-too-many', { parallelBatches: '={{ 40 }}' }, UNTOUCHED);
    expect(execution.status).toBe('error');
    const error = execution.data.resultData.runData['Select Recipients'][0].error;
    expect(error.message).toContain('"parallelBatches" must be a whole number from 1 to 16');
    // Temporal's list is eventually consistent: give a started workflow time to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await env.client.list({ projectId: UNTOUCHED })).toEqual([]);
  });
});
