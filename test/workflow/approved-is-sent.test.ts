/**
 * What is sent is what was approved: the message's field values are frozen per recipient when the sending
 * is prepared, so a contact edited after approval gets the approved text; a contact whose number changed
 * is skipped (`changedAfterApproval`); a recipient added by a refresh at send time is held to the per-message
 * rules (the providers' parts cap); and neither the sending's nor a preview lookup's history holds a number.
 */
import { DateTime } from 'luxon';
import type { Directory } from '../../worker/directory/directory';
import { sendingWorkflowId } from '../../workflows/messages';
import { STORES, openFreshDirectory, type FreshDirectory } from '../support/directories';
import { historyText } from '../support/history-text';
import { seedAcme } from '../support/seed';
import { startTestWorker, type TestWorker } from '../support/temporal';

const vip = { projectId: 'acme', audience: 'groups' as const, groups: ['vip', 'newsletter'], duplicatePolicy: 'perContact' as const };
const LONG_NAME = `Ana — read this: https://evil.example/${'x'.repeat(1500)}`;

describe.each(STORES)('approved is sent (%s)', (store) => {
  let fresh: FreshDirectory;
  let directory: Directory;
  let env: TestWorker;

  beforeAll(async () => {
    fresh = await openFreshDirectory(store);
    directory = fresh.directory;
    await seedAcme(directory);
    env = await startTestWorker({ directory });
  });
  afterAll(async () => {
    await env?.stop();
    await fresh?.close();
  });

  async function approved(
    message: string,
    schedule: { mode: 'now' } | { mode: 'later'; localDateTime: string; timeZone: string } = { mode: 'now' },
    refreshAtSend = false,
  ): Promise<string> {
    const { sendingId } = await env.client.create(vip, 'paula');
    await env.client.prepare(sendingId, { message, schedule, refreshAtSend }, 'paula');
    await env.client.requestApproval(sendingId, 'paula');
    await env.client.approve(sendingId, { approver: 'alex' });
    return sendingId;
  }

  test('a contact edited after approval gets the approved text; one whose number changed is skipped, never sent to the new number', async () => {
    const id = await approved('Hi {{firstName}}, sale tomorrow. STOP to opt out');
    // After approval: Ana's name becomes an 11-part text with a link nobody approved; Ben moves to a new number.
    await directory.upsertContacts('acme', [
      { externalId: 'c1', fields: { firstName: LONG_NAME, mobile: '(514) 555-0101' } },
      { externalId: 'c2', fields: { firstName: 'Ben', mobile: '514 555 0199' } },
    ]);
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    const outbox = await directory.readOutbox(id);
    expect(outbox.map((m) => [m.to, m.body])).toEqual([
      ['+15145550101', 'Hi Ana, sale tomorrow. STOP to opt out'],
      ['+14385550103', 'Hi Chloé, sale tomorrow. STOP to opt out'],
    ]);
    const rows = await directory.readSnapshot(id, 0, 10);
    expect(rows.find((r) => r.e164 === '+15145550102')).toMatchObject({ state: 'skipped' });
    expect(done.progress).toMatchObject({ sent: 2, skipped: 1 });
    expect(await directory.readOutbox(id)).not.toContainEqual(expect.objectContaining({ to: '+15145550199' }));
    // Put things back for the other tests.
    await directory.upsertContacts('acme', [
      { externalId: 'c1', fields: { firstName: 'Ana', mobile: '(514) 555-0101' } },
      { externalId: 'c2', fields: { firstName: 'Ben', mobile: '514.555.0102' } },
    ]);
  }, 60_000);

  test('the approval binds to the prepared set: the same message prepared after a contact changed has another hash', async () => {
    const { sendingId } = await env.client.create(vip, 'paula');
    const first = await env.client.prepare(sendingId, { message: 'Hi {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    const again = await env.client.prepare(sendingId, { message: 'Hi {{firstName}}. STOP to opt out', schedule: { mode: 'now' } }, 'paula');
    expect(again.approvalHash).toBe(first.approvalHash);
    await directory.upsertContacts('acme', [{ externalId: 'c3', fields: { firstName: 'Chloé-Anne', mobile: '+1 438 555 0103' } }]);
    const changed = await env.client.prepare(
      sendingId,
      { message: 'Hi {{firstName}}. STOP to opt out', schedule: { mode: 'now' } },
      'paula',
    );
    expect(changed.approvalHash).not.toBe(first.approvalHash);
    expect(changed.prepared?.contentDigest).toMatch(/^[0-9a-f]{64}$/);
    await directory.upsertContacts('acme', [{ externalId: 'c3', fields: { firstName: 'Chloé', mobile: '+1 438 555 0103' } }]);
    await env.client.cancel(sendingId, 'test done', 'paula');
  });

  test('a recipient added by the refresh at send time is held to the parts cap: skipped with the reason, not sent', async () => {
    const at = DateTime.now().setZone('America/Toronto').plus({ seconds: 4 }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    const id = await approved(
      'Hi {{firstName}}, sale tomorrow. STOP to opt out',
      { mode: 'later', localDateTime: at, timeZone: 'America/Toronto' },
      true,
    );
    await directory.upsertContacts('acme', [
      { externalId: 'late', fields: { firstName: LONG_NAME, mobile: '514 555 0177' }, groups: ['vip'] },
    ]);
    await env.client.send(id, 'paula');
    const done = await env.client.waitFor(id, ['completed'], { timeoutMs: 60_000 });
    expect(done.refresh).toMatchObject({ added: 1 });
    const late = (await directory.readSnapshot(id, 0, 10)).find((r) => r.e164 === '+15145550177');
    expect(late).toMatchObject({ state: 'skipped' });
    expect((await directory.readOutbox(id)).map((m) => m.to)).not.toContain('+15145550177');
    expect((await directory.readOutbox(id)).every((m) => m.body.length < 200)).toBe(true);
    expect(await directory.deleteContact?.('acme', 'late')).toBe(true);
  }, 60_000);

  test('a preview renders only the prepared message with numbers masked, and its lookup history holds no number', async () => {
    const { sendingId } = await env.client.create(vip, 'paula');
    await env.client.prepare(
      sendingId,
      { message: 'Hi {{firstName}}, your number is {{mobile}}. STOP to opt out', schedule: { mode: 'now' } },
      'paula',
    );
    const since = new Date(Date.now() - 1000).toISOString();
    const preview = await env.client.lookup({ kind: 'preview', sendingId, limit: 5 });
    expect(preview[0].name).toBe('Hi Ana, your number is (51•) •••-••01. STOP to opt out');
    expect(preview.map((p) => p.description)).toEqual(['+1514•••••01', '+1514•••••02', '+1438•••••03']);
    // The lookup's own workflow, as Temporal stores it: no number, nor the digits of one.
    const lookups = env.client.client.workflow.list({ query: `WorkflowType = 'directoryLookupWorkflow' AND StartTime > '${since}'` });
    let decoded = 0;
    for await (const lookup of lookups) {
      decoded += 1;
      const text = historyText(await env.client.client.workflow.getHandle(lookup.workflowId, lookup.runId).fetchHistory());
      for (const number of ['5145550101', '5145550102', '4385550103', '555-0101']) expect(text).not.toContain(number);
    }
    expect(decoded).toBeGreaterThan(0);
    const sendingHistory = historyText(await env.client.client.workflow.getHandle(sendingWorkflowId(sendingId)).fetchHistory());
    expect(sendingHistory).not.toContain('5145550101');
    await env.client.cancel(sendingId, 'test done', 'paula');
  });
});
