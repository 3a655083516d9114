/**
 * The baseline: a plain loop with `concurrency` requests in flight posting the same JSON requests the
 * `http` provider posts (same headers, same body), with no Temporal and no directory around them.
 */
import { SENDER, audienceBody, audienceNumber } from './audience';

export async function bareLoop(url: string, sendingId: string, count: number, message: string, concurrency: number): Promise<{ seconds: number; failures: number }> {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const idempotencyKey = `${sendingId}:${i + 1}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify({ to: audienceNumber(i), from: SENDER, body: audienceBody(message, i), idempotencyKey, sendingId }),
        signal: AbortSignal.timeout(15_000),
      });
      const answer = (await response.json()) as { id?: string };
      if (!response.ok || !answer.id) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { seconds: (performance.now() - started) / 1000, failures };
}
