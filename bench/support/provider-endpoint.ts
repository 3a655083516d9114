/**
 * A lean provider endpoint for benchmarks, run in its own process (`startEndpoint`) so that the
 * worker and the bare loop compete for it on equal terms. It speaks the generic JSON API of the
 * `http` provider (POST /messages, deduplicated by the Idempotency-Key header; a request without
 * a key is always a new message) and keeps only counters: per `sendingId` of the body, accepted
 * messages per phone number, replays, and the first and last acceptance times.
 * GET /stats?sendingId=… answers them; ENDPOINT_DELAY_MS delays every answer (a provider's latency).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface SendingCounters {
  requests: number;
  accepted: number;
  replayed: number;
  perNumber: Map<string, number>;
  firstAt: number;
  lastAt: number;
}

const delayMs = Number(process.env.ENDPOINT_DELAY_MS ?? 0);
const sendings = new Map<string, SendingCounters>();
const answeredKeys = new Map<string, string>();
let nextId = 1;

function counters(sendingId: string): SendingCounters {
  let found = sendings.get(sendingId);
  if (!found) {
    found = { requests: 0, accepted: 0, replayed: 0, perNumber: new Map(), firstAt: 0, lastAt: 0 };
    sendings.set(sendingId, found);
  }
  return found;
}

function accept(raw: string, key: string | undefined): { status: number; body: string } {
  let message: { to?: unknown; body?: unknown; sendingId?: unknown };
  try {
    message = JSON.parse(raw) as typeof message;
  } catch {
    return { status: 400, body: '{"error":"The body is not JSON."}' };
  }
  if (typeof message.to !== 'string' || message.to === '') return { status: 400, body: '{"error":"\\"to\\" is required."}' };
  if (typeof message.body !== 'string' || message.body === '') return { status: 400, body: '{"error":"\\"body\\" is required."}' };
  const c = counters(typeof message.sendingId === 'string' ? message.sendingId : '');
  c.requests++;
  const known = key === undefined ? undefined : answeredKeys.get(key);
  if (known !== undefined) {
    c.replayed++;
    return { status: 201, body: JSON.stringify({ id: known, status: 'accepted' }) };
  }
  const id = `msg_${nextId++}`;
  if (key !== undefined) answeredKeys.set(key, id);
  c.accepted++;
  c.perNumber.set(message.to, (c.perNumber.get(message.to) ?? 0) + 1);
  const now = Date.now();
  if (c.firstAt === 0) c.firstAt = now;
  c.lastAt = now;
  return { status: 201, body: JSON.stringify({ id, status: 'accepted' }) };
}

function stats(sendingId: string): string {
  const c = sendings.get(sendingId);
  if (!c)
    return JSON.stringify({
      requests: 0,
      accepted: 0,
      replayed: 0,
      distinctNumbers: 0,
      numbersSentTwice: 0,
      extraMessages: 0,
      firstAt: 0,
      lastAt: 0,
    });
  let numbersSentTwice = 0;
  let extraMessages = 0;
  for (const n of c.perNumber.values()) {
    if (n > 1) {
      numbersSentTwice++;
      extraMessages += n - 1;
    }
  }
  const { requests, accepted, replayed, firstAt, lastAt } = c;
  return JSON.stringify({
    requests,
    accepted,
    replayed,
    distinctNumbers: c.perNumber.size,
    numbersSentTwice,
    extraMessages,
    firstAt,
    lastAt,
  });
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const url = new URL(req.url ?? '/', 'http://endpoint');
  let answer: { status: number; body: string };
  if (req.method === 'POST' && url.pathname === '/messages') {
    const header = req.headers['idempotency-key'];
    answer = accept(raw, typeof header === 'string' && header !== '' ? header : undefined);
  } else if (req.method === 'GET' && url.pathname === '/stats') {
    answer = { status: 200, body: stats(url.searchParams.get('sendingId') ?? '') };
  } else {
    answer = { status: 404, body: JSON.stringify({ error: `No route for ${req.method} ${url.pathname}` }) };
  }
  const reply = () => {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.body);
  };
  if (delayMs > 0) setTimeout(reply, delayMs);
  else reply();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.ENDPOINT_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`[endpoint] http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
