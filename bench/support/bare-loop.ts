/**
 * The baseline: a plain loop with `concurrency` requests in flight, posting through the `http`
 * provider's own client the requests the worker posts (same headers, same body, same key), with no
 * Temporal and no directory around them.
 */
import { createHttpProvider } from '../../worker/providers/http-provider';
import { SENDER, audienceBody, audienceNumber } from './audience';

export async function bareLoop(
  url: string,
  sendingId: string,
  count: number,
  message: string,
  concurrency: number,
): Promise<{ seconds: number; failures: number }> {
  const provider = createHttpProvider({ url });
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const seq = ++next;
      const sms = {
        to: audienceNumber(seq - 1),
        from: SENDER,
        body: audienceBody(message, seq - 1),
        idempotencyKey: `${sendingId}:${seq}`,
        sendingId,
        seq,
      };
      const result = await provider.send(sms);
      if (result.status !== 'sent') failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { seconds: (performance.now() - started) / 1000, failures };
}
