/**
 * Personalization in the real n8n (pinned 2.x), with the package installed the way users install it:
 * a Message in expression mode (what n8n switches to when a builder drags an input field into it) is
 * personalized with [[field]], and a {{field}} that n8n has already evaluated to nothing is refused
 * with the fix instead of preparing blank texts.
 */
import type { N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { seedExampleContacts } from '../support/seed';
import type { TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';

function workflow(name: string, credentialId: string, path: string, message: string) {
  const credentials = { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } };
  const node = (nodeName: string, type: string, x: number, parameters: Record<string, unknown>) => ({
    id: `${path}-${x}`,
    name: nodeName,
    type: `${PKG}.${type}`,
    typeVersion: 1,
    position: [x, 0],
    parameters,
    credentials,
  });
  return {
    name: `${name} (${path})`,
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
      node('Select Recipients', 'durableSmsSelectRecipients', 200, {
        projectId: 'demo',
        audience: 'groups',
        groups: ['customers'],
        duplicatePolicy: 'perNumber',
      }),
      node('Prepare Sending', 'durableSmsPrepareSending', 400, { message, when: 'now' }),
    ],
    connections: {
      Start: { main: [[{ node: 'Select Recipients', type: 'main', index: 0 }]] },
      'Select Recipients': { main: [[{ node: 'Prepare Sending', type: 'main', index: 0 }]] },
    },
  };
}

describe('personalization in expression mode on a real n8n', () => {
  let stack: N8nStack;
  let env: TestWorker;
  let n8n: N8n;
  let credentialId: string;

  beforeAll(async () => {
    stack = await startN8nStack({
      seed: (directory) => seedExampleContacts(directory),
    });
    ({ env, n8n, credentialId } = stack);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function run(path: string, message: string, body: unknown) {
    const created = await n8n.activate(workflow('Personalization', credentialId, path, message));
    await n8n.webhook(path, body);
    return n8n.waitForExecution(created.id, { timeoutMs: 120_000 });
  }

  test("[[firstName]] beside an n8n expression: every text carries the contact's name and the value from the input", async () => {
    const execution = await run(
      'personalize-brackets',
      '=Hi [[firstName]], your code is {{ $("Start").item.json.body.code }}. Reply STOP to opt out.',
      { code: 'SPRING' },
    );
    expect(execution.status).toBe('success');
    const [prepared] = execution.data.resultData.runData['Prepare Sending'][0].data.main[0].map((i: { json: unknown }) => i.json);
    // Simplify (on by default): what a builder checks, and the warnings above the output pane.
    expect(Object.keys(prepared)).toEqual(['sendingId', 'state', 'messages', 'segments', 'estimatedCost', 'warnings', 'sendAt', 'message']);
    expect(prepared).toMatchObject({
      state: 'prepared',
      messages: expect.any(Number),
      segments: expect.any(Number),
      estimatedCost: null,
      sendAt: 'now',
    });
    expect(prepared.message).toBe('Hi [[firstName]], your code is SPRING. Reply STOP to opt out.');
    expect(prepared.warnings).toEqual([expect.stringMatching(/^SENDER_ID: /)]);
    expect(execution.data.resultData.runData['Prepare Sending'][0].hints).toEqual([
      { message: prepared.warnings[0], type: 'warning', location: 'outputPane' },
    ]);
    const status = await env.client.status(prepared.sendingId);
    expect(status.prepared!.report.points).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'FIELDS_RESOLVE', level: 'pass' })]),
    );
    const preview = await env.client.lookup({ kind: 'preview', sendingId: prepared.sendingId, limit: 5 });
    expect(preview.length).toBeGreaterThan(0);
    for (const option of preview) expect(option.name).toMatch(/^Hi \p{L}+, your code is SPRING\./u);
    expect(preview.map((o) => o.name)).toEqual(expect.arrayContaining([expect.stringContaining('Hi Ana, your code is SPRING.')]));
  });

  test('{{firstName}} that n8n evaluated itself: the node fails with the fix and nothing is prepared', async () => {
    const execution = await run('personalize-braces', '=Hi {{firstName}}, your code is {{ $json.body.code }}.', { code: 'SPRING' });
    expect(execution.status).toBe('error');
    const runData = execution.data.resultData.runData;
    const error = runData['Prepare Sending'][0].error;
    expect(error.message).toBe('Message is an expression, so n8n filled {{firstName}} itself (with nothing) before the sending saw it');
    expect(error.description).toContain('Write contact fields as [[firstName]]');
    const [selected] = runData['Select Recipients'][0].data.main[0].map((i: { json: { sendingId: string } }) => i.json);
    expect((await env.client.status(selected.sendingId)).state).toBe('draft');
  });
});
