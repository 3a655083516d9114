/**
 * Where the demo's Request Approval node delivers its link (in production: Slack, Teams or another
 * workflow). It prints each request in the `npm start` terminal, lists them on a page with the links,
 * and keeps them in a file so the headless demo and a restarted stack find them.
 *
 * What it accepts (docs/bad-input.md "Demo approval inbox"): JSON posts of at most 64 KiB that are not
 * from another site; it renders every value escaped, and links only to the n8n it serves.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { escapeHtml } from '../nodes/DurableSmsRequestApproval/approval-page';
import { approvalRequestFromBody, linkableUrl, printable } from './approval-inbox-input';

export interface ApprovalRequest {
  receivedAt: string;
  sendingId: string;
  /** The link for anyone (typed name); a project with named approvers gets `approvers` instead. */
  approvalUrl?: string;
  approvers?: { email: string; name: string; approvalUrl: string }[];
  text: string;
  messages?: number;
}

/** Each link of a request, with whose it is (empty for the typed-name link). */
export const linksOf = (r: ApprovalRequest): { label: string; url: string }[] =>
  r.approvers?.length
    ? r.approvers.map((a) => ({ label: `${a.name} <${a.email}>`, url: String(a.approvalUrl) }))
    : [{ label: '', url: String(r.approvalUrl ?? '') }];

export interface ApprovalInbox {
  url: string;
  close(): Promise<void>;
}

export interface ApprovalInboxOptions {
  port: number;
  host: string;
  file: string;
  /** The n8n whose approval pages the inbox links to; a link elsewhere is shown as text. */
  n8nUrl: string;
  log: (line: string) => void;
}

export const MAX_APPROVAL_BODY_BYTES = 64 * 1024;

/** No script, nothing loaded from elsewhere, not framed. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function readAll(file: string): ApprovalRequest[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as ApprovalRequest];
      } catch {
        return [];
      }
    });
}

function link(url: string, n8nOrigin: string): string {
  const safe = linkableUrl(url, n8nOrigin);
  if (safe) return `<a href="${escapeHtml(safe)}">Open the approval page</a>`;
  return `Not a link to the n8n at ${escapeHtml(n8nOrigin)}, shown as text: <code>${escapeHtml(url)}</code>`;
}

function page(requests: ApprovalRequest[], n8nOrigin: string): string {
  const rows = requests
    .slice()
    .reverse()
    .map(
      (r) =>
        `<li><p><b>${escapeHtml(r.sendingId)}</b> — ${escapeHtml(r.messages ?? '?')} message(s), received ${escapeHtml(String(r.receivedAt).slice(0, 19).replace('T', ' '))} UTC</p><p>${escapeHtml(r.text)}</p>${linksOf(
          r,
        )
          .map((l) => `<p>${link(l.url, n8nOrigin)}${l.label ? ` (${escapeHtml(l.label)})` : ''}</p>`)
          .join('')}</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Approval requests</title>
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 16px;color:#111}li{margin:12px 0;padding:12px;border:1px solid #d1d5db;border-radius:8px;list-style:none}ul{padding:0}code{word-break:break-all}</style></head>
<body><h1>Approval requests</h1><p>The demo's <b>Request Approval</b> node delivers its links here (in production: a Slack or Teams webhook). This page refreshes itself.</p>
${rows ? `<ul>${rows}</ul>` : '<p>None yet: run the workflow "SMS sending with approval" in n8n.</p>'}</body></html>`;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      ...(status === 413 ? { connection: 'close' } : {}),
    })
    .end(JSON.stringify(body));
}

/** Why a POST is refused before its body is read (status and error), or undefined. */
function refusal(req: IncomingMessage, ownOrigin: string): [number, string] | undefined {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && origin !== ownOrigin)) {
    return [403, 'posts from another site are refused: the Request Approval node posts from the n8n server'];
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') return [415, `Content-Type must be application/json (got "${printable(type || 'none', 60)}")`];
  if (Number(req.headers['content-length'] ?? 0) > MAX_APPROVAL_BODY_BYTES)
    return [413, `the body may be at most ${MAX_APPROVAL_BODY_BYTES} bytes`];
  return undefined;
}

function receive(req: IncomingMessage, res: ServerResponse, options: ApprovalInboxOptions, ownOrigin: string): void {
  const refused = refusal(req, ownOrigin);
  if (refused) {
    answer(res, refused[0], { error: refused[1] });
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_APPROVAL_BODY_BYTES) {
      answer(res, 413, { error: `the body may be at most ${MAX_APPROVAL_BODY_BYTES} bytes` });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    const request = approvalRequestFromBody(Buffer.concat(chunks).toString('utf8'));
    if (typeof request === 'string') return answer(res, 400, { error: request });
    appendFileSync(options.file, `${JSON.stringify(request)}\n`);
    for (const l of linksOf(request)) {
      options.log(
        `[approvals] sending ${printable(request.sendingId, 100)} (${request.messages ?? '?'} messages) waits for approval${l.label ? ` (${printable(l.label, 300)})` : ''}: ${printable(l.url, 500)}`,
      );
    }
    answer(res, 200, { ok: true });
  });
}

export function startApprovalInbox(options: ApprovalInboxOptions): Promise<ApprovalInbox> {
  const n8nOrigin = new URL(options.n8nUrl).origin;
  let ownOrigin = '';
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/approvals') return receive(req, res, options, ownOrigin);
    if (req.method === 'GET' && req.url === '/approvals.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
        .end(JSON.stringify(readAll(options.file)));
      return;
    }
    if (req.method === 'GET' && (req.url === '/' || req.url === '/approvals')) {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': PAGE_CSP,
          'x-content-type-options': 'nosniff',
        })
        .end(page(readAll(options.file), n8nOrigin));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as { port: number };
      const url = `http://${options.host}:${port}`;
      ownOrigin = new URL(url).origin;
      resolve({ url, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
