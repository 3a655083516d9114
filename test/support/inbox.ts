/** A local HTTP endpoint standing in for a Slack/Teams incoming webhook: records what it receives. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Inbox {
  url: string;
  received: Record<string, unknown>[];
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startInbox(): Promise<Inbox> {
  const received: Record<string, unknown>[] = [];
  let taken = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body));
      } catch {
        received.push({ raw: body });
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    async next(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        if (Date.now() > deadline) throw new Error('no message reached the inbox');
        await new Promise((r) => setTimeout(r, 100));
      }
      return received[taken++];
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
