/**
 * `report ID [--csv [--full-numbers]]` and the delivery lines of `status`: the sending's delivery outcome,
 * read from the directory (the receipts never go through the workflow). The CSV has one row per recipient.
 */
import { csvDocument } from '../domain/csv-cell';
import { maskE164 } from '../domain/mask-numbers';
import type { Directory } from '../worker/directory/directory';
import type { DeliverySummary } from '../worker/directory/deliveries';

export const REPORT_CSV_HEADER = [
  'seq',
  'recipient',
  'number',
  'state',
  'detail',
  'delivery_state',
  'error_code',
  'updated_at',
  'receipt_at',
] as const;

/** `delivery of 264 sent: delivered 250, read 0, undelivered 10, failed 1, awaiting receipt 3`, then the error codes and kill-list entries. */
export function formatDeliverySummary(summary: DeliverySummary): string {
  const reasons = Object.entries(summary.byErrorCode)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, count]) => `${code}: ${count}`);
  const listed = Object.entries(summary.killListed)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, count]) => `${source}: ${count}`);
  const lines = [
    `  delivery of ${summary.sent} sent: delivered ${summary.delivered}, read ${summary.read}, undelivered ${summary.undelivered}, failed ${summary.failed}, awaiting receipt ${summary.awaitingReceipt}`,
  ];
  if (reasons.length > 0) lines.push(`  failed by error code: ${reasons.join(', ')}`);
  if (listed.length > 0) lines.push(`  put on the kill list by receipts: ${listed.join(', ')}`);
  return lines.join('\n');
}

export async function deliveryReportCsv(directory: Directory, sendingId: string, options: { fullNumbers: boolean }): Promise<string> {
  const rows: (string | number | null)[][] = [];
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  for (let after = 0; ; ) {
    const page = await directory.readDeliveryReport(sendingId, after, PAGE);
    for (const row of page) {
      rows.push([
        row.seq,
        row.externalId,
        options.fullNumbers ? row.e164 : maskE164(row.e164),
        row.state,
        row.detail,
        row.deliveryState,
        row.errorCode,
        iso(row.updatedAt),
        iso(row.receiptAt),
      ]);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].seq;
  }
  return csvDocument(REPORT_CSV_HEADER, rows);
}

const PAGE = 1000;
