/**
 * Finding the nodes the way a builder does: in the real n8n (pinned 2.x) editor in headless Chromium,
 * with the package installed the way users install it, open the node creator after a trigger and search.
 * The screenshots are saved under .test-results (UPDATE_SCREENSHOTS=1 copies them to docs/images).
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OWNER, packProject, startN8n, type N8n } from '../support/n8n';
import { ROOT, TEST_OUTPUT } from '../support/paths';

const CHROMIUM = '/usr/bin/chromium';

describe('the nodes in the n8n node creator', () => {
  let n8n: N8n;
  let tarball: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM}: apt-get install chromium`);
    tarball = await packProject();
    n8n = await startN8n({ packageTarball: tarball });
    const workflow = await n8n.api('POST', '/workflows', {
      name: 'Find the SMS nodes',
      settings: { executionOrder: 'v1' },
      nodes: [{ id: 'trigger', name: 'When clicking Execute workflow', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }],
      connections: {},
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${n8n.url}/workflow/${workflow.id}`);
    await page.locator('#emailOrLdapLoginId').fill(OWNER.email);
    await page.locator('#password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('When clicking Execute workflow', { exact: true }).first().waitFor({ timeout: 60_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await n8n?.stop();
    if (tarball) rmSync(dirname(tarball), { recursive: true, force: true });
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
    await page.screenshot({ path: join(TEST_OUTPUT, screenshot) });
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(join(TEST_OUTPUT, screenshot), join(ROOT, 'docs', 'images', screenshot));
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
});
