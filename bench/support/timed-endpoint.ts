/**
 * The provider endpoint of the rate-limit and scale-out benchmarks, in its own process
 * (`startTimedEndpoint`). Generic JSON API of the `http` provider: POST /messages, deduplicated by
 * Idempotency-Key. Per `sendingId` it keeps the arrival time of every accepted message (when the
 * request's headers arrive), messages per number and per worker (the X-Worker header the benchmark
 * gives each worker through SMS_HTTP_HEADERS). GET /report?sendingId=… answers the figures; with the
 * parameter repeated, of those sendings together (a number counts once per sending). GET
 * /count?sendingId=…[&fromMs=…&toMs=…] answers how many messages of those sendings were accepted (in
 * [fromMs, toMs], epoch ms), cheap enough to poll while a sending runs; within a window, per worker too.
 * ENDPOINT_DELAY_MS delays every answer to a message (a provider API's latency).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maxInWindow } from '../../test/support/windows';

interface Received {
  requests: number;
  replayed: number;
  times: number[];
  /** The worker of each accepted message, in the order of `times`. */
  workers: string[];
  perNumber: Map<string, number>;
  perWorker: Map<string, number>;
}

const sendings = new Map<string, Received>();
const answered = new Map<string, string>();
let nextId = 1;

const now = () => performance.timeOrigin + performance.now();
const delayMs = Number(process.env.ENDPOINT_DELAY_MS ?? 0);

function received(sendingId: string): Received {
  let found = sendings.get(sendingId);
  if (!found)
    sendings.set(sendingId, (found = { requests: 0, replayed: 0, times: [], workers: [], perNumber: new Map(), perWorker: new Map() }));
  return found;
}

function report(sendingIds: string[]): object {
  const all = sendingIds.map(received);
  const times = all.flatMap((r) => r.times).sort((a, b) => a - b);
  const spanSeconds = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  let numbersSentTwice = 0;
  const perWorker = new Map<string, number>();
  for (const r of all) {
    for (const count of r.perNumber.values()) if (count > 1) numbersSentTwice++;
    for (const [worker, count] of r.perWorker) perWorker.set(worker, (perWorker.get(worker) ?? 0) + count);
  }
  return {
    requests: all.reduce((sum, r) => sum + r.requests, 0),
    replayed: all.reduce((sum, r) => sum + r.replayed, 0),
    accepted: times.length,
    distinctNumbers: all.reduce((sum, r) => sum + r.perNumber.size, 0),
    numbersSentTwice,
    spanSeconds,
    // First to last arrival: n - 1 intervals.
    perSecond: spanSeconds > 0 ? (times.length - 1) / spanSeconds : 0,
    maxPerSecondWindow: maxInWindow(times, 1000),
    firstAtMs: times.length > 0 ? times[0] : null,
    lastAtMs: times.length > 0 ? times[times.length - 1] : null,
    perWorker: Object.fromEntries(perWorker),
  };
}

function count(sendingIds: string[], fromMs: number, toMs: number): object {
  let accepted = 0;
  const perWorker: Record<string, number> = {};
  for (const r of sendingIds.map(received)) {
    if (fromMs === -Infinity && toMs === Infinity) accepted += r.times.length;
    else
      r.times.forEach((at, i) => {
        if (at < fromMs || at > toMs) return;
        accepted++;
        perWorker[r.workers[i]] = (perWorker[r.workers[i]] ?? 0) + 1;
      });
  }
  return { accepted, perWorker };
}

const server = createServer((req, res) => {
  const at = now();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://endpoint');
    const answerNow = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const answer = (status: number, body: object) =>
      delayMs > 0 && url.pathname === '/messages' ? void setTimeout(() => answerNow(status, body), delayMs) : answerNow(status, body);
    const ids = url.searchParams.getAll('sendingId');
    if (req.method === 'GET' && url.pathname === '/report') return answer(200, report(ids));
    if (req.method === 'GET' && url.pathname === '/count') {
      const bound = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
      return answer(200, count(ids, bound('fromMs', -Infinity), bound('toMs', Infinity)));
    }
    if (req.method !== 'POST' || url.pathname !== '/messages') return answer(404, { error: 'no route' });
    let message: { to?: unknown; sendingId?: unknown };
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof message;
    } catch {
      return answer(400, { error: 'The body is not JSON.' });
    }
    if (typeof message.to !== 'string') return answer(400, { error: '"to" is required.' });
    const r = received(typeof message.sendingId === 'string' ? message.sendingId : '');
    r.requests++;
    const key = req.headers['idempotency-key'];
    const known = typeof key === 'string' ? answered.get(key) : undefined;
    if (known) {
      r.replayed++;
      return answer(201, { id: known, status: 'accepted' });
    }
    const id = `msg_${nextId++}`;
    if (typeof key === 'string') answered.set(key, id);
    r.times.push(at);
    r.perNumber.set(message.to, (r.perNumber.get(message.to) ?? 0) + 1);
    const worker = String(req.headers['x-worker'] ?? '-');
    r.workers.push(worker);
    r.perWorker.set(worker, (r.perWorker.get(worker) ?? 0) + 1);
    return answer(201, { id, status: 'accepted' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`[endpoint] http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
