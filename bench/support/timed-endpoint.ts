/**
 * The provider endpoint of the rate-limit and scale-out benchmarks, in its own process
 * (`startTimedEndpoint`). Generic JSON API of the `http` provider: POST /messages, deduplicated by
 * Idempotency-Key. Per `sendingId` it keeps the arrival time of every accepted message (when the
 * request's headers arrive), messages per number and per worker (the X-Worker header the benchmark
 * gives each worker through SMS_HTTP_HEADERS). GET /report?sendingId=… answers the figures.
 * ENDPOINT_DELAY_MS delays every answer to a message (a provider API's latency).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maxInWindow } from '../../test/support/windows';

interface Received {
  requests: number;
  replayed: number;
  times: number[];
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
  if (!found) sendings.set(sendingId, (found = { requests: 0, replayed: 0, times: [], perNumber: new Map(), perWorker: new Map() }));
  return found;
}

function report(sendingId: string): object {
  const r = received(sendingId);
  const times = [...r.times].sort((a, b) => a - b);
  const spanSeconds = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  let numbersSentTwice = 0;
  for (const count of r.perNumber.values()) if (count > 1) numbersSentTwice++;
  return {
    requests: r.requests,
    replayed: r.replayed,
    accepted: times.length,
    distinctNumbers: r.perNumber.size,
    numbersSentTwice,
    spanSeconds,
    // First to last arrival: n - 1 intervals.
    perSecond: spanSeconds > 0 ? (times.length - 1) / spanSeconds : 0,
    maxPerSecondWindow: maxInWindow(times, 1000),
    firstAtMs: times.length > 0 ? times[0] : null,
    perWorker: Object.fromEntries(r.perWorker),
  };
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
    if (req.method === 'GET' && url.pathname === '/report') return answer(200, report(url.searchParams.get('sendingId') ?? ''));
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
    r.perWorker.set(worker, (r.perWorker.get(worker) ?? 0) + 1);
    return answer(201, { id, status: 'accepted' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`[endpoint] http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
