/**
 * Named approvers on a real n8n (pinned 2.x) with the package installed the way users install it, decided
 * in headless Chromium: 2 of 3 approvers, each through the link n8n signed for them. The preparer's own
 * link is refused (four eyes), a link decides once, a link cannot approve as someone else (n8n's
 * signature), a raw query n8n would read differently is refused (the node's guard), a proof send
 * reaches the provider marked [TEST], and the audit log says each approval came through a signed link.
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import type { Directory } from '../../worker/directory/directory';
import { createProvider } from '../../worker/providers/create-provider';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider';
import { startInbox, type Inbox } from '../support/inbox';
import type { N8n } from '../support/n8n';
import { startN8nStack, type N8nStack } from '../support/n8n-stack';
import { ANY_HOUR, seedAcme } from '../support/seed';
import type { TestWorker } from '../support/temporal';

const PKG = 'n8n-nodes-durable-sms';
const ALICE = { email: 'alice@acme.test', name: 'Alice Preparer' };
const BEA = { email: 'bea@acme.test', name: 'Béa Roy' };
const CHRIS = { email: 'chris@acme.test', name: 'Chris Lam', phone: '+15145550177' };

interface Delivery {
  text: string;
  sendingId: string;
  approvalUrl?: string;
  approvers: { email: string; name: string; approvalUrl: string }[];
}

const outputOf = (execution: { data?: any }, node: string, output = 0) =>
  (execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[output] ?? []).map((i: { json: unknown }) => i.json);

const form = (body: string) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });

describe('named approvers on a real n8n: one signed link each, decided in Chromium', () => {
  let stack: N8nStack;
  let directory: Directory;
  let env: TestWorker;
  let n8n: N8n;
  let inbox: Inbox;
  let browser: Browser;
  let credentialId: string;
  let provider: FakeProvider;

  beforeAll(async () => {
    provider = await startFakeProvider();
    inbox = await startInbox();
    browser = await launchChromium();
    stack = await startN8nStack({
      seed: async (directory) => {
        await seedAcme(directory);
        await directory.upsertProject({
          id: 'acme',
          name: 'Acme',
          compliance: { ...ANY_HOUR, approval: { approvers: [ALICE, BEA, CHRIS], approvalsRequired: 2, requireNamedApprovers: true } },
        });
      },
      worker: (directory) => ({ provider: createProvider({ kind: 'http', url: provider.httpUrl }, { outboxStore: directory }) }),
    });
    ({ directory, env, n8n, credentialId } = stack);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await inbox?.close();
    await provider?.close();
  });

  const node = (name: string, type: string, x: number, parameters: Record<string, unknown>) => ({
    id: `${type}-${x}`,
    name,
    type: `${PKG}.${type}`,
    typeVersion: 1,
    position: [x, 300],
    parameters,
    credentials: { durableSmsTemporalApi: { id: credentialId, name: 'Temporal' } },
  });
  const hook = (path: string) => ({
    id: `${path}-hook`,
    name: 'Start',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 300],
    webhookId: `${path}-hook`,
    parameters: { path, httpMethod: 'POST', responseMode: 'onReceived' },
  });
  const chain = (names: string[]) =>
    Object.fromEntries(names.slice(0, -1).map((from, i) => [from, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

  test('2 of 3 named approvers through their own links; four eyes, one decision per link, no approving as someone else', async () => {
    // Select and Request Approval act as the workflow (the default); Prepare as Alice, who therefore cannot approve.
    const { id: workflowId } = await n8n.activate({
      name: 'Named approvers',
      nodes: [
        hook('sms-named'),
        node('Select Recipients', 'durableSmsSelectRecipients', 200, { projectId: 'acme', audience: 'all', duplicatePolicy: 'perNumber' }),
        node('Prepare Sending', 'durableSmsPrepareSending', 400, {
          message: 'Hi [[firstName]], -20% today. Reply STOP to opt out.',
          when: 'now',
          actor: ALICE.email,
        }),
        node('Request Approval', 'durableSmsRequestApproval', 600, { webhookUrl: inbox.url, waitLimitHours: 1 }),
      ],
      connections: chain(['Start', 'Select Recipients', 'Prepare Sending', 'Request Approval']),
    });
    await n8n.webhook('sms-named', {});
    const delivery = (await inbox.next()) as unknown as Delivery;
    const waiting = await n8n.waitForExecution(workflowId, { timeoutMs: 60_000 });
    expect(waiting.status).toBe('waiting');
    const { sendingId } = delivery;

    // The delivery: one signed link per approver (identity inside the signed query), no link for anyone.
    expect(delivery.approvalUrl).toBeUndefined();
    expect(delivery.approvers.map((a) => [a.email, a.name])).toEqual([ALICE, BEA, CHRIS].map((a) => [a.email, a.name]));
    for (const a of delivery.approvers) {
      expect(new URL(a.approvalUrl).searchParams.get('approver')).toBe(a.email);
      expect(delivery.text).toContain(`${a.name} <${a.email}>: ${a.approvalUrl}`);
    }
    const link = (email: string) => delivery.approvers.find((a) => a.email === email)!.approvalUrl;
    const before = await env.client.status(sendingId);
    expect(before).toMatchObject({
      state: 'awaiting_approval',
      createdBy: expect.stringMatching(/^Named approvers \(n8n workflow \w+\)$/),
      prepared: { preparedBy: ALICE.email },
    });
    expect(before.approvalRequest!.requestedBy).toMatch(/^Named approvers \(n8n workflow \w+\)$/);

    // Alice prepared it: her own link is refused by four eyes.
    const alice = await fetch(link(ALICE.email), form('decision=approve'));
    expect(alice.status).toBe(403);
    const aliceText = await alice.text();
    expect(aliceText).toContain('You cannot approve this sending');
    expect(aliceText).toContain('alice@acme.test prepared sending');

    // Béa approves in the browser: the page names her and has no name field.
    const page = await browser.newPage();
    expect((await page.goto(link(BEA.email)))?.status()).toBe(200);
    expect(await page.locator('.identity').textContent()).toContain(`You are approving as ${BEA.name} (${BEA.email})`);
    expect(await page.locator('input[name="approver"]').count()).toBe(0);
    expect(await page.locator('button.proof').count()).toBe(0); // no phone, no proof send
    await page.click('button.approve');
    await page.waitForSelector('text=your approval is recorded (1 of 2)');
    expect(await page.locator('main').textContent()).toContain(`Thank you, ${BEA.name}`);

    // Her link used again: it shows who decided and when, and cannot approve again.
    await page.goto(link(BEA.email));
    expect(await page.locator('h1').textContent()).toBe('You have already decided');
    expect(await page.locator('main').textContent()).toMatch(
      /Béa Roy \(bea@acme\.test\) approved this sending at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(1 of 2 approvals\)/,
    );
    const again = await fetch(link(BEA.email), form('decision=approve'));
    expect(again.status).toBe(409);
    await page.close();

    // Chris's link with Béa's e-mail, without an approver, or with a second approver fails n8n's
    // signature check (n8n's own page).
    const refusedByN8n = async (url: URL | string, body: string) => {
      const answer = await fetch(url, form(body));
      expect([answer.status, (await answer.text()).includes('Invalid Form Link')]).toEqual([401, true]);
    };
    const asBea = new URL(link(CHRIS.email));
    asBea.searchParams.set('approver', BEA.email);
    await refusedByN8n(asBea, 'decision=approve');
    const anyone = new URL(link(CHRIS.email));
    anyone.searchParams.delete('approver');
    await refusedByN8n(anyone, 'decision=approve&approver=mallory');
    await refusedByN8n(`${link(CHRIS.email)}&approver=${encodeURIComponent(BEA.email)}`, 'decision=approve');
    // A repeated `signature` is outside what n8n signs (it drops every one before checking the first):
    // n8n lets the request through, and the node's raw-URL guard refuses it.
    const guarded = await fetch(`${link(CHRIS.email)}&signature=${'0'.repeat(64)}`, form('decision=approve'));
    expect(guarded.status).toBe(401);
    const guardedText = await guarded.text();
    expect(guardedText).toContain('Invalid approval link');
    expect(guardedText).toContain('the link has 5 query parameters; a real link has at most 4');

    expect((await env.client.status(sendingId)).approvals.map((a) => a.approver)).toEqual([BEA.email]);

    // Chris asks for a test message on his phone first, then approves.
    const chris = await browser.newPage();
    await chris.goto(link(CHRIS.email));
    expect(await chris.locator('.identity').textContent()).toContain(`You are approving as ${CHRIS.name} (${CHRIS.email})`);
    await chris.click('button.proof');
    await chris.waitForSelector('text=A test message was sent to +1514•••••77');
    expect(provider.accepted.filter((m) => m.to === CHRIS.phone).map((m) => m.body)).toEqual([
      '[TEST] Hi Ana, -20% today. Reply STOP to opt out.',
    ]);
    await chris.click('button.approve');
    await chris.waitForSelector('text=the sending is approved');
    await chris.close();

    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 120_000 });
    expect(execution.status).toBe('success');
    expect(outputOf(execution, 'Request Approval', 0)).toEqual([
      expect.objectContaining({ sendingId, decision: 'approved', approvers: [BEA.email, CHRIS.email] }),
    ]);
    expect(outputOf(execution, 'Request Approval', 1)).toEqual([]);

    const audit = await directory.readAudit(sendingId);
    expect(audit.filter((e) => e.action === 'approved').map((e) => [e.actor, e.detail?.established])).toEqual([
      [BEA.email, 'signedLink'],
      [CHRIS.email, 'signedLink'],
    ]);
    expect(audit.find((e) => e.action === 'proof_sent')).toMatchObject({
      actor: CHRIS.email,
      detail: { sentTo: '+1514•••••77', test: true, established: 'signedLink' },
    });
    // The proof send is not one of the sending's messages.
    expect(provider.accepted.filter((m) => m.sendingId === sendingId && m.to !== CHRIS.phone)).toHaveLength(0);
    await env.client.cancel(sendingId, 'end of test', 'test');
  });

  test('approving is not in the Sending tool node; Record Decision records an operator approval, refused where named approvers are required', async () => {
    await seedAcme(directory, 'open');
    const awaiting = async (projectId: string) => {
      const { sendingId } = await env.client.create({ projectId, audience: 'all', groups: [], duplicatePolicy: 'perNumber' }, 'paula');
      await env.client.prepare(sendingId, { message: 'Hi [[firstName]]. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
      await env.client.requestApproval(sendingId, 'paula');
      return sendingId;
    };
    const [named, open] = [await awaiting('acme'), await awaiting('open')];
    const { id: workflowId } = await n8n.activate({
      name: 'Record decisions',
      nodes: [
        hook('sms-record'),
        // A workflow saved before approve moved out of the Sending node.
        {
          ...node('Old Approve', 'durableSmsSending', 200, {
            resource: 'approval',
            operation: 'approve',
            sendingId: open,
            actor: BEA.email,
          }),
          onError: 'continueRegularOutput',
        },
        node('Record Open', 'durableSmsRecordDecision', 400, { decision: 'approve', sendingId: open, actor: BEA.email }),
        {
          ...node('Record Named', 'durableSmsRecordDecision', 600, { decision: 'approve', sendingId: named, actor: BEA.email }),
          onError: 'continueRegularOutput',
        },
      ],
      connections: chain(['Start', 'Old Approve', 'Record Open', 'Record Named']),
    });
    await n8n.webhook('sms-record', {});
    const execution = await n8n.waitForExecution(workflowId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('success');
    expect(outputOf(execution, 'Old Approve')).toEqual([{ error: 'The Sending node no longer approves or rejects (resource "approval")' }]);
    expect(outputOf(execution, 'Record Open')).toEqual([expect.objectContaining({ sendingId: open, state: 'approved' })]);
    expect((await directory.readAudit(open)).filter((e) => e.action === 'approved').map((e) => [e.actor, e.detail?.established])).toEqual([
      [BEA.email, 'nodeParameter'],
    ]);
    expect(outputOf(execution, 'Record Named')).toEqual([
      { error: expect.stringMatching(/takes approvals only through the link sent to each approver/) },
    ]);
    expect((await env.client.status(named)).approvals).toEqual([]);
    await env.client.cancel(named, 'end of test', 'test');
    await env.client.cancel(open, 'end of test', 'test');
  });
});
