/**
 * The whole process on a real n8n (pinned 2.x) with the package installed the way users install it:
 * Webhook → Select Recipients → Count → Prepare Sending → Request Approval → Send SMS, run against the
 * real worker and dev server. The approval page is opened in headless Chromium and decided by a click.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { startInbox, type Inbox } from '../support/inbox';
import type { N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { ROOT } from '../support/paths';
import { seedAcme, seedExampleContacts } from '../support/seed';
import { TEMPORAL_ADDRESS, type TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';

/** An example a user imports (examples/), wired to this test's credential, inbox and a unique webhook path. */
function exampleWorkflow(file: string, credentialId: string, inboxUrl: string, path: string) {
  const example = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  for (const node of example.nodes) {
    if (node.credentials?.durableSmsTemporalApi) node.credentials.durableSmsTemporalApi = { id: credentialId, name: 'Temporal' };
    // The examples ship with the webhook trigger disabled; this test starts them through it.
    if (node.type === 'n8n-nodes-base.webhook')
      Object.assign(node, { disabled: false, webhookId: `${path}-hook`, parameters: { ...node.parameters, path } });
    if (node.name === 'Request Approval') node.parameters.webhookUrl = inboxUrl;
  }
  return { ...example, name: `${example.name} (${path})` };
}

const processWorkflow = (credentialId: string, inboxUrl: string, path: string) =>
  exampleWorkflow('sms-process-with-approval.json', credentialId, inboxUrl, path);

const outputOf = (execution: { data?: any }, node: string, output = 0) =>
  (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[output] ?? []).map((i: { json: unknown }) => i.json);

describe('the SMS process on a real n8n, approved and rejected from the approval page', () => {
  let stack: N8nStack;
  let directory: Directory;
  let env: TestWorker;
  let n8n: N8n;
  let inbox: Inbox;
  let browser: Browser;
  let credentialId: string;
  let provider: FakeProvider;
  const deliveredFor = (sendingId: string) => provider.accepted.filter((m) => m.sendingId === sendingId);

  beforeAll(async () => {
    provider = await startFakeProvider();
    inbox = await startInbox();
    stack = await startN8nStack({
      seed: async (directory) => {
        await seedAcme(directory);
        await seedExampleContacts(directory);
      },
      worker: (directory) => ({ provider: createProvider({ kind: 'http', url: provider.httpUrl }, { outboxStore: directory }) }),
    });
    ({ directory, env, n8n, credentialId } = stack);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await inbox?.close();
    await provider?.close();
  });

  /** The link reaches the inbox just before n8n saves the execution as waiting; until then n8n answers 409. */
  async function untilWaiting(workflowId: string) {
    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('waiting');
    return execution;
  }

  async function startRun(path: string) {
    const workflow = await n8n.activate(processWorkflow(credentialId, inbox.url, path));
    await n8n.webhook(path, {});
    const message = (await inbox.next()) as { approvalUrl: string };
    const waiting = await untilWaiting(workflow.id);
    // While it waits, Request Approval's output says where the link went.
    expect(outputOf(waiting, 'Request Approval')).toEqual([
      expect.objectContaining({ linkSentTo: new URL(inbox.url).host, approvalUrl: message.approvalUrl }),
    ]);
    return {
      workflowId: workflow.id as string,
      message: message as { approvalUrl: string; sendingId: string; text: string; messages: number },
    };
  }

  test('approved by a click: the messages reach the provider HTTP endpoint once each, Send SMS outputs the summary', async () => {
    const { workflowId, message } = await startRun('sms-approve');
    expect(message.messages).toBe(4);
    expect(message.text).toContain(message.approvalUrl);
    expect((await env.client.status(message.sendingId)).state).toBe('awaiting_approval');

    const page = await browser.newPage();
    const response = await page.goto(message.approvalUrl);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Approve this SMS sending?');
    const text = await page.locator('main').textContent();
    expect(text).toContain('Hi [[firstName]], -20% on everything today. Reply STOP to opt out.');
    expect(text).toContain('Hi Ana, -20% on everything today. Reply STOP to opt out.');
    expect(text).toContain('Messages to send4');
    expect(text).toContain('Validation report');
    // Readable labels; the warning above the passes.
    expect(text).toContain('Excluded1 inactive, 1 missing number, 1 duplicate number');
    expect(text).toContain('PASSOpt out wording');
    expect(text).toContain('WARNSender id');
    expect(text!.indexOf('WARNSender id')).toBeLessThan(text!.indexOf('PASS'));
    expect(await page.locator('input[name="approver"]').count()).toBe(1);
    expect(text).toMatch(/Approvals0 of 1; not by .+, who prepared it; expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await page.fill('#approver', 'alex@acme.test');
    await page.click('button.approve');
    await page.waitForSelector('text=the sending is approved');
    await page.close();

    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    expect(outputOf(execution, 'Select Recipients')).toEqual([
      expect.objectContaining({
        sendingId: message.sendingId,
        state: 'draft',
        selection: { projectId: 'demo', audience: 'groups', groups: ['customers', 'vip'], duplicatePolicy: 'perNumber' },
      }),
    ]);
    expect(outputOf(execution, 'Count')).toEqual([
      {
        sendingId: message.sendingId,
        targeted: 7,
        messages: 4,
        distinctNumbers: 4,
        excluded: { inactive: 1, missingNumber: 1, invalidNumber: 0, optedOut: 0, duplicateNumber: 1 },
      },
    ]);
    const [prepared] = outputOf(execution, 'Prepare Sending');
    // Prepare Sending and Send SMS output their short summary by default (Simplify); the full report is in the status.
    expect(prepared).toMatchObject({
      sendingId: message.sendingId,
      state: 'prepared',
      messages: 4,
      sendAt: 'now',
      warnings: [expect.stringMatching(/^SENDER_ID: /)],
    });
    const full = await env.client.status(message.sendingId);
    expect(full.prepared).toMatchObject({ summary: { messages: 4 }, report: { blocking: false } });
    expect(full.prepared!.report.points.map((p: { code: string; level: string }) => `${p.code}:${p.level}`)).toEqual([
      'FIELDS_RESOLVE:pass',
      'ENCODING:pass',
      'SEGMENTS:pass',
      'COST:pass',
      'OPT_OUT_WORDING:pass',
      'SENDER_ID:warn',
      'COUNTRIES:pass',
      'NUMBER_TYPE:pass',
      'QUIET_HOURS:pass',
      'RECIPIENTS:pass',
    ]);
    expect(outputOf(execution, 'Request Approval', 0)).toEqual([
      expect.objectContaining({ sendingId: message.sendingId, decision: 'approved', approver: 'alex@acme.test' }),
    ]);
    expect(outputOf(execution, 'Approved?', 0)).toEqual([expect.objectContaining({ decision: 'approved' })]);
    expect(outputOf(execution, 'Send SMS')).toEqual([expect.objectContaining({ state: 'completed', sent: 4, failed: 0, total: 4 })]);
    // The messages reached the provider's HTTP endpoint, once each.
    expect(
      deliveredFor(message.sendingId)
        .map((m) => [m.to, m.body.split(',')[0]])
        .sort(),
    ).toEqual([
      ['+14385550103', 'Hi Chloé'],
      ['+14385550109', 'Hi Ivan'],
      ['+15145550101', 'Hi Ana'],
      ['+15145550102', 'Hi Ben'],
    ]);

    // The same link again changes nothing.
    const again = await fetch(message.approvalUrl);
    expect(await again.text()).not.toContain('Approve this SMS sending?');
    expect((await env.client.status(message.sendingId)).approval?.approver).toBe('alex@acme.test');
  });

  test('rejected with a reason: the Rejected output runs and no message goes out; a forged link changes nothing', async () => {
    const { workflowId, message } = await startRun('sms-reject');

    const forged = new URL(message.approvalUrl);
    forged.searchParams.set('signature', '0'.repeat(64));
    const forgedAnswer = await fetch(forged, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&approver=mallory',
    });
    expect(forgedAnswer.status).toBe(401);
    const tampered = new URL(message.approvalUrl);
    tampered.searchParams.set('sendingId', 'someone-else');
    expect((await fetch(tampered)).status).toBe(401);
    expect((await env.client.status(message.sendingId)).state).toBe('awaiting_approval');

    const page = await browser.newPage();
    await page.goto(message.approvalUrl);
    await page.fill('#approver', 'alex@acme.test');
    await page.click('button.reject');
    // A reason is required to reject: the page comes back saying so, the typed name kept.
    await page.waitForSelector('text=A reason is required to reject');
    expect(await page.locator('h1').textContent()).toBe('Approve this SMS sending?');
    expect(await page.inputValue('#approver')).toBe('alex@acme.test');
    await page.fill('#reason', 'The discount ends today, not tomorrow');
    await page.click('button.reject');
    await page.waitForSelector('text=the sending is rejected');
    await page.close();

    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    expect(outputOf(execution, 'Request Approval', 1)).toEqual([
      expect.objectContaining({ decision: 'rejected', approver: 'alex@acme.test', reason: 'The discount ends today, not tomorrow' }),
    ]);
    expect(execution.data?.resultData?.runData?.['Send SMS']).toBeUndefined();
    expect(outputOf(execution, 'Rejected')).toEqual([expect.objectContaining({ sendingId: message.sendingId, decision: 'rejected' })]);
    expect(deliveredFor(message.sendingId)).toHaveLength(0);
    expect((await env.client.status(message.sendingId)).state).toBe('rejected');
  });

  test('the credential test really connects: OK with a worker, a clear error otherwise', async () => {
    const check = (data: Record<string, string>) =>
      n8n.rest('POST', '/credentials/test', {
        credentials: {
          id: credentialId,
          name: 'Temporal',
          type: 'durableSmsTemporalApi',
          data: { namespace: 'default', tls: 'none', apiKey: '', ...data },
        },
      });
    expect(await check({ address: TEMPORAL_ADDRESS, taskQueue: env.taskQueue })).toMatchObject({
      data: { status: 'OK', message: expect.stringMatching(/worker\(s\) poll/) },
    });
    expect(await check({ address: TEMPORAL_ADDRESS, taskQueue: 'nobody-polls-this' })).toMatchObject({
      data: { status: 'Error', message: expect.stringContaining('no durable SMS worker polls task queue "nobody-polls-this"') },
    });
    expect(await check({ address: '127.0.0.1:1', taskQueue: env.taskQueue })).toMatchObject({
      data: { status: 'Error', message: expect.stringContaining('Cannot use Temporal at 127.0.0.1:1') },
    });
  });

  test('refusals are node errors naming the fix; with continueOnFail they become items; status, reschedule and cancel', async () => {
    const credentials = { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } };
    const at = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const node = (name: string, type: string, x: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      id: `ops-${x}`,
      name,
      type: `${PKG}.${type}`,
      typeVersion: 1,
      position: [x, 300],
      parameters,
      credentials,
      ...extra,
    });
    const chain = ['Select Recipients', 'Prepare Sending', 'Send SMS', 'Status', 'Reschedule', 'Cancel'];
    const workflow = await n8n.activate({
      name: 'SMS operations',
      settings: { executionOrder: 'v1' },
      nodes: [
        {
          id: 'ops-hook',
          name: 'Start',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 300],
          webhookId: 'ops-hook',
          parameters: { path: 'sms-ops', httpMethod: 'POST', responseMode: 'onReceived' },
        },
        node('Select Recipients', 'durableSmsSelectRecipients', 200, {
          projectId: 'acme',
          audience: 'all',
          duplicatePolicy: 'perNumber',
          actor: 'paula',
        }),
        node('Prepare Sending', 'durableSmsPrepareSending', 400, {
          message: 'Hi {{firstName}}',
          when: 'later',
          localDateTime: `${at}T10:00`,
          timeZone: 'Europe/Paris',
          refreshAtSend: true,
          actor: 'paula',
        }),
        node('Send SMS', 'durableSmsSend', 600, { actor: 'paula' }, { onError: 'continueRegularOutput' }),
        node('Status', 'durableSmsSending', 800, {
          operation: 'getStatus',
          sendingId: "={{ $('Select Recipients').item.json.sendingId }}",
        }),
        // Version 2 (a new node): When is Later unless Now is chosen.
        node(
          'Reschedule',
          'durableSmsSending',
          1000,
          { operation: 'reschedule', localDateTime: `${at}T11:30`, timeZone: 'Europe/Paris', actor: 'paula' },
          { typeVersion: 2 },
        ),
        node('Cancel', 'durableSmsSending', 1200, { operation: 'cancel', reason: 'Postponed to next week', actor: 'paula' }),
      ],
      connections: Object.fromEntries(
        [['Start', 'Select Recipients'], ...chain.slice(0, -1).map((n, i) => [n, chain[i + 1]])].map(([from, to]) => [
          from,
          { main: [[{ node: to, type: 'main', index: 0 }]] },
        ]),
      ),
    });
    await n8n.webhook('sms-ops', {});
    const execution = await n8n.waitForExecution(workflow.id, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    const [selected] = outputOf(execution, 'Select Recipients');
    expect(selected).toMatchObject({ state: 'draft', lastCount: { messages: 3 } });
    expect(outputOf(execution, 'Send SMS')).toEqual([
      { error: expect.stringMatching(/is not approved \(it is prepared\).*Request approval/) },
    ]);
    expect(outputOf(execution, 'Status')).toEqual([
      expect.objectContaining({
        sendingId: selected.sendingId,
        state: 'prepared',
        prepared: expect.objectContaining({ refreshAtSend: true }),
      }),
    ]);
    expect(outputOf(execution, 'Reschedule')[0].prepared.schedule).toEqual({
      mode: 'later',
      localDateTime: `${at}T11:30`,
      timeZone: 'Europe/Paris',
    });
    expect(outputOf(execution, 'Cancel')).toEqual([
      expect.objectContaining({
        state: 'cancelled',
        cancellation: expect.objectContaining({ reason: 'Postponed to next week', actor: 'paula' }),
      }),
    ]);
  });

  test('without continueOnFail a refusal stops the execution with the message', async () => {
    const workflow = await n8n.activate({
      name: 'SMS unknown project',
      settings: { executionOrder: 'v1' },
      nodes: [
        {
          id: 'bad-hook',
          name: 'Start',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 300],
          webhookId: 'bad-hook',
          parameters: { path: 'sms-bad', httpMethod: 'POST', responseMode: 'onReceived' },
        },
        {
          id: 'bad-select',
          name: 'Select Recipients',
          type: `${PKG}.durableSmsSelectRecipients`,
          typeVersion: 1,
          position: [200, 300],
          parameters: { projectId: 'nope', audience: 'all', actor: 'paula' },
          credentials: { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } },
        },
      ],
      connections: { Start: { main: [[{ node: 'Select Recipients', type: 'main', index: 0 }]] } },
    });
    await n8n.webhook('sms-bad', {});
    const execution = await n8n.waitForExecution(workflow.id, { timeoutMs: 60_000 });
    expect(execution.status).toBe('error');
    expect(execution.data?.resultData?.error?.message).toMatch(/^Unknown project "nope"/);
  });

  test("the scheduled example: approved, Send SMS schedules it for tomorrow 09:30 in the project's zone (Toronto) with refresh at send time", async () => {
    const workflow = await n8n.activate(
      exampleWorkflow('scheduled-send-with-refresh.json', credentialId, inbox.url, 'scheduled-sms-with-refresh'),
    );
    await n8n.webhook('scheduled-sms-with-refresh', {});
    const message = (await inbox.next()) as { approvalUrl: string; sendingId: string };
    await untilWaiting(workflow.id);
    const decided = await fetch(message.approvalUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&approver=alex',
    });
    expect(decided.status).toBe(200);
    const execution = await n8n.waitForExecution(workflow.id, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    const [sent] = outputOf(execution, 'Send SMS');
    expect(sent).toMatchObject({ sendingId: message.sendingId, state: 'scheduled' });
    expect(Date.parse(sent.sendAt)).toBeGreaterThan(Date.now());
    const scheduled = await env.client.status(message.sendingId);
    expect(scheduled.prepared).toMatchObject({ refreshAtSend: true, schedule: { mode: 'later', timeZone: 'America/Toronto' } });
    expect(scheduled.prepared!.schedule.mode === 'later' && scheduled.prepared!.schedule.localDateTime).toMatch(
      /^\d{4}-\d{2}-\d{2}T09:30$/,
    );
    await env.client.cancel(message.sendingId, 'end of test', 'test');
  });

  test('the option lists are read live from the directory through Temporal', async () => {
    const options = (type: string, methodName: string, currentNodeParameters: Record<string, unknown>) =>
      n8n.rest('POST', '/dynamic-node-parameters/options', {
        nodeTypeAndVersion: { name: `${PKG}.${type}`, version: 1 },
        path: `parameters.${methodName}`,
        methodName,
        currentNodeParameters,
        credentials: { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } },
      });
    expect((await options('durableSmsSelectRecipients', 'getProjects', {})).data).toEqual([
      expect.objectContaining({ name: 'Acme', value: 'acme' }),
      expect.objectContaining({ name: 'Demo', value: 'demo' }),
    ]);
    expect((await options('durableSmsSelectRecipients', 'getGroups', { projectId: 'demo', audience: 'groups' })).data).toEqual([
      { name: 'customers (6)', value: 'customers', description: '6 member(s)' },
      { name: 'newsletter (5)', value: 'newsletter', description: '5 member(s)' },
      { name: 'vip (3)', value: 'vip', description: '3 member(s)' },
    ]);
    const zones = (await options('durableSmsPrepareSending', 'getTimeZones', { when: 'later' })).data.map(
      (z: { value: string }) => z.value,
    );
    expect(zones).toEqual(expect.arrayContaining(['America/Toronto', 'Europe/Paris']));
  });

  test('a link sent before a change is out of date: it approves nothing and resumes on Rejected as superseded', async () => {
    const { workflowId, message } = await startRun('sms-superseded');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const moved = await env.client.reschedule(
      message.sendingId,
      { mode: 'later', localDateTime: `${tomorrow}T10:00`, timeZone: 'America/Toronto' },
      'paula',
    );
    expect(moved.state).toBe('awaiting_approval');

    const page = await fetch(message.approvalUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('This link is out of date');
    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    expect(outputOf(execution, 'Request Approval', 1)).toEqual([
      expect.objectContaining({ sendingId: message.sendingId, decision: 'superseded' }),
    ]);
    expect((await env.client.status(message.sendingId)).approvals).toEqual([]);
    await env.client.cancel(message.sendingId, 'end of test', 'test');
  });

  test('an expired approval request: n8n stops waiting at the expiry, the example routes it to Not Approved, the sending is back to prepared, the link approves nothing', async () => {
    await directory.upsertProject({ id: 'demo', name: 'Demo', compliance: { approval: { expiresAfterHours: 0.01 } } });
    try {
      const { workflowId, message } = await startRun('sms-expire');
      // n8n's wait tracker resumes the node once the request's expiry (36 s) has passed.
      let execution = await n8n.waitForExecution(workflowId, { timeoutMs: 180_000 });
      for (const deadline = Date.now() + 180_000; execution.status === 'waiting' && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        execution = await n8n.waitForExecution(workflowId, { timeoutMs: 10_000 });
      }
      // The example branches on the decision: the timeout leaves Request Approval on Approved without
      // one, "Approved?" sends it to Not Approved, and Send SMS never runs.
      expect(execution.status).toBe('success');
      expect(outputOf(execution, 'Request Approval', 0)).toEqual([expect.not.objectContaining({ decision: expect.anything() })]);
      expect(outputOf(execution, 'Not Approved')).toHaveLength(1);
      expect(execution.data?.resultData?.runData?.['Send SMS']).toBeUndefined();

      const late = await fetch(message.approvalUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'decision=approve&approver=late',
      });
      expect(await late.text()).not.toContain('the sending is approved');
      const status = await env.client.status(message.sendingId);
      expect(status).toMatchObject({ state: 'prepared', approvals: [], approvalRequest: { expiredAtMs: expect.any(Number) } });
      expect(deliveredFor(message.sendingId)).toHaveLength(0);
      await env.client.cancel(message.sendingId, 'approval expired', 'test');
    } finally {
      await directory.upsertProject({ id: 'demo', name: 'Demo', compliance: { approval: { expiresAfterHours: 72 } } });
    }
  }, 240_000);
});
