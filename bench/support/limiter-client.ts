/**
 * A process that sends as fast as the worker's rate limiter lets it: LIMIT_CONCURRENCY (32) lanes each
 * acquire a slot, then POST one message to LIMIT_URL (the timed endpoint), until LIMIT_RUN_MS is
 * over. The limiter is the worker's (openRateLimiter) with the worker's variables: SMS_RATE_LIMIT,
 * SMS_RATE_LIMIT_SCOPE, SMS_RATE_LIMIT_KEY, DIRECTORY_URL. It measures the limiter alone, without
 * the sending path's own cost. Prints `[limiter] ready` when connected and waits for a line on stdin.
 * At the end it writes the moment each message started (epoch ms, when `acquire` resolved) to
 * LIMIT_STARTS_FILE: the limiter's own promise, before the way to the endpoint.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { workerSettingsFromEnv } from '../../worker/config';
import { openRateLimiter } from '../../worker/providers/create-rate-limiter';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv(process.env);
  const url = process.env.LIMIT_URL!;
  const runId = process.env.LIMIT_RUN_ID!;
  const name = process.env.LIMIT_NAME ?? 'p1';
  const limiter = openRateLimiter(
    { perSecond: settings.rateLimitPerSecond, scope: settings.rateLimitScope, key: settings.rateLimitKey },
    settings.directory,
    { kind: 'http', url },
  );
  process.stdout.write('[limiter] ready\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const deadline = performance.now() + Number(process.env.LIMIT_RUN_MS ?? 5000);
  let sent = 0;
  const starts: number[] = [];
  const lane = async () => {
    while (performance.now() < deadline) {
      await limiter.acquire();
      starts.push(performance.timeOrigin + performance.now());
      const seq = `${name}-${sent++}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${runId}:${seq}`, 'X-Worker': name },
        body: JSON.stringify({ to: `+1514${String(sent).padStart(7, '0')}-${name}`, body: 'rate limit bench', sendingId: runId }),
      });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.LIMIT_CONCURRENCY ?? 32) }, lane));
  await limiter.close();
  writeFileSync(process.env.LIMIT_STARTS_FILE!, JSON.stringify(starts));
  process.stdout.write(`[limiter] sent ${sent}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[limiter] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
