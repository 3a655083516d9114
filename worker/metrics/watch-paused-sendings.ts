/** Keeps the paused-sendings gauge up to date from the directory, every few seconds; answers how to stop. */
import type { Directory } from '../directory/directory';
import type { SmsMetrics } from './sms-metrics';

export const PAUSED_POLL_MS = 5000;

export function watchPausedSendings(
  directory: Pick<Directory, 'pausedSendings'>,
  metrics: SmsMetrics,
  everyMs = PAUSED_POLL_MS,
): () => void {
  // While the directory does not answer, the gauge keeps its last value; the batches report that outage.
  const poll = () =>
    directory.pausedSendings().then(
      (count) => metrics.pausedSendings(count),
      () => undefined,
    );
  void poll();
  const timer = setInterval(poll, everyMs);
  return () => clearInterval(timer);
}
