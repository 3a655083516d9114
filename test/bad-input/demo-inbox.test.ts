/**
 * Bad-input catalogue, demo approval inbox (issue 14): hostile posts to the real server over HTTP,
 * each refused with its status and nothing stored, and hostile values in accepted requests rendered
 * as text: escaped, and links only to the n8n the inbox serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_APPROVAL_BODY_BYTES, startApprovalInbox, type ApprovalInbox } from '../../demo/approval-inbox';

const N8N = 'http://127.0.0.1:5678';
const APPROVAL_URL = `${N8N}/webhook-waiting/42?sendingId=s-1&signature=abc`;
const JSON_TYPE = { 'content-type': 'application/json' };
const good = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ sendingId: 's-1', approvalUrl: APPROVAL_URL, text: 'SMS sending s-1 awaits your approval', messages: 3, ...extra });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as given (no header added), the body sent in one piece or, with `chunked`, without a length. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string, chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, headers: { ...headers, ...(body !== undefined && !chunked ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    if (body !== undefined && chunked) for (let at = 0; at < body.length; at += 8192) req.write(body.slice(at, at + 8192));
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

interface RefusedPost {
  headers: Record<string, string>;
  body: string;
  status: number;
  error: RegExp;
  chunked?: boolean;
}

const big = 'x'.repeat(MAX_APPROVAL_BODY_BYTES + 1);

const REFUSED: [string, RefusedPost][] = [
  [
    'text/plain (a cross-site "simple" post)',
    {
      headers: { 'content-type': 'text/plain' },
      body: good(),
      status: 415,
      error: /^Content-Type must be application\/json \(got "text\/plain"\)$/,
    },
  ],
  [
    'a form post',
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sendingId=s-1&approvalUrl=x',
      status: 415,
      error: /^Content-Type must be application\/json/,
    },
  ],
  [
    'a multipart form post',
    {
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
      status: 415,
      error: /^Content-Type must be application\/json/,
    },
  ],
  ['no Content-Type', { headers: {}, body: good(), status: 415, error: /\(got "none"\)$/ }],
  [
    'a look-alike type, application/jsonp',
    { headers: { 'content-type': 'application/jsonp' }, body: good(), status: 415, error: /\(got "application\/jsonp"\)$/ },
  ],
  [
    'JSON from another origin',
    { headers: { ...JSON_TYPE, origin: 'https://evil.example' }, body: good(), status: 403, error: /^posts from another site are refused/ },
  ],
  [
    'JSON from the n8n page (same site, other origin)',
    { headers: { ...JSON_TYPE, origin: N8N }, body: good(), status: 403, error: /^posts from another site are refused/ },
  ],
  [
    'Origin: null (a sandboxed frame)',
    { headers: { ...JSON_TYPE, origin: 'null' }, body: good(), status: 403, error: /^posts from another site are refused/ },
  ],
  [
    'Sec-Fetch-Site: cross-site',
    { headers: { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }, body: good(), status: 403, error: /^posts from another site are refused/ },
  ],
  [
    'Sec-Fetch-Site: same-site',
    { headers: { ...JSON_TYPE, 'sec-fetch-site': 'same-site' }, body: good(), status: 403, error: /^posts from another site are refused/ },
  ],
  [
    'a declared length over 64 KiB',
    { headers: JSON_TYPE, body: good({ text: big }), status: 413, error: /^the body may be at most 65536 bytes$/ },
  ],
  [
    'over 64 KiB sent chunked, without a length',
    { headers: JSON_TYPE, body: good({ text: big }), chunked: true, status: 413, error: /^the body may be at most 65536 bytes$/ },
  ],
  ['not JSON', { headers: JSON_TYPE, body: '<script>alert(1)</script>', status: 400, error: /^the body is not JSON/ }],
  ['a JSON array', { headers: JSON_TYPE, body: '[1,2]', status: 400, error: /^the body must be a JSON object/ }],
  [
    'no sendingId',
    {
      headers: JSON_TYPE,
      body: JSON.stringify({ approvalUrl: APPROVAL_URL }),
      status: 400,
      error: /^"sendingId" must be a non-empty string$/,
    },
  ],
  [
    'a sendingId that is an object',
    { headers: JSON_TYPE, body: good({ sendingId: { toString: 'x' } }), status: 400, error: /^"sendingId" must be a non-empty string$/ },
  ],
  [
    'no approvalUrl',
    { headers: JSON_TYPE, body: JSON.stringify({ sendingId: 's-1' }), status: 400, error: /^"approvalUrl" must be a non-empty string$/ },
  ],
  [
    'named approvers that are not a list',
    {
      headers: JSON_TYPE,
      body: JSON.stringify({ sendingId: 's-1', approvers: 'bea' }),
      status: 400,
      error: /^"approvers" must be a list of 1 to 50 \{email, name, approvalUrl\}$/,
    },
  ],
  [
    'a named approver without a link',
    {
      headers: JSON_TYPE,
      body: JSON.stringify({ sendingId: 's-1', approvers: [{ email: 'bea@acme.test', name: 'Bea' }] }),
      status: 400,
      error: /^"approvers\[0\]\.approvalUrl" must be a non-empty string$/,
    },
  ],
  [
    '51 named approvers',
    {
      headers: JSON_TYPE,
      body: JSON.stringify({
        sendingId: 's-1',
        approvers: Array.from({ length: 51 }, (_, i) => ({ email: `a${i}@acme.test`, name: `A${i}`, approvalUrl: APPROVAL_URL })),
      }),
      status: 400,
      error: /^"approvers" must be a list of 1 to 50/,
    },
  ],
  [
    'messages as markup',
    { headers: JSON_TYPE, body: good({ messages: '<b>5</b>' }), status: 400, error: /^"messages" must be a whole number/ },
  ],
  ['messages negative', { headers: JSON_TYPE, body: good({ messages: -1 }), status: 400, error: /^"messages" must be a whole number/ }],
  [
    'a text of 20,000 characters',
    { headers: JSON_TYPE, body: good({ text: 'y'.repeat(20_000) }), status: 400, error: /^"text" may be at most 10000 characters$/ },
  ],
];

describe('bad-input catalogue: demo approval inbox', () => {
  let folder: string;
  let inbox: ApprovalInbox;
  const logged: string[] = [];
  const stored = async () => (await send(inbox.url, 'GET', '/approvals.json', {})).body;
  const post = (body: string, headers: Record<string, string> = JSON_TYPE) => send(inbox.url, 'POST', '/approvals', headers, body);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'approval-inbox-'));
    inbox = await startApprovalInbox({
      port: 0,
      host: '127.0.0.1',
      file: join(folder, 'approvals.jsonl'),
      n8nUrl: `${N8N}/`,
      log: (line) => logged.push(line),
    });
  });
  afterAll(async () => {
    await inbox?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('refused, nothing stored', () => {
    test.each(REFUSED)('%s', async (_what, { headers, body, status, error, chunked }) => {
      const before = await stored();
      const reply = await send(inbox.url, 'POST', '/approvals', headers, body, chunked);
      expect(reply.status).toBe(status);
      expect(JSON.parse(reply.body).error).toMatch(error);
      expect(await stored()).toBe(before);
    });
  });

  test("the Request Approval node's post (JSON with a charset, no Origin) and a same-origin one are accepted", async () => {
    expect((await post(good(), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await post(good({ sendingId: 's-2' }), { ...JSON_TYPE, origin: inbox.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(JSON.parse(await stored()).map((r: { sendingId: string }) => r.sendingId)).toEqual(['s-1', 's-2']);
  });

  test.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['JavaScript: with a tab and spaces', ' JavaScript\t:alert(1)'],
    ['data: HTML', 'data:text/html,<script>alert(1)</script>'],
    ['another host', 'http://evil.example/webhook-waiting/42'],
    ['the n8n host on another port', 'http://127.0.0.1:5679/webhook-waiting/42'],
    ['the n8n host over https (another origin)', 'https://127.0.0.1:5678/webhook-waiting/42'],
    ['a user-info trick', 'http://127.0.0.1:5678@evil.example/'],
    ['not a URL', '"><img src=x onerror=alert(1)>'],
  ])('an approval URL to %s is shown as escaped text, not as a link', async (_what, approvalUrl) => {
    const sendingId = `shown-${approvalUrl.length}`;
    expect((await post(good({ sendingId, approvalUrl }))).status).toBe(200);
    const html = (await send(inbox.url, 'GET', '/', {})).body;
    const item = html.split('<li>').find((li) => li.includes(`<b>${sendingId}</b>`))!;
    expect(item).toContain(`Not a link to the n8n at ${N8N}, shown as text: <code>`);
    expect(item).not.toContain('href=');
    expect(item).not.toMatch(/<(script|img)/);
  });

  test('hostile values are rendered escaped, every link goes to the n8n, and the page allows no script', async () => {
    const hostile = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>&amp;';
    const tricky = `${N8N}/webhook-waiting/7?sendingId=a"onmouseover="alert(3)&x=<b>`;
    expect((await post(good({ sendingId: hostile, text: hostile, approvalUrl: tricky }))).status).toBe(200);
    const page = await send(inbox.url, 'GET', '/', {});
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).not.toMatch(/<script|<img|onmouseover="/);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;');
    const hrefs = [...page.body.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.startsWith(`${N8N}/webhook-waiting/`)).toBe(true);
    expect(hrefs).toContain(APPROVAL_URL.replace(/&/g, '&amp;'));
  });

  test("a delivery to named approvers lists each approver's link with whose it is, escaped; a link elsewhere stays text", async () => {
    const approvers = [
      { email: 'bea@acme.test', name: 'Bea <b>Boss</b>', approvalUrl: `${APPROVAL_URL}&approver=bea` },
      { email: 'eve@evil.example', name: 'Eve', approvalUrl: 'http://evil.example/webhook-waiting/9' },
    ];
    expect((await post(JSON.stringify({ sendingId: 'named-1', approvers, text: 'two links', messages: 2 }))).status).toBe(200);
    const html = (await send(inbox.url, 'GET', '/', {})).body;
    const item = html.split('<li>').find((li) => li.includes('<b>named-1</b>'))!;
    expect(item).toContain(
      `<a href="${`${APPROVAL_URL}&approver=bea`.replace(/&/g, '&amp;')}">Open the approval page</a> (Bea &lt;b&gt;Boss&lt;/b&gt; &lt;bea@acme.test&gt;)`,
    );
    expect(item).toContain('shown as text: <code>http://evil.example/webhook-waiting/9</code> (Eve &lt;eve@evil.example&gt;)');
    expect(item.match(/href=/g)).toHaveLength(1);
  });

  test('control characters in a request cannot rewrite the terminal it is printed in', async () => {
    expect((await post(good({ sendingId: 'ok\u001b[2J\u001b]0;pwned\u0007\r\n[approvals] fake\u202e' }))).status).toBe(200);
    const line = logged.at(-1)!;
    expect(line).toMatch(/^\[approvals\] sending ok/);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
  });
});
