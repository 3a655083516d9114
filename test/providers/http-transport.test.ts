/** The providers' HTTP client against a local server that misbehaves in ways the fake provider does not. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpProvider } from '../../worker/providers/http-provider';
import { MAX_ANSWER_BYTES } from '../../worker/providers/http-transport';
import { RetryableProviderError, type OutgoingSms } from '../../worker/providers/provider';

const sms = (seq: number): OutgoingSms => ({
  to: `+3361234567${seq}`,
  from: 'ACME',
  body: 'Bonjour',
  idempotencyKey: `sending-1:${seq}`,
  sendingId: 'sending-1',
  seq,
});

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

describe('the providers’ HTTP client', () => {
  let server: http.Server;
  let url: string;
  let handle: Handler;
  const connections: string[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      request.once('end', () => handle(request, response));
    });
    server.on('connection', (socket) => connections.push(`${socket.remoteAddress}:${socket.remotePort}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    connections.length = 0;
  });

  it('sends one message after another over one kept-alive connection', async () => {
    handle = (_request, response) => response.writeHead(201, { 'Content-Type': 'application/json' }).end('{"id":"m"}');
    const provider = createHttpProvider({ url });
    for (const seq of [1, 2, 3, 4, 5]) await expect(provider.send(sms(seq))).resolves.toEqual({ status: 'sent', providerMessageId: 'm' });
    expect(connections).toHaveLength(1);
  });

  it('counts a message as sent at the deadline when its 2xx status came and its body never ends', async () => {
    handle = (_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      response.write('{"id":');
    };
    const started = performance.now();
    await expect(createHttpProvider({ url, timeoutMs: 300 }).send(sms(1))).resolves.toEqual({
      status: 'sent',
      providerMessageId: 'sending-1:1',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('stops reading an endless answer after MAX_ANSWER_BYTES (the status counts)', async () => {
    let written = 0;
    handle = (_request, response) => {
      response.writeHead(201, { 'Content-Type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (written < 8 * MAX_ANSWER_BYTES && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    };
    await expect(createHttpProvider({ url, timeoutMs: 10_000 }).send(sms(1))).resolves.toEqual({
      status: 'sent',
      providerMessageId: 'sending-1:1',
    });
    expect(written).toBeLessThan(8 * MAX_ANSWER_BYTES);
  });

  it('gives up at the deadline when no status comes: outcome unknown', async () => {
    handle = () => undefined;
    const error = await createHttpProvider({ url, timeoutMs: 300 })
      .send(sms(1))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ message: expect.stringContaining('did not answer within 300 ms'), outcomeUnknown: true });
  });

  it('reads a 4xx answer and says why the provider refused the message', async () => {
    handle = (_request, response) => response.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"no such number"}');
    await expect(createHttpProvider({ url }).send(sms(1))).resolves.toEqual({ status: 'rejected', reason: 'HTTP 400: no such number' });
  });

  it('passes Retry-After of a 429 on to the retry', async () => {
    handle = (_request, response) => response.writeHead(429, 'Too Many Requests', { 'Retry-After': '3' }).end();
    const error = await createHttpProvider({ url })
      .send(sms(1))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableProviderError);
    expect(error).toMatchObject({ retryAfterMs: 3000, outcomeUnknown: false });
    expect((error as Error).message).toBe(`the HTTP provider (${new URL(url).origin}) answered 429 Too Many Requests`);
  });
});
