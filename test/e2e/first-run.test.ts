/**
 * A new user's first run, scripted: the README's first command (`npm start`) on a clean data folder,
 * n8n opened in headless Chromium, log in with the printed login, open the example workflow, run it,
 * approve from the approval page reached through the approval inbox, see the messages in the outbox;
 * then the headless demo against the same stack, Ctrl-C, and a second start that reuses the data.
 * The screenshots it saves are the README's pictures (UPDATE_SCREENSHOTS=1 copies them to docs/images).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, saveScreenshot } from '../support/browser';
import { freeStackPorts, stackEnv, type StackPorts } from '../support/npm-start';
import { ROOT } from '../support/paths';

const run = promisify(execFile);

interface Stack {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startStack(env: NodeJS.ProcessEnv): Stack {
  // Its own process group, so the test can press Ctrl-C the way a terminal does (SIGINT to the group).
  const child = spawn('bash', ['scripts/start.sh'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function untilOutput(stack: Stack, marker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void stack.exited.then(() => (ended = true));
  while (!stack.output().includes(marker)) {
    if (ended) throw new Error(`npm start exited before "${marker}":\n${stack.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${marker}" from npm start within ${timeoutMs / 1000} s:\n${stack.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function pressCtrlC(stack: Stack): Promise<number | null> {
  process.kill(-stack.child.pid!, 'SIGINT');
  return stack.exited;
}

const portOpen = async (port: number) => {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
};

describe('first run: npm start, the example workflow in n8n, approval, outbox, npm run demo, restart', () => {
  const data = mkdtempSync(join(tmpdir(), 'durable-sms-first-run-'));
  let env: NodeJS.ProcessEnv;
  let ports: StackPorts;
  let stack: Stack | undefined;
  let browser: Browser;
  let sendingId: string;

  const sms = async (...args: string[]) =>
    (await run('npm', ['run', '--silent', 'sms', '--', ...args], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 })).stdout;

  beforeAll(async () => {
    ports = await freeStackPorts();
    // As a user sets them in both terminals: the ports for npm start, and where the CLI finds Temporal and the directory.
    env = stackEnv(data, ports);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (stack && stack.child.exitCode === null) await pressCtrlC(stack);
    if (process.env.DURABLE_SMS_KEEP_N8N !== '1') rmSync(data, { recursive: true, force: true });
  }, 120_000);

  test('a port already in use is named with its variable, and nothing starts', async () => {
    const squatter = createServer().listen(ports.N8N_PORT, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const refused = startStack(env);
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toContain(`port ${ports.N8N_PORT} (N8N_PORT) on 127.0.0.1 is already in use by another process`);
      expect(refused.output()).not.toContain('[temporal] dev server ready');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 300_000);

  test('the first npm start provisions, starts everything and prints the URLs and the login', async () => {
    stack = startStack(env);
    await untilOutput(stack, 'durable SMS demo is up', 900_000);
    const text = stack.output();
    expect(text).toContain('[start] node package installed');
    expect(text).toContain(`[temporal] dev server ready on 127.0.0.1:${ports.TEMPORAL_PORT}`);
    expect(text).toContain(`[n8n] ready on http://127.0.0.1:${ports.N8N_PORT}`);
    expect(text).toMatch(/\[demo\] project "demo" seeded: 320 contacts, \d+ opted-out numbers; groups customers \(\d+\)/);
    expect(text).toContain('[demo] n8n set up: owner account, credential "Local Temporal (demo)", 2 example workflows imported');
    expect(text).toMatch(new RegExp(`n8n +http://127\\.0\\.0\\.1:${ports.N8N_PORT}/workflow/\\w+`));
    expect(text).toContain('log in         demo@example.com / Demo-Passw0rd');
    expect(text).toContain(`Approval inbox   http://127.0.0.1:${ports.DEMO_INBOX_PORT}`);
    expect(text).toContain(`Temporal Web UI  http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
  }, 960_000);

  test('in n8n: log in, open the example, run it, approve from the approval page, the messages are in the outbox', async () => {
    const workflowUrl = /n8n +(http:\/\/\S+\/workflow\/\w+)/.exec(stack!.output())![1];
    const context = await browser.newContext({ viewport: { width: 1440, height: 810 } });
    const page = await context.newPage();
    await page.goto(workflowUrl);
    await page.locator('#emailOrLdapLoginId').fill('demo@example.com');
    await page.locator('#password').fill('Demo-Passw0rd');
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const node of ['Select Recipients', 'Count', 'Prepare Sending', 'Request Approval', 'Send SMS']) {
      await page.getByText(node, { exact: true }).first().waitFor({ timeout: 60_000 });
    }
    await page.waitForTimeout(1500);
    await saveScreenshot(page, 'workflow-canvas.png');

    // The Execute workflow button on the "Run by Hand" trigger (the demo's copy has its webhook trigger enabled, for npm run demo).
    await page.locator('[data-test-id="execute-workflow-button-Run by Hand"]').click({ force: true });
    const inboxUrl = `http://127.0.0.1:${ports.DEMO_INBOX_PORT}`;
    const deadline = Date.now() + 120_000;
    let requests: { sendingId: string; approvalUrl: string }[] = [];
    while (requests.length === 0 && Date.now() < deadline) {
      requests = (await (await fetch(`${inboxUrl}/approvals.json`)).json()) as typeof requests;
      if (requests.length === 0) await page.waitForTimeout(500);
    }
    expect(requests).toHaveLength(1);
    sendingId = requests[0].sendingId;

    const approval = await context.newPage();
    await approval.goto(inboxUrl);
    await approval.getByRole('link', { name: 'Open the approval page' }).click();
    await approval.locator('h1', { hasText: 'Approve this SMS sending?' }).waitFor();
    const pageText = await approval.locator('main').textContent();
    expect(pageText).toContain('Validation report');
    await approval.setViewportSize({ width: 900, height: 1400 });
    await saveScreenshot(approval, 'approval-page.png');
    await approval.fill('#approver', 'dana@demo-shop.example');
    await approval.click('button.approve');
    await approval.waitForSelector('text=the sending is approved');

    // Back on the canvas: the run goes on through Send SMS, which waits for the sending to complete.
    await page.bringToFront();
    let status = JSON.parse(await sms('status', sendingId, '--json'));
    for (const end = Date.now() + 180_000; status.state !== 'completed' && Date.now() < end; ) {
      await page.waitForTimeout(1000);
      status = JSON.parse(await sms('status', sendingId, '--json'));
    }
    expect(status.state).toBe('completed');
    await page.getByText('Rejected', { exact: true }).first().waitFor();
    await page.mouse.move(700, 180); // off the trigger, whose hover button would cover the picture
    await page.waitForTimeout(4000);
    await saveScreenshot(page, 'workflow-run.png');
    await context.close();

    const count = status.lastCount;
    // The demo data has findings of every kind, and the messages are what is left.
    for (const reason of ['inactive', 'missingNumber', 'invalidNumber', 'optedOut', 'duplicateNumber'])
      expect(count.excluded[reason]).toBeGreaterThan(0);
    expect(status.progress.sent).toBe(status.prepared.summary.messages);
    expect(status.approval.approver).toBe('dana@demo-shop.example');
    const outbox = JSON.parse(await sms('outbox', sendingId, '--json')) as { to: string; body: string }[];
    expect(outbox).toHaveLength(status.progress.sent);
    expect(new Set(outbox.map((m) => m.to)).size).toBe(outbox.length);
    expect(
      outbox.every((m) => /^\+\d{8,15}$/.test(m.to) && /^Hi \S+, -20% on everything today\. Reply STOP to opt out\.$/.test(m.body)),
    ).toBe(true);
  }, 420_000);

  test('npm run demo runs the same process headless against the running stack and exits 0 with the summary', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo'], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
    const id = /select {2}→ sending (\S+):/.exec(stdout)?.[1];
    expect(id).toBeDefined();
    expect(id).not.toBe(sendingId);
    const status = JSON.parse(await sms('status', id!, '--json'));
    expect(stdout).toContain(`count   → targeted ${status.lastCount.targeted}, messages ${status.lastCount.messages}`);
    expect(stdout).toContain(`prepare → ${status.prepared.summary.messages} messages frozen`);
    expect(stdout).toContain(
      `send    → completed: ${status.progress.sent}/${status.prepared.summary.messages} (100%) sent ${status.progress.sent}, failed 0`,
    );
    expect(stdout).toContain(`outbox  → ${status.progress.sent} message(s) recorded`);
    expect(stdout).toContain(`receipt → delivered ${status.delivery.delivered}, undelivered ${status.delivery.undelivered}`);
    expect(status.delivery.delivered + status.delivery.undelivered).toBe(status.progress.sent);
    expect(stdout).toContain(`npm run sms -- outbox ${id}`);
  }, 660_000);

  test('Ctrl-C stops everything; a second start reuses the data and n8n keeps the owner and the run', async () => {
    expect(await pressCtrlC(stack!)).toBe(0);
    expect(stack!.output()).toContain('[start] everything stopped');
    for (const port of [ports.TEMPORAL_PORT, ports.N8N_PORT, ports.DEMO_INBOX_PORT]) expect(await portOpen(port)).toBe(false);

    stack = startStack(env);
    await untilOutput(stack, 'durable SMS demo is up', 300_000);
    const text = stack.output();
    expect(text).not.toContain('[start] building the node package');
    expect(text).toContain('[demo] project "demo" found in the directory');
    expect(text).toContain('[demo] n8n was set up by an earlier start');
    expect(JSON.parse(await sms('status', sendingId, '--json')).state).toBe('completed');
    const login = await fetch(`http://127.0.0.1:${ports.N8N_PORT}/rest/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ emailOrLdapLoginId: 'demo@example.com', password: 'Demo-Passw0rd' }),
    });
    expect(login.status).toBe(200);
    const state = JSON.parse(readFileSync(join(data, 'n8n-demo.json'), 'utf8'));
    const executions: any = await (
      await fetch(`http://127.0.0.1:${ports.N8N_PORT}/api/v1/executions?workflowId=${state.workflows['sms-process-with-approval.json']}`, {
        headers: { 'X-N8N-API-KEY': state.apiKey },
      })
    ).json();
    expect(executions.data.filter((e: { status: string }) => e.status === 'success').length).toBeGreaterThanOrEqual(1);
    expect(await pressCtrlC(stack)).toBe(0);
  }, 420_000);
});
