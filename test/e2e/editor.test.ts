/**
 * The editor the way a builder uses it, in the real n8n (pinned 2.x) in headless Chromium with the
 * package installed the way users install it: find the nodes in the node creator; drag an input field
 * into Message (which turns it into an expression) and run. The screenshots are saved under
 * .test-results (UPDATE_SCREENSHOTS=1 copies them to docs/images).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from '../support/browser';
import { OWNER, type N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { ROOT } from '../support/paths';
import { startInbox } from '../support/inbox';
import { seedExampleContacts } from '../support/seed';
import type { TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';
/** Unique per run: the sendings of earlier runs on the same Temporal server are listed by project. */
const PROJECT = `editor-${Date.now().toString(36)}`;
const TOMORROW = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

describe('the n8n editor: finding the nodes, personalizing a Message', () => {
  let stack: N8nStack;
  let env: TestWorker;
  let n8n: N8n;
  let credentialId: string;
  let browser: Browser;
  let page: Page;
  let signedIn = false;

  async function openWorkflow(id: string, firstNode: string): Promise<void> {
    await page.goto(`${n8n.url}/workflow/${id}`);
    if (!signedIn) {
      signedIn = true;
      await page.locator('#emailOrLdapLoginId').fill(OWNER.email);
      await page.locator('#password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByText(firstNode, { exact: true }).first().waitFor({ timeout: 60_000 });
  }

  beforeAll(async () => {
    stack = await startN8nStack({
      seed: (directory) => seedExampleContacts(directory, { id: PROJECT, name: 'Editor' }),
    });
    ({ env, n8n, credentialId } = stack);
    const workflow = await n8n.api('POST', '/workflows', {
      name: 'Find the SMS nodes',
      settings: { executionOrder: 'v1' },
      nodes: [
        {
          id: 'trigger',
          name: 'When clicking Execute workflow',
          type: 'n8n-nodes-base.manualTrigger',
          typeVersion: 1,
          position: [0, 0],
          parameters: {},
        },
      ],
      connections: {},
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await openWorkflow(workflow.id, 'When clicking Execute workflow');
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function search(text: string, screenshot: string): Promise<string[]> {
    const bar = page.locator('[data-test-id="node-creator-search-bar"]');
    if (!(await bar.isVisible())) {
      await page.locator('[data-test-id="node-creator-plus-button"]').click();
      await bar.waitFor({ timeout: 15_000 });
    }
    await bar.fill(text);
    await page.waitForTimeout(800);
    const names = await page.locator('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]').allTextContents();
    await saveScreenshot(page, screenshot);
    return names.map((name) => name.trim());
  }

  test.each([
    ['sms', 'node-creator-sms.png'],
    ['bulk sms', 'node-creator-bulk-sms.png'],
    ['text message', 'node-creator-text-message.png'],
  ])('searching "%s" lists Select Recipients within the first five results', async (text, screenshot) => {
    const names = await search(text, screenshot);
    expect(names.slice(0, 5)).toContain('Durable SMS: Select Recipients');
  });

  test('searching "temporal" finds the SMS nodes', async () => {
    const names = await search('temporal', 'node-creator-temporal.png');
    expect(names).toEqual(expect.arrayContaining(['Durable SMS: Select Recipients', 'Durable SMS: Send SMS']));
  });

  test("Select Recipients lists the contact fields; dragging an input field into Message turns it into an expression: {{firstName}} is refused with the fix, [[firstName]] is personalized in the project's time zone, the warning shows above the output", async () => {
    const credentials = { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } };
    const body = (message: string) => ({
      name: 'Personalize in the editor',
      settings: { executionOrder: 'v1' },
      nodes: [
        { id: 'hand', name: 'Run by Hand', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
        {
          id: 'select',
          name: 'Select Recipients',
          type: `${PKG}.durableSmsSelectRecipients`,
          typeVersion: 1,
          position: [240, 0],
          parameters: { projectId: PROJECT, audience: 'groups', groups: ['customers'], duplicatePolicy: 'perNumber' },
          credentials,
        },
        {
          id: 'prepare',
          name: 'Prepare Sending',
          type: `${PKG}.durableSmsPrepareSending`,
          typeVersion: 1,
          position: [480, 0],
          // Time Zone left at its default: the project's.
          parameters: { message, when: 'later', localDateTime: `${TOMORROW}T10:00:00` },
          credentials,
        },
      ],
      connections: {
        'Run by Hand': { main: [[{ node: 'Select Recipients', type: 'main', index: 0 }]] },
        'Select Recipients': { main: [[{ node: 'Prepare Sending', type: 'main', index: 0 }]] },
      },
    });
    const ndv = page.locator('[data-test-id="ndv"]');
    const canvasNode = (name: string) => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
    const untilOutputShows = async (text: string) => {
      try {
        await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(text)})`, undefined, { timeout: 60_000 });
      } catch (err) {
        await saveScreenshot(page, 'editor-failed.png');
        throw err;
      }
    };
    /** Opens a node and runs it (and the steps before it) with its Execute step button. */
    const runStep = async (node: string) => {
      await canvasNode(node).dblclick();
      await ndv.locator('[data-test-id="node-execute-button"]').first().click();
    };

    const workflow = await n8n.api(
      'POST',
      '/workflows',
      body('Hi {{firstName}}, the staff meeting moves to 10:00. Reply STOP to opt out.'),
    );
    await openWorkflow(workflow.id, 'Prepare Sending');
    // Run the steps before Prepare Sending so its input panel has fields to drag.
    await runStep('Select Recipients');
    await untilOutputShows(`Contact fields of project ${PROJECT} for the Message: [[firstName]], [[language]], [[lastName]]`);
    await saveScreenshot(page, 'editor-contact-fields.png');
    await page.keyboard.press('Escape');

    await canvasNode('Prepare Sending').dblclick();
    const message = ndv.locator('[data-test-id="parameter-input-message"]');
    await message.waitFor();
    // Dropping a field onto the fixed text turns Message into an expression: the text, then the field.
    const from = (await page
      .locator('[data-test-id="ndv-input-panel"] [data-test-id="run-data-schema-item"] span')
      .filter({ hasText: /^state$/ })
      .first()
      .boundingBox())!;
    const to = (await message.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 25 });
    await page.waitForTimeout(300);
    await page.mouse.up();
    const expression = message.locator('[data-test-id="inline-expression-editor-input"] .cm-content').filter({ hasText: 'Hi' });
    await expression.waitFor();
    expect(await expression.textContent()).toMatch(
      /^Hi \{\{firstName\}\}, the staff meeting moves to 10:00\. Reply STOP to opt out\. \{\{ \$json\.[\w.]+ \}\}$/,
    );

    await ndv.locator('[data-test-id="node-execute-button"]').first().click();
    await untilOutputShows('Message is an expression, so n8n filled {{firstName}} itself (with nothing)');
    await saveScreenshot(page, 'editor-message-refused.png');
    expect(await env.client.list({ projectId: PROJECT, state: 'prepared' })).toEqual([]);
    await page.keyboard.press('Escape');

    // The fix the error gives: [[firstName]], with n8n's own expression beside it.
    await n8n.api(
      'PUT',
      `/workflows/${workflow.id}`,
      body('=Hi [[firstName]], the staff meeting moves to 10:00 ({{ $json.state }}). Reply STOP to opt out.'),
    );
    await openWorkflow(workflow.id, 'Prepare Sending');
    await runStep('Prepare Sending');
    await untilOutputShows('SENDER_ID:');
    expect(await ndv.locator('[data-test-id="parameter-input-timeZone"] input').first().inputValue()).toBe("The Project's Time Zone");
    await saveScreenshot(page, 'editor-prepared-warning.png');
    expect(await page.locator('body').innerText()).toContain(
      'Hi [[firstName]], the staff meeting moves to 10:00 (draft). Reply STOP to opt out.',
    );
    const [prepared] = await env.client.list({ projectId: PROJECT, state: 'prepared' });
    expect((await env.client.status(prepared.sendingId)).prepared?.schedule).toEqual({
      mode: 'later',
      localDateTime: `${TOMORROW}T10:00:00`,
      timeZone: 'America/Toronto',
    });
    const preview = await env.client.lookup({ kind: 'preview', sendingId: prepared.sendingId, limit: 5 });
    expect(preview.map((o) => o.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Hi Ana, the staff meeting moves to 10:00 \(draft\)\./)]),
    );
    for (const option of preview) expect(option.name).not.toMatch(/^Hi ,/);
  });

  test('the approval example as imported: the big button runs "Run by Hand", Request Approval says what a timeout does and, while it waits, where the link went', async () => {
    const inbox = await startInbox();
    try {
      const example = JSON.parse(readFileSync(join(ROOT, 'examples', 'sms-process-with-approval.json'), 'utf8'));
      for (const node of example.nodes) {
        if (node.credentials?.durableSmsTemporalApi) node.credentials.durableSmsTemporalApi = { id: credentialId, name: 'Temporal' };
        if (node.name === 'Select Recipients') Object.assign(node.parameters, { projectId: PROJECT, groups: ['customers'] });
        if (node.name === 'Request Approval') node.parameters.webhookUrl = inbox.url;
      }
      expect(example.nodes.find((n: { name: string }) => n.name === 'Start by Webhook').disabled).toBe(true);
      const workflow = await n8n.api('POST', '/workflows', example);
      await openWorkflow(workflow.id, 'Request Approval');
      const button = page.locator('[data-test-id="execute-workflow-button"]');
      expect(await button.innerText()).not.toContain('Webhook');
      await button.click();
      const delivered = (await inbox.next(120_000)) as { sendingId: string; approvalUrl: string };
      const waiting = await n8n.waitForExecution(workflow.id, { timeoutMs: 60_000 });
      expect(waiting.status).toBe('waiting');
      expect(Object.keys(waiting.data?.resultData?.runData ?? {})).toEqual(expect.arrayContaining(['Run by Hand', 'Request Approval']));
      expect(waiting.data?.resultData?.runData?.['Start by Webhook']).toBeUndefined();

      const host = new URL(inbox.url).host;
      await page.waitForTimeout(1500);
      await page.locator('[data-test-id="canvas-node"][data-node-name="Request Approval"]').dblclick();
      const ndv = page.locator('[data-test-id="ndv"]');
      await ndv.waitFor();
      try {
        await page.waitForFunction(
          `document.body.innerText.includes(${JSON.stringify('without a decision field')}) && document.body.innerText.includes(${JSON.stringify(host)})`,
          undefined,
          { timeout: 30_000 },
        );
      } finally {
        await saveScreenshot(page, 'editor-approval-waiting.png');
      }
      const shown = await ndv.innerText();
      expect(shown).toContain('leaves on Approved without a decision field');
      expect(shown).toContain(`Waiting for an approver to open the link and decide. The link went to ${host}.`);
      await page.keyboard.press('Escape');

      // Approved from the link: the execution goes on, and Send SMS's output table shows the counts first.
      const approved = await fetch(delivered.approvalUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'decision=approve&approver=alex%40acme.test',
      });
      expect(approved.status).toBe(200);
      const finished = await n8n.waitForExecution(workflow.id, { timeoutMs: 120_000 });
      expect(finished.status).toBe('success');
      // The finished execution as n8n's Executions tab shows it.
      await page.goto(`${n8n.url}/workflow/${workflow.id}/executions/${finished.id}`);
      const preview = page.frameLocator('iframe').first();
      const inPreview = (await page.locator('iframe').count()) > 0;
      const root = inPreview ? preview : page;
      await root.locator('[data-test-id="canvas-node"][data-node-name="Send SMS"]').dblclick({ timeout: 60_000 });
      const ndvShown = root.locator('[data-test-id="ndv"]');
      const headers = ndvShown.locator('table th');
      await headers.first().waitFor({ timeout: 30_000 });
      await saveScreenshot(page, 'editor-send-output.png');
      expect((await headers.allInnerTexts()).map((h) => h.trim()).slice(0, 8)).toEqual([
        'sendingId',
        'state',
        'sent',
        'failed',
        'skipped',
        'unknown',
        'held',
        'total',
      ]);
    } finally {
      await inbox.close();
    }
  });
});
