/**
 * Where the demo's Request Approval node delivers its link (in production: Slack, Teams or another
 * workflow). It prints each request in the `npm start` terminal, lists them on a page with the links,
 * and keeps them in a file so the headless demo and a restarted stack find them.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { escapeHtml } from '../nodes/DurableSmsRequestApproval/approval-page';

export interface ApprovalRequest {
  receivedAt: string;
  sendingId: string;
  /** The link for anyone (typed name); a project with named approvers gets `approvers` instead. */
  approvalUrl: string;
  approvers?: { email: string; name: string; approvalUrl: string }[];
  text: string;
  messages?: number;
}

const linksOf = (r: ApprovalRequest) => (r.approvers?.length ? r.approvers.map((a) => ({ label: `${a.name} <${a.email}>`, url: a.approvalUrl })) : [{ label: '', url: r.approvalUrl }]);

export interface ApprovalInbox {
  url: string;
  close(): Promise<void>;
}

function readAll(file: string): ApprovalRequest[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ApprovalRequest);
}

function page(requests: ApprovalRequest[]): string {
  const rows = requests
    .slice()
    .reverse()
    .map((r) => `<li><p><b>${escapeHtml(r.sendingId)}</b> — ${r.messages ?? '?'} message(s), received ${escapeHtml(r.receivedAt.slice(0, 19).replace('T', ' '))} UTC</p>${linksOf(r).map((l) => `<p><a href="${escapeHtml(l.url)}">Open the approval page</a>${l.label ? ` (${escapeHtml(l.label)})` : ''}</p>`).join('')}</li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Approval requests</title>
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 16px;color:#111}li{margin:12px 0;padding:12px;border:1px solid #d1d5db;border-radius:8px;list-style:none}ul{padding:0}</style></head>
<body><h1>Approval requests</h1><p>The demo's <b>Request Approval</b> node delivers its links here (in production: a Slack or Teams webhook). This page refreshes itself.</p>
${rows ? `<ul>${rows}</ul>` : '<p>None yet: run the workflow "SMS sending with approval" in n8n.</p>'}</body></html>`;
}

export function startApprovalInbox(options: { port: number; host: string; file: string; log: (line: string) => void }): Promise<ApprovalInbox> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/approvals') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        try {
          const posted = JSON.parse(body) as Omit<ApprovalRequest, 'receivedAt'>;
          const request: ApprovalRequest = { receivedAt: new Date().toISOString(), sendingId: posted.sendingId, approvalUrl: posted.approvalUrl, ...(posted.approvers ? { approvers: posted.approvers } : {}), text: posted.text, messages: posted.messages };
          appendFileSync(options.file, `${JSON.stringify(request)}\n`);
          for (const link of linksOf(request)) options.log(`[approvals] sending ${request.sendingId} (${request.messages ?? '?'} messages) waits for approval${link.label ? ` (${link.label})` : ''}: ${link.url}`);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"expected the JSON body the Request Approval node posts"}');
        }
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/approvals.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(readAll(options.file)));
      return;
    }
    if (req.method === 'GET' && (req.url === '/' || req.url === '/approvals')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(readAll(options.file)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://${options.host}:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
