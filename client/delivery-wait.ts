/**
 * Send SMS's "wait for receipts": reads the sending's delivery summary until no accepted message
 * awaits a receipt or the deadline passes. Each read is a short lookup workflow, so the reads space
 * out (2 s, doubling up to 30 s).
 */
import type { DirectoryAnswer } from '../workflows/messages';
import type { SendingClient } from './sending-client';

export type DeliverySummaryAnswer = DirectoryAnswer<{ kind: 'deliverySummary'; sendingId: string }>;

export interface ReceiptsWait {
  summary: DeliverySummaryAnswer;
  /** No accepted message awaits a receipt. */
  receiptsComplete: boolean;
}

const FIRST_PAUSE_MS = 2_000;
const LONGEST_PAUSE_MS = 30_000;

export async function waitForReceipts(
  sendings: Pick<SendingClient, 'lookup'>,
  sendingId: string,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<ReceiptsWait> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    const summary = await sendings.lookup({ kind: 'deliverySummary', sendingId });
    const left = deadline - Date.now();
    if (summary.awaitingReceipt === 0 || left <= 0) return { summary, receiptsComplete: summary.awaitingReceipt === 0 };
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}
